import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

@Suite struct TierStoreTests {
    static func tiers(keep: Bool = false, windowDays: Int = 30) -> TierRules {
        TierRules(windowDays: windowDays, keepReachedLevel: keep, tiers: [
            Tier(name: "Base", threshold: 0, accrualRateBp: 300),
            Tier(name: "Silver", threshold: 1_000_00, accrualRateBp: 500),
        ])
    }

    static let thousand = [ReceiptLine(sku: "BIG", quantity: 1000, price: 1_000_00)]

    @Test(arguments: TestDatabase.allCases) func crossingAThresholdRaisesTheRateFromTheNextReceipt(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.tiers = Self.tiers() }
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

    @Test(arguments: TestDatabase.allCases, [false, true])
    func aReturnLowersQualifyingSpendUnlessTheLevelIsKept(_ database: TestDatabase, keep: Bool) async throws {
        let f = try await StoreFixture(database) { $0.tiers = Self.tiers(keep: keep) }
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

    @Test(arguments: TestDatabase.allCases) func purchasesLeaveTheRollingWindow(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.tiers = Self.tiers(windowDays: 30) }
        let anna = try await f.customer()
        _ = try await f.commit(anna, Self.thousand)
        let day = StoreFixture.day
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: StoreFixture.t0 + 30 * day - 1)?.tier?.tier == "Silver")
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: StoreFixture.t0 + 30 * day)?.tier?.tier == "Base")
    }

    @Test(arguments: TestDatabase.allCases) func aCalendarLevelHoldsThroughTheNextMonthAndFallsWhenItEnds(_ database: TestDatabase) async throws {
        // Monthly periods in Moscow (UTC+3): 1,000 ₽ in January gives Silver for January and February.
        let f = try await StoreFixture(database) { rules in
            rules.tiers = Self.tiers()
            rules.tiers?.period = .month
        }
        let anna = try await f.customer()
        func level(_ now: UnixSeconds) async throws -> String? {
            try await f.store.customer(merchantId: f.merchantId, .id(anna), now: now)?.tier?.tier
        }
        _ = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, Self.thousand))
        #expect(try await level(StoreFixture.t0 + 1) == "Silver", "upgrade at once")
        let lastSecondOfFebruary = StoreFixture.t0 + 58 * StoreFixture.day + 21 * 3600 - 1  // 28 Feb 23:59:59 in Moscow
        #expect(try await level(lastSecondOfFebruary) == "Silver", "held through the next period")
        #expect(try await level(lastSecondOfFebruary + 1) == "Base", "re-evaluated at the end of February: nothing bought in it")
        let march = try #require(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: lastSecondOfFebruary + 1)?.tier)
        #expect(march.qualifying == 0 && march.toNextTier == 1_000_00)
        // A January purchase at 23:30 Moscow on 31 January still counts for January.
        let f2 = try await StoreFixture(database) { rules in
            rules.tiers = Self.tiers()
            rules.tiers?.period = .month
        }
        let boris = try await f2.customer(phone: "+79120000002")
        let lateJanuary = StoreFixture.t0 + 30 * StoreFixture.day + 20 * 3600 + 30 * 60  // 31 Jan 20:30 UTC = 23:30 Moscow
        _ = try StoreFixture.decode(ReceiptCommitted.self, try await f2.commit(boris, Self.thousand, now: lateJanuary))
        let endOfFebruary = try await f2.store.customer(merchantId: f2.merchantId, .id(boris), now: lastSecondOfFebruary)?.tier
        #expect(endOfFebruary?.tier == "Silver" && endOfFebruary?.qualifying == 0, "January's spend holds February")
    }

    @Test(arguments: TestDatabase.allCases) func theBestOfTheLastThreeMonthsSetsTheLevel(_ database: TestDatabase) async throws {
        // 1,100 ₽ in January, 300 ₽ in February (Moscow): Silver through March, Base from 1 April.
        let f = try await StoreFixture(database) { rules in
            rules.tiers = Self.tiers()
            rules.tiers?.period = .bestMonth
        }
        let anna = try await f.customer()
        let day = StoreFixture.day, t0 = StoreFixture.t0
        func standing(_ now: UnixSeconds) async throws -> TierStanding? {
            try await f.store.customer(merchantId: f.merchantId, .id(anna), now: now)?.tier
        }
        _ = try await f.commit(anna, [ReceiptLine(sku: "A", price: 600_00)], now: t0 + 9 * day + 12 * 3600)
        #expect(try await standing(t0 + 10 * day)?.tier == "Base")
        _ = try await f.commit(anna, [ReceiptLine(sku: "A", price: 500_00)], now: t0 + 19 * day + 12 * 3600)
        #expect(try await standing(t0 + 20 * day)?.tier == "Silver")
        _ = try await f.commit(anna, [ReceiptLine(sku: "A", price: 300_00)], now: t0 + 40 * day)
        let lastSecondOfMarch = t0 + 89 * day + 21 * 3600 - 1  // 31 Mar 23:59:59 in Moscow
        let march = try await standing(lastSecondOfMarch)
        #expect(march?.tier == "Silver" && march?.qualifying == 1_100_00, "January is the best of January–March")
        let april = try await standing(lastSecondOfMarch + 1)
        #expect(april?.tier == "Base" && april?.qualifying == 300_00, "February is the best of February–April")
    }
}
