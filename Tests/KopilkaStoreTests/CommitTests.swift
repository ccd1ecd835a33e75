import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

@Suite struct CommitTests {
    @Test(arguments: TestDatabase.allCases) func earnedPointsArePendingUntilActivation(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.activationDelayDays = 14 }
        let anna = try await f.customer()
        let committed = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna))
        #expect(committed.calculation.earnedPoints == 10_00)
        #expect(committed.entries.map(\.kind) == [.accrual])
        #expect(committed.entries[0].activatesAt == Instant(StoreFixture.t0 + 14 * StoreFixture.day))
        #expect(try await f.balance(anna) == BalanceSnapshot(spendable: 0, pending: 10_00, debt: 0))
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 14 * StoreFixture.day) == BalanceSnapshot(spendable: 10_00, pending: 0, debt: 0))
        let report = try await f.store.runMaintenance(now: StoreFixture.t0 + 14 * StoreFixture.day)
        #expect(report.activatedLots == 1)
        #expect(try await f.store.runMaintenance(now: StoreFixture.t0 + 14 * StoreFixture.day).activatedLots == 0, "activation is idempotent")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func spendingTakesTheSoonestExpiringLotsFirst(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) {
            $0.welcomeBonusPoints = 50_00
            $0.lifetimeDays = 30
            $0.maxRedeemShareBp = 10_000
        }
        let anna = try await f.customer()  // welcome lot: 50 points, expires day 30
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: { var r = ProgramRules(); r.lifetimeDays = 365; r.maxRedeemShareBp = 10_000; return r }(), expectedVersion: nil, now: StoreFixture.t0)
        // A 1,000 ₽ receipt earns 50 points expiring on day 366.
        _ = try await f.commit(anna, [ReceiptLine(sku: "BIG", quantity: 1000, price: 1_000_00)], now: StoreFixture.t0 + 1)
        let spent = try StoreFixture.decode(
            ReceiptCommitted.self, try await f.commit(anna, redeem: .points(70_00), now: StoreFixture.t0 + 2))
        let ledger = try await f.store.ledger(merchantId: f.merchantId, customerId: anna, before: nil, limit: 10)!
        #expect(spent.entries.first?.kind == .redemption)
        #expect(spent.entries.first?.amount == -70_00)
        // The welcome lot (sooner to expire) was emptied first: 20 points remain, all in the year-long lot.
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 31 * StoreFixture.day).spendable == 30_00 + 6_50)
        #expect(ledger.entries.map(\.kind) == [.accrual, .redemption, .accrual, .welcome])
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func fiftyConcurrentRedemptionsNeverOverdraw(_ database: TestDatabase) async throws {
        let seed = UInt64.random(in: 0..<1_000_000)
        print("fiftyConcurrentRedemptionsNeverOverdraw seed \(seed)")
        let f = try await StoreFixture(database) {
            $0.welcomeBonusPoints = 1_000_00
            $0.accrualRateBp = 0
        }
        let anna = try await f.customer()
        let lines = [ReceiptLine(sku: "BIG", quantity: 1000, price: 1_000_00)]
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<50 {
                group.addTask { try await f.commit(anna, lines, redeem: .points(100_00), externalId: "R\(seed)-\(index)").status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 10)
        #expect(statuses.filter { $0 == 409 }.count == 40)
        #expect(try await f.balance(anna) == BalanceSnapshot(spendable: 0, pending: 0, debt: 0))
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func anIdempotencyKeyHasOneEffect(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let anna = try await f.customer()
        let key = IdempotencyKey(key: "k-1", requestHash: [1, 2, 3])
        let first = try await f.commit(anna, externalId: "A-1", key: key)
        let replays = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for _ in 0..<20 { group.addTask { try await f.commit(anna, externalId: "A-1", key: key) } }
            return try await group.reduce(into: [StoredResponse]()) { $0.append($1) }
        }
        #expect(!first.replayed)
        #expect(replays.allSatisfy { $0.replayed && $0.body == first.body && $0.status == first.status })
        #expect(try await f.balance(anna).spendable == 10_00)
        let other = try await f.commit(anna, externalId: "A-2", key: IdempotencyKey(key: "k-1", requestHash: [9]))
        #expect(String(decoding: other.body, as: UTF8.self) == "idempotencyKeyReused")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func aReceiptIsRegisteredOnce(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let anna = try await f.customer()
        _ = try await f.commit(anna, externalId: "FN-77", key: IdempotencyKey(key: "a", requestHash: [1]))
        let again = try await f.commit(anna, externalId: "FN-77", key: IdempotencyKey(key: "b", requestHash: [1]))
        #expect(String(decoding: again.body, as: UTF8.self).hasPrefix("receiptAlreadyRegistered"))
        #expect(try await f.balance(anna).spendable == 10_00, "no double accrual")
    }

    @Test(arguments: TestDatabase.allCases) func commitRefusesToSpendMoreThanAllowed(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 1_000_00 }
        let anna = try await f.customer()
        let overLimit = try await f.commit(anna, redeem: .points(61_00))  // 30 % of 200 ₽ is 60
        #expect(String(decoding: overLimit.body, as: UTF8.self).hasPrefix("redemptionLimitExceeded"))
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: ProgramRules(), expectedVersion: nil, now: StoreFixture.t0)
        let poor = try await f.customer(phone: "+79120000002")
        let broke = try await f.commit(poor, redeem: .points(10_00))
        #expect(String(decoding: broke.body, as: UTF8.self).hasPrefix("insufficientPoints"))
        try await f.expectInvariants()
    }
}
