import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// The store gives the engine the customer's previous purchase and today's receipts (in the store's local day) when
/// the program has rules that need them, on both databases.
@Suite struct CustomerFactsTests {
    @Test(arguments: TestDatabase.allCases)
    func dailyLimitsAndRecencyCountTheCustomersReceipts(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0, day: Int64 = 86_400
        var rules = ProgramRules()
        rules.maxAccrualsPerDay = 2
        var comeBack = Promotion(id: "back", name: "Вернитесь за неделю", reward: .percentOff(1000))
        comeBack.recencyDays = 7
        rules.promotions = [comeBack]
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: t0 - 60)
        let customer = try await f.customer()

        func receipt(at now: UnixSeconds) async throws -> ReceiptCommitted {
            try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(customer, now: now))
        }
        // The first purchase has no previous one: no recency discount; 5 % of 200 ₽.
        let first = try await receipt(at: t0)
        #expect(first.receipt.discount == 0 && first.receipt.earnedPoints == 10_00)
        // The same day: 10 % off for coming back, 5 % of 180 ₽; the third receipt of the day earns nothing.
        let second = try await receipt(at: t0 + 3600)
        #expect(second.receipt.discount == 20_00 && second.receipt.earnedPoints == 9_00)
        let third = try await receipt(at: t0 + 7200)
        #expect(third.receipt.earnedPoints == 0)
        // The next day counts afresh; eight days after that the customer is no longer "coming back".
        let nextDay = try await receipt(at: t0 + day)
        #expect(nextDay.receipt.earnedPoints == 9_00)
        let late = try await receipt(at: t0 + 9 * day)
        #expect(late.receipt.discount == 0 && late.receipt.earnedPoints == 10_00)
    }
}
