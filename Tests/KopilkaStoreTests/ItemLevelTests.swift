import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Levels by cups: "from your 10th coffee, 10 % back". Only the counted categories count, whole items, returns taken
/// off; on both databases.
@Suite struct ItemLevelTests {
    @Test(arguments: TestDatabase.allCases)
    func theTenthCupRaisesTheRate(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        var rules = ProgramRules()
        var levels = TierRules(basis: .items, windowDays: 0, tiers: [
            Tier(name: "Гость", threshold: 0, accrualRateBp: 300), Tier(name: "Свой", threshold: 10, accrualRateBp: 1000),
        ])
        levels.itemCategories = ["coffee"]
        rules.tiers = levels
        #expect(rules.violations() == [])
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: t0 - 60)
        let customer = try await f.customer()
        let cup = ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 1000, price: 200_00)
        let cake = ReceiptLine(sku: "CAKE", name: "Торт", category: "desserts", quantity: 5000, price: 100_00)

        func earned(_ lines: [ReceiptLine], at now: UnixSeconds) async throws -> (Points, String) {
            let committed = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(customer, lines, now: now))
            return (committed.receipt.earnedPoints, committed.receipt.id)
        }
        // Nine cups and five cakes: still a guest (3 % of 200 ₽ = 6 points on the next cup).
        var nine = cup
        nine.quantity = 9000
        _ = try await earned([nine, cake], at: t0)
        let (guest, tenth) = try await earned([cup], at: t0 + 60)
        #expect(guest == 6_00)
        // That was the tenth cup: the next earns 10 %.
        let (regular, eleventh) = try await earned([cup], at: t0 + 120)
        #expect(regular == 20_00)
        // Both cups returned: back to nine, and to 3 %.
        for receipt in [tenth, eleventh] {
            _ = try await f.store.returnLines(
                merchantId: f.merchantId, ReturnCommand(receiptId: parseID(receipt)!, storeId: nil, lines: nil), idempotency: nil, now: t0 + 180,
                render: StoreFixture.renderer())
        }
        #expect(try await earned([cup], at: t0 + 300).0 == 6_00)
    }
}
