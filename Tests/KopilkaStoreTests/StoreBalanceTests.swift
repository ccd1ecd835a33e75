import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// "Points earned in a shop are spent in that shop" (`balancePerStore`), on both databases: the 100 welcome points go
/// anywhere, the 50 earned on the Tverskaya are spent only there, and a return gives spent points back to the
/// receipt's store.
@Suite struct StoreBalanceTests {
    @Test(arguments: TestDatabase.allCases)
    func pointsEarnedInAStoreAreSpentThere(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            rules.balancePerStore = true
            rules.welcomeBonusPoints = 100_00
            rules.maxRedeemShareBp = 10_000
        }
        let t0 = StoreFixture.t0
        let other = try #require(parseID(try await f.store.createStore(merchantId: f.merchantId, name: "Другой", timeZone: "Europe/Moscow", now: t0).id))
        let anna = try await f.customer()
        // 5 % of 1,000 ₽ in the fixture's store.
        _ = try await f.commit(anna, [ReceiptLine(sku: "A", price: 1_000_00)], now: t0 + 1)
        #expect(try await f.balance(anna, at: t0 + 2).spendable == 150_00, "the balance shown is the total")

        func maxRedeemable(in storeId: Int64, at now: UnixSeconds = t0 + 10) async throws -> Points {
            try await f.store.calculateReceipt(
                merchantId: f.merchantId,
                CalculateCommand(storeId: storeId, customer: .id(anna), lines: [ReceiptLine(sku: "B", price: 500_00)], redeem: .max), now: now
            ).calculation.maxRedeemable
        }
        #expect(try await maxRedeemable(in: f.storeId, at: t0 + 2) == 150_00)
        #expect(try await maxRedeemable(in: other, at: t0 + 2) == 100_00, "only the welcome points travel")

        func spend(_ points: Points, in storeId: Int64, now: UnixSeconds) async throws -> StoredResponse {
            try await f.store.commitReceipt(
                merchantId: f.merchantId,
                ReceiptCommand(storeId: storeId, registerId: nil, customer: .id(anna), externalId: UUID().uuidString,
                               lines: [ReceiptLine(sku: "B", price: 500_00)], redeem: .points(points)),
                idempotency: nil, now: now, render: StoreFixture.renderer())
        }
        let refused = try await spend(150_00, in: other, now: t0 + 3)
        #expect(refused.status == 409 && String(decoding: refused.body, as: UTF8.self).contains("insufficientPoints"))
        let paid = try StoreFixture.decode(ReceiptCommitted.self, try await spend(100_00, in: other, now: t0 + 4))
        #expect(paid.calculation.redeemedPoints == 100_00)
        // The other store's 20 points (5 % of the 400 ₽ paid) stay there; the fixture's store still has its 50.
        #expect(try await maxRedeemable(in: f.storeId) == 50_00)
        #expect(try await maxRedeemable(in: other) == 20_00)

        // Returned, the 100 spent come back to the other store (and its 20 are taken back).
        _ = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(paid.receipt.id, now: t0 + 5))
        #expect(try await maxRedeemable(in: other) == 100_00)
        #expect(try await maxRedeemable(in: f.storeId) == 50_00)
        try await f.expectInvariants()
    }
}
