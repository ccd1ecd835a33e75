import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

/// `GET /console/receipts`: the receipt journal — receipts newest first, found by date, store, customer, number or sum,
/// each opening the receipt (to look at it or return it). Anonymous receipts too: the only way back to one.
extension WebConsole {
    func journal(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let q = visit.query
        let zone = try await merchantZone(session.merchantId)
        let stores = try await store.stores(merchantId: session.merchantId)
        var errors: [String: String] = [:]
        var query = ReceiptQuery(before: q["before"].flatMap { Int64($0) })
        func day(_ field: String) -> LocalDate? {
            guard let text = q[field], !text.isEmpty else { return nil }
            guard let date = LocalDate(text) else {
                errors[field + "Error"] = visit.t("journal.dateInvalid")
                return nil
            }
            return date
        }
        // Days in the merchant's zone: from the first day's midnight to the last day's end.
        func midnight(_ date: LocalDate) -> UnixSeconds {
            let seconds = date.day * 86_400
            return seconds - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
        query.from = day("from").map(midnight)
        query.until = day("to").map { midnight(LocalDate(day: $0.day + 1)) }
        query.storeId = q["store"].flatMap { stores.map(\.id).contains($0) ? parseID($0) : nil }
        let customerText = (q["customer"] ?? "").trimmingCharacters(in: .whitespaces)
        if !customerText.isEmpty {
            query.customer = Self.customerKey(customerText)
            if query.customer == nil { errors["customerError"] = visit.t("cashier.customerInvalid") }
        }
        let number = (q["number"] ?? "").trimmingCharacters(in: .whitespaces)
        if !number.isEmpty { query.number = number }
        let sumText = (q["sum"] ?? "").trimmingCharacters(in: .whitespaces)
        if !sumText.isEmpty {
            query.payable = parseMoney(sumText)
            if query.payable == nil { errors["sumError"] = visit.t("journal.sumInvalid") }
        }
        let f = visit.format
        let storeNames = Dictionary(uniqueKeysWithValues: stores.map { ($0.id, $0.name) })
        var values: [String: Any] = [
            "from": q["from"] ?? "", "to": q["to"] ?? "", "customer": customerText, "number": number, "sum": sumText,
            "stores": [["id": "", "name": visit.t("journal.allStores"), "selected": query.storeId == nil]]
                + stores.map { ["id": $0.id, "name": $0.name, "selected": String(query.storeId ?? -1) == $0.id] },
        ]
        values.merge(errors) { _, new in new }
        guard errors.isEmpty else { return render("journal", visit, status: .unprocessableContent, values) }
        let page = try await store.receiptJournal(merchantId: session.merchantId, query)
        values["receipts"] = page.receipts.map { receipt -> [String: Any] in
            var row: [String: Any] = [
                "id": receipt.id, "number": receipt.externalId, "at": f.time(receipt.createdAt, zone), "store": storeNames[receipt.storeId] ?? "",
                "amount": f.money(receipt.amount), "payable": f.money(receipt.payable),
                "points": (receipt.earnedPoints > 0 ? "+" + f.points(receipt.earnedPoints) : "")
                    + (receipt.redeemedPoints > 0 ? " −" + f.points(receipt.redeemedPoints) : ""),
                "returned": receipt.returnedInFull ? visit.t("journal.returnedInFull")
                    : receipt.refundedKopecks > 0 ? visit.t("journal.refunded") + " " + f.money(receipt.refundedKopecks) : "",
            ]
            // An anonymous receipt has no card (Mustache takes an empty string for a value).
            if let card = receipt.card, let customerId = receipt.customerId { row["member"] = ["card": card, "id": customerId] }
            return row
        }
        values["hasReceipts"] = !page.receipts.isEmpty
        if let next = page.nextBefore {
            var older = q
            older["before"] = next
            values["older"] = "/console/receipts?" + Visit.query(older)
        }
        return render("journal", visit, values)
    }
}
