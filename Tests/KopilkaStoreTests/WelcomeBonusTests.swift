import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// "100 welcome points for the next purchase, valid 14 days": what the next purchase does not spend of them burns,
/// and unused they expire with their own lifetime; on both databases.
@Suite struct WelcomeBonusTests {
    @Test(arguments: TestDatabase.allCases)
    func theWelcomeBonusPaysOnlyForTheNextPurchase(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0, day: Int64 = 86_400
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 100_00
        rules.welcomeBonusLifetimeDays = 14
        rules.welcomeBonusNextOrderOnly = true
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: t0 - 60)

        // Never buys: the 100 points live 14 days.
        let absent = try await f.customer(phone: "+79120000001", now: t0)
        #expect(try await f.balance(absent, at: t0 + 14 * day - 1).spendable == 100_00)
        #expect(try await f.balance(absent, at: t0 + 14 * day).spendable == 0)

        // Spends 50 on a 200 ₽ coffee: the other 50 burn; 5 % of the 150 ₽ paid is theirs.
        let spender = try await f.customer(phone: "+79120000002", now: t0)
        let spent = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(spender, redeem: .points(50_00), now: t0 + day))
        #expect(try await f.balance(spender, at: t0 + day).spendable == 7_50)
        // The till's answer lists the burn with the purchase, so it can print it.
        #expect(spent.entries.map(\.kind) == [.redemption, .accrual, .expiry] && spent.entries.last?.amount == -50_00, "\(spent.entries)")

        // Buys without spending: all 100 burn; the 10 points earned stay.
        let saver = try await f.customer(phone: "+79120000003", now: t0)
        _ = try await f.commit(saver, now: t0 + day)
        #expect(try await f.balance(saver, at: t0 + day).spendable == 10_00)
        let ledger = try await f.store.ledger(merchantId: f.merchantId, customerId: saver, before: nil, limit: 10)
        #expect(ledger?.entries.contains { $0.kind == .expiry && $0.amount == -100_00 } == true, "the burn is in the ledger")
    }
}
