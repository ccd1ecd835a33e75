import Foundation
import KopilkaCore
@testable import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

/// The till's answers are written by `JSONWriter`; they must be byte for byte what Foundation's `JSONEncoder` (sorted
/// keys, slashes unescaped) writes for the same values, or a client comparing replays or parsing strictly would notice.
@Suite struct JSONWriterTests {
    static let foundation: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func expectSame<T: Codable & JSONWritable & Equatable>(_ type: T.Type, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let value = try JSONDecoder().decode(T.self, from: Data(json.utf8))
        let written = String(decoding: JSONWriter.bytes(of: value), as: UTF8.self)
        let expected = String(decoding: try foundation.encode(value), as: UTF8.self)
        #expect(written == expected, sourceLocation: sourceLocation)
        #expect(try JSONDecoder().decode(T.self, from: Data(written.utf8)) == value, sourceLocation: sourceLocation)
    }

    /// Quotes, backslashes, slashes, every kind of control character, Cyrillic, an emoji, DEL and U+2028.
    static let awkward = #"Кофе \"Арабика\" 1/2 \\ \u0001\u001f\n\t\r\b\f é€😀 \u007f \u2028 end"#

    @Test func eachAnswerTypeWithEveryOptionalPresentAndAbsent() throws {
        let values = #"[{"money": -5}, {"points": 7}, {"percent": 550}, {"quantity": 1500}, {"count": 3}, {"text": "\#(Self.awkward)"}, "#
            + #"{"names": ["a", "б"]}, {"lines": [1, 2]}, {"payments": ["credit", "cash"]}, {"schedule": {"kind": "outside_schedule"}}, "#
            + #"{"schedule": {"kind": "not_started", "date": "2027-03-01"}}, {"schedule": {"kind": "ended", "date": "2026-01-31"}}, "#
            + #"{"schedule": {"kind": "outside_days", "weekdays": [6, 7]}}, {"schedule": {"kind": "outside_hours", "hours": {"from": "09:00", "to": "24:00"}}}]"#
        let reason = #"{"code": "promotion_applied", "line": 3, "promotion": "p-1", "variant": "units", "values": \#(values)}"#
        try Self.expectSame(Reason.self, reason)
        try Self.expectSame(Reason.self, #"{"code": "tier", "message": "\#(Self.awkward)", "values": []}"#)
        let outcome = #"{"line": 1, "amount": 9223372036854775807, "discount": -9223372036854775808, "redeemedKopecks": 0, "redeemedPoints": 5, "payable": 10, "earnedPoints": 7}"#
        try Self.expectSame(LineOutcome.self, outcome)
        let promotion = #"{"id": "p/1", "name": "\#(Self.awkward)", "discount": 100, "earnedPoints": 0, "valueKopecks": 100, "lines": [1, 2], "code": "ABC"}"#
        try Self.expectSame(AppliedPromotion.self, promotion)
        try Self.expectSame(AppliedPromotion.self, #"{"id": "p", "name": "n", "discount": 0, "earnedPoints": 1, "valueKopecks": 1, "lines": []}"#)
        let gift = #"{"promotionId": "g", "sku": "CUP", "name": "Чашка", "onReceipt": false}"#
        let code = #"{"code": "AB-CD", "status": "customerLimit", "applied": true}"#
        let stamp = #"{"card": "coffee", "name": "\#(Self.awkward)", "every": 6, "before": 5, "earned": 1, "rewards": 1, "spent": 5, "after": 1, "discount": 15000, "lines": [2]}"#
        let calculation = """
            {"lines": [\(outcome), \(outcome)], "amount": 1, "discount": 2, "redeemedKopecks": 3, "redeemedPoints": 4, "payable": 5,
             "earnedPoints": 6, "maxRedeemable": 7, "ruleLimitPoints": 8, "promotions": [\(promotion)], "gifts": [\(gift)],
             "codes": [\(code)], "stamps": [\(stamp)], "explanation": [\(reason), \(reason)]}
            """
        try Self.expectSame(ReceiptCalculation.self, calculation)
        let empty = #"{"lines": [], "amount": 0, "discount": 0, "redeemedKopecks": 0, "redeemedPoints": 0, "payable": 0, "earnedPoints": 0, "maxRedeemable": 0, "ruleLimitPoints": 0, "explanation": []}"#
        try Self.expectSame(ReceiptCalculation.self, empty)
        let balance = #"{"spendable": 100, "pending": 20, "debt": 3}"#
        let tier = #"{"tier": "Серебро", "level": 1, "qualifying": 500000, "nextTier": "Золото", "toNextTier": 100, "privileges": ["кофе", "x"]}"#
        try Self.expectSame(TierStanding.self, tier)
        try Self.expectSame(TierStanding.self, #"{"tier": "Top", "level": 3, "qualifying": 1, "privileges": []}"#)
        let customer = """
            {"id": "1", "card": "2000000000017", "maskedName": "И***", "maskedPhone": "+7 9** ***-**-89", "balance": \(balance),
             "tier": \(tier), "groups": ["wholesale", "staff"],
             "stamps": [{"card": "coffee", "name": "Кофе", "stamps": 3, "stampsForReward": 5, "expiresAt": "2026-12-24T10:00:00Z"},
                        {"card": "visits", "name": "\(Self.awkward)", "stamps": 0, "stampsForReward": 9}]}
            """
        try Self.expectSame(CustomerSummary.self, customer)
        try Self.expectSame(CustomerSummary.self, #"{"id": "1", "card": "2", "balance": \#(balance), "groups": [], "stamps": []}"#)
        for kind in EntryKind.allCases {
            let entry = """
                {"id": "9", "kind": "\(kind.rawValue)", "amount": -5, "receiptId": "1", "returnId": "2", "holdId": "3", "lotId": "4",
                 "activatesAt": "2026-01-01T00:00:00Z", "expiresAt": "2027-12-31T23:59:59Z", "createdAt": "1999-02-03T04:05:06Z"}
                """
            try Self.expectSame(LedgerEntryView.self, entry)
        }
        let entry = #"{"id": "9", "kind": "accrual", "amount": 5, "createdAt": "2026-01-01T00:00:00Z"}"#
        try Self.expectSame(LedgerEntryView.self, entry)
        let line = """
            {"line": 1, "sku": "A/1", "name": "\(Self.awkward)", "category": "coffee", "quantity": 1500, "price": 100, "amount": 150,
             "discount": 0, "redeemedKopecks": 0, "redeemedPoints": 0, "payable": 150, "earnedPoints": 4, "returnedQuantity": 500}
            """
        let bare = #"{"line": 2, "sku": "B", "name": "b", "quantity": 1, "price": 1, "amount": 1, "discount": 0, "redeemedKopecks": 0, "redeemedPoints": 0, "payable": 1, "earnedPoints": 0, "returnedQuantity": 0}"#
        let receipt = """
            {"id": "10", "externalId": "\(Self.awkward)", "storeId": "2", "registerId": "3", "customerId": "4", "programVersion": 2,
             "amount": 1, "discount": 2, "redeemedKopecks": 3, "redeemedPoints": 4, "payable": 5, "earnedPoints": 6,
             "lines": [\(line), \(bare)], "explanation": [\(reason)], "createdAt": "2026-11-24T10:00:00Z"}
            """
        try Self.expectSame(ReceiptView.self, receipt)
        let anonymous = """
            {"id": "10", "externalId": "x", "storeId": "2", "programVersion": 2, "amount": 1, "discount": 2, "redeemedKopecks": 3,
             "redeemedPoints": 4, "payable": 5, "earnedPoints": 6, "lines": [], "explanation": [], "createdAt": "2026-11-24T10:00:00Z"}
            """
        try Self.expectSame(ReceiptView.self, anonymous)
        try Self.expectSame(ReceiptCommitted.self, #"{"receipt": \#(receipt), "calculation": \#(calculation), "entries": [\#(entry), \#(entry)], "balance": \#(balance)}"#)
        try Self.expectSame(ReceiptCommitted.self, #"{"receipt": \#(anonymous), "calculation": \#(empty), "entries": []}"#)
        let lineReturn = #"{"line": 1, "quantity": 1000, "refundKopecks": 50, "reversedPoints": 2, "restoredPoints": 3}"#
        try Self.expectSame(LineReturn.self, lineReturn)
        let made = """
            {"id": "5", "receiptId": "10", "lines": [\(lineReturn)], "refundKopecks": 50, "reversedPoints": 2, "restoredPoints": 3,
             "unrecoveredPoints": 1, "entries": [\(entry)], "balance": \(balance), "createdAt": "2026-11-24T10:00:00Z"}
            """
        try Self.expectSame(ReturnMade.self, made)
        let answer = #"{"customer": \#(customer), "programVersion": 4, "calculation": \#(calculation), "confirmationRequired": true, "printText": ["\#(Self.awkward)"]}"#
        try Self.expectSame(CalculateResponse.self, answer)
        try Self.expectSame(CalculateResponse.self, #"{"programVersion": 4, "calculation": \#(empty), "confirmationRequired": false, "printText": []}"#)
    }

    /// What the server really answers on a receipt with levels, a happy hour, a coupon and wholesale: calculate, commit,
    /// the stored receipt (its explanation written by `JSONWriter` into the database), a return.
    @Test func answersOfARealSaleAreWhatJSONEncoderWrites() async throws {
        let f = try await APIFixture(.sqlite)
        try await f.run(now: PromotionFlowTests.evening) { client in
            #expect(try await client.call(.put, "/v1/program", key: f.adminKey, json: PromotionFlowTests.program, ifMatch: "2").status == 200)
            let batch = try await client.post("/v1/code-batches", key: f.adminKey, #"{"name": "Листовки", "promotionId": "coupon", "count": 1}"#)
            let code = try #require((batch.json["codes"] as? [String])?.first)
            let (_, tillKey) = try await f.till(client)
            let customerId = try await f.customer(client, key: tillKey)
            let body = PromotionFlowTests.receipt + #", "customer": {"id": "\#(customerId)"}, "promoCodes": ["\#(code)"], "externalId": "FN/1 \"a\""}"#

            func expectSame<T: Codable & JSONWritable>(_ type: T.Type, _ reply: APIFixture.Client.Reply, sourceLocation: SourceLocation = #_sourceLocation) throws {
                #expect((200..<300).contains(reply.status), "\(reply.text)", sourceLocation: sourceLocation)
                let value = try reply.decode(T.self)
                #expect(reply.text == String(decoding: try Self.foundation.encode(value), as: UTF8.self), sourceLocation: sourceLocation)
            }
            try expectSame(CalculateResponse.self, try await client.post("/v1/receipts/calculate", key: tillKey, body))
            let committed = try await client.post("/v1/receipts", key: tillKey, body)
            try expectSame(ReceiptCommitted.self, committed)
            let answer = try committed.decode(ReceiptCommitted.self)
            let (receipt, explanation) = (answer.receipt, answer.calculation.explanation)
            #expect(receipt.explanation == nil, "the commit's answer says the explanation once, in its calculation")
            #expect(explanation.count >= 4 && explanation.contains { $0.promotion == "coupon" })
            let stored = try await client.get("/v1/receipts/\(receipt.id)", key: tillKey)
            try expectSame(ReceiptView.self, stored)
            #expect(try stored.decode(ReceiptView.self).explanation == explanation, "the explanation reads back as written")
            try expectSame(ReturnMade.self, try await client.post("/v1/receipts/\(receipt.id)/returns", key: tillKey, #"{"lines": [{"line": 1, "quantity": 1000}]}"#))
        }
    }
}
