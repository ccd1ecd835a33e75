import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// The receipt journal finds receipts by each of its filters, newest first, a page at a time; a receipt's returns say
/// what each gave back.
@Suite struct JournalTests {
    @Test(arguments: TestDatabase.allCases) func theJournalFindsReceiptsByEachFilter(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0, day = StoreFixture.day
        let anna = try await f.customer(phone: "+79120000001")
        _ = try await f.customer(phone: "+79120000002")
        // Five receipts over five days: Anna's on days 0, 2, 4; anonymous on 1 and 3; the third costs 350 ₽.
        var ids: [String] = []
        for index in 0..<5 {
            let price: Kopecks = index == 2 ? 350_00 : 200_00
            let line = ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 1000, price: price)
            let response = try await f.commit(index.isMultiple(of: 2) ? anna : nil, [line], externalId: "R-\(index)", now: t0 + Int64(index) * day)
            ids.append(try StoreFixture.decode(ReceiptCommitted.self, response).receipt.id)
        }
        func find(_ query: ReceiptQuery) async throws -> [String] {
            try await f.store.receiptJournal(merchantId: f.merchantId, query).receipts.map(\.externalId)
        }
        #expect(try await find(ReceiptQuery()) == ["R-4", "R-3", "R-2", "R-1", "R-0"])
        #expect(try await find(ReceiptQuery(customer: .phone("+79120000001"))) == ["R-4", "R-2", "R-0"])
        #expect(try await find(ReceiptQuery(customer: .phone("+79120000002"))) == [])
        #expect(try await find(ReceiptQuery(customer: .phone("+79129999999"))) == [], "an unknown customer has no receipts, not everyone's")
        #expect(try await find(ReceiptQuery(number: "R-3")) == ["R-3"])
        #expect(try await find(ReceiptQuery(payable: 350_00)) == ["R-2"])
        #expect(try await find(ReceiptQuery(from: t0 + day, until: t0 + 3 * day)) == ["R-2", "R-1"])
        #expect(try await find(ReceiptQuery(storeId: f.storeId + 1)) == [])
        // Pages of two, newest first, to the end.
        let first = try await f.store.receiptJournal(merchantId: f.merchantId, ReceiptQuery(limit: 2))
        #expect(first.receipts.map(\.externalId) == ["R-4", "R-3"] && first.receipts[0].card != nil && first.receipts[1].card == nil)
        let second = try await f.store.receiptJournal(merchantId: f.merchantId, ReceiptQuery(before: first.nextBefore.flatMap(parseID), limit: 2))
        #expect(second.receipts.map(\.externalId) == ["R-2", "R-1"])
        let last = try await f.store.receiptJournal(merchantId: f.merchantId, ReceiptQuery(before: second.nextBefore.flatMap(parseID), limit: 2))
        #expect(last.receipts.map(\.externalId) == ["R-0"] && last.nextBefore == nil)

        // An anonymous receipt returned from the journal: the money back, the return listed, the journal marks it.
        let returned = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(ids[1], now: t0 + day + 60))
        let returns = try await f.store.returns(merchantId: f.merchantId, receiptId: parseID(ids[1])!)
        #expect(returns.map(\.refundKopecks) == [200_00] && returns.first?.id == returned.id)
        let marked = try await f.store.receiptJournal(merchantId: f.merchantId, ReceiptQuery(number: "R-1")).receipts.first
        #expect(marked?.returnedInFull == true && marked?.refundedKopecks == 200_00)
    }
}
