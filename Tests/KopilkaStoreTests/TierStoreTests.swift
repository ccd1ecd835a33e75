import Foundation
import KopilkaCore
import KopilkaStore
import Testing

@Suite struct TierStoreTests {
    static func tiers(keep: Bool = false, windowDays: Int = 30) -> TierRules {
        TierRules(windowDays: windowDays, keepReachedLevel: keep, tiers: [
            Tier(name: "Base", threshold: 0, accrualRateBp: 300),
            Tier(name: "Silver", threshold: 1_000_00, accrualRateBp: 500),
        ])
    }

    static let thousand = [ReceiptLine(sku: "BIG", quantity: 1000, price: 1_000_00)]

    @Test func crossingAThresholdRaisesTheRateFromTheNextReceipt() async throws {
        let f = try await StoreFixture { $0.tiers = Self.tiers() }
        let anna = try await f.customer()
        let first = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, Self.thousand))
        #expect(first.calculation.earnedPoints == 30_00, "3 % on the base level")
        let second = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, Self.thousand, now: StoreFixture.t0 + 1))
        #expect(second.calculation.earnedPoints == 50_00, "5 % once 1,000 ₽ qualifies")
        let summary = try #require(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: StoreFixture.t0 + 2))
        #expect(summary.tier?.tier == "Silver")
        #expect(summary.tier?.qualifying == 2_000_00)
        try await f.expectInvariants()
    }

    @Test(arguments: [false, true])
    func aReturnLowersQualifyingSpendUnlessTheLevelIsKept(keep: Bool) async throws {
        let f = try await StoreFixture { $0.tiers = Self.tiers(keep: keep) }
        let anna = try await f.customer()
        let sale = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, Self.thousand))
        _ = try await f.store.returnLines(
            merchantId: f.merchantId, ReturnCommand(receiptId: parseID(sale.receipt.id)!, storeId: nil, lines: nil), idempotency: nil,
            now: StoreFixture.t0 + 1, render: StoreFixture.renderer() as ResponseRenderer<ReturnMade>)
        let summary = try #require(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: StoreFixture.t0 + 2))
        #expect(summary.tier?.qualifying == 0)
        #expect(summary.tier?.tier == (keep ? "Silver" : "Base"))
        try await f.expectInvariants()
    }

    @Test func purchasesLeaveTheRollingWindow() async throws {
        let f = try await StoreFixture { $0.tiers = Self.tiers(windowDays: 30) }
        let anna = try await f.customer()
        _ = try await f.commit(anna, Self.thousand)
        let day = StoreFixture.day
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: StoreFixture.t0 + 30 * day - 1)?.tier?.tier == "Silver")
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: StoreFixture.t0 + 30 * day)?.tier?.tier == "Base")
    }
}
