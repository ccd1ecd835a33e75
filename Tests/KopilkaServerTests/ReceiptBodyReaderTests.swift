import Foundation
import KopilkaCore
import KopilkaDemo
@testable import KopilkaServer
import KopilkaTesting
import NIOCore
import Testing

/// `ReceiptBodyReader` reads the till's receipt bodies without `JSONDecoder`; whatever it reads must be exactly what
/// `JSONDecoder` reads, and what it cannot read exactly it must leave to `JSONDecoder` (which then answers or names the
/// field at fault). Seeded bodies mix what tills send with what they get wrong.
@Suite struct ReceiptBodyReaderTests {
    @Test func readsWhatJSONDecoderReadsAndNothingElse() throws {
        let seed = Workload.seed()
        var random = SeededRandom(seed: seed)
        var read = 0, left = 0
        for _ in 0..<Workload.size(3_000, long: 100_000) {
            let text = Self.body(&random)
            let decoded = try? JSONDecoder().decode(ReceiptBody.self, from: Data(text.utf8))
            guard let fast = ReceiptBodyReader.read(ByteBuffer(string: text)) else {
                if decoded != nil { left += 1 }
                continue
            }
            read += 1
            guard let decoded else {
                Issue.record("seed \(seed): read a body JSONDecoder refuses: \(text)")
                continue
            }
            #expect(Self.same(fast, decoded), "seed \(seed): \(text)")
        }
        print("receipt body reader seed \(seed): \(read) read, \(left) left to JSONDecoder")
        #expect(read > 100 && left > 100, "seed \(seed): both ways are taken (\(read) read, \(left) left)")
    }

    @Test func readsATillsReceipt() throws {
        let text = """
            {"storeId": "7", "customer": {"phone": "+7 912 000-00-01"}, "externalId": "K-1", "redeem": "max",
             "lines": [{"sku": "A-1", "name": "Капучино", "category": "кофе", "quantity": 1500, "price": 19900, "flags": ["noDiscount"]}],
             "payments": [{"method": "card", "amountKopecks": 29850}], "promoCodes": ["SPRING"], "cashier": null}
            """
        let body = try #require(ReceiptBodyReader.read(ByteBuffer(string: text)))
        #expect(Self.same(body, try JSONDecoder().decode(ReceiptBody.self, from: Data(text.utf8))))
        #expect(body.lines.first?.name == "Капучино" && body.redeem == .max && body.customer?.phone == "+7 912 000-00-01")
    }

    static func same(_ a: ReceiptBody, _ b: ReceiptBody) -> Bool {
        a.customer?.id == b.customer?.id && a.customer?.card == b.customer?.card && a.customer?.phone == b.customer?.phone
            && (a.customer == nil) == (b.customer == nil) && a.storeId == b.storeId && a.externalId == b.externalId
            && a.lines == b.lines && a.redeem == b.redeem && a.promoCodes == b.promoCodes && a.cashier == b.cashier
            && a.confirmationCode == b.confirmationCode && a.payments == b.payments
    }

    /// A receipt body as a till might send it, now and then with something only `JSONDecoder` can judge.
    static func body(_ random: inout SeededRandom) -> String {
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func maybe(_ p: Double) -> Bool { random.chance(p) }
        func number() -> String {
            maybe(0.85)
                ? String(Int64(random.next() % 10_000_000))
                : pick(["-1", "0", "-0", "01", "1.5", "1e3", "1.0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                        "-", "\"5\"", "null", "true", "[1]"])
        }
        func text() -> String {
            maybe(0.85)
                ? "\"\(pick(["A-1", "кофе", "Торт «Наполеон»", "x", "", "SKU/7", "日本"]))\""
                : pick(["\"a\\\"b\"", "\"\\u0041\"", "\"tab\\there\"", "5", "null", "\"\u{7F}\"", "[\"a\"]", "{}"])
        }
        func member(_ key: String, _ value: String) -> String { "\"\(key)\"\(pick([":", " : ", ":\n"]))\(value)" }
        func object(_ members: [String]) -> String {
            var members = members
            if maybe(0.03) { members.append(member("unknown", "1")) }
            if maybe(0.03), let first = members.first { members.append(first) }
            return "{" + members.shuffled(using: &random).joined(separator: pick([",", ", ", ",\n  "])) + "}"
        }
        func line() -> String {
            var members: [String] = []
            if maybe(0.97) { members.append(member("sku", text())) }
            if maybe(0.7) { members.append(member("name", text())) }
            if maybe(0.5) { members.append(member("category", maybe(0.9) ? text() : "null")) }
            if maybe(0.97) { members.append(member("quantity", number())) }
            if maybe(0.97) { members.append(member("price", number())) }
            if maybe(0.2) { members.append(member("amount", number())) }
            if maybe(0.2) { members.append(member("flags", "[" + (0..<Int(random.next() % 3)).map { _ in "\"\(pick(["noAccrual", "noRedemption", "noDiscount", "free"]))\"" }.joined(separator: ",") + "]")) }
            if maybe(0.2) { members.append(member("tags", "[" + (0..<Int(random.next() % 3)).map { _ in text() }.joined(separator: ",") + "]")) }
            if maybe(0.1) { members.append(member("minPrice", number())) }
            return object(members)
        }
        var members: [String] = []
        if maybe(0.7) {
            let key = pick(["id", "card", "phone"])
            members.append(member("customer", maybe(0.95) ? object([member(key, text())]) : pick(["null", "\"x\"", "{}"])))
        }
        if maybe(0.6) { members.append(member("storeId", maybe(0.9) ? "\"\(random.next() % 100)\"" : pick(["7", "null"]))) }
        if maybe(0.6) { members.append(member("externalId", text())) }
        if maybe(0.98) { members.append(member("lines", "[" + (0..<Int(1 + random.next() % 5)).map { _ in line() }.joined(separator: ", ") + "]")) }
        if maybe(0.4) { members.append(member("redeem", pick(["\"max\"", "\"min\"", "0", "1000", "-5", "null", "1.5"]))) }
        if maybe(0.2) { members.append(member("promoCodes", "[" + (0..<Int(random.next() % 3)).map { _ in text() }.joined(separator: ",") + "]")) }
        if maybe(0.2) { members.append(member("cashier", maybe(0.8) ? text() : "null")) }
        if maybe(0.1) { members.append(member("confirmationCode", text())) }
        if maybe(0.2) {
            let payments = (0..<Int(random.next() % 3)).map { _ in
                object([member("method", "\"\(pick(["cash", "card", "online", "credit", "certificate", "other", "barter"]))\""),
                        member("amountKopecks", number())])
            }
            members.append(member("payments", "[" + payments.joined(separator: ",") + "]"))
        }
        return pick(["", " ", "\n"]) + object(members) + pick(["", " ", "\n", "", "", "x"])
    }
}
