import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Levels by a product group: by cups ("from your 10th coffee, 10 % back") or by what the group cost ("−5 % on paint
/// from 30,000 ₽ of paint this quarter"). Only the counted categories count, returns taken off; on both databases.
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

    @Test(arguments: TestDatabase.allCases)
    func paintBoughtThisQuarterGivesADiscountOnPaint(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var levels = TierRules(basis: .spend, windowDays: 0, tiers: [
                Tier(name: "Без скидки", threshold: 0, accrualRateBp: 200),
                Tier(name: "Краски −5 %", threshold: 30_000_00, accrualRateBp: 200, discountBp: 500),
            ])
            levels.period = .quarter
            levels.itemCategories = ["paint"]
            levels.discountLines = LineScope(categories: ["paint"])
            rules.tiers = levels
        }
        let t0 = StoreFixture.t0  // 2026-01-01 03:00 in Moscow: the first quarter
        let customer = try await f.customer()
        func paint(_ kilograms: Int64, at price: Kopecks) -> ReceiptLine {
            ReceiptLine(sku: "PAINT", name: "Краска, кг", category: "paint", quantity: kilograms * 1000, price: price)
        }
        let brush = ReceiptLine(sku: "BRUSH", name: "Кисть", category: "tools", quantity: 1000, price: 1_000_00)
        let drill = ReceiptLine(sku: "DRILL", name: "Дрель", category: "tools", quantity: 1000, price: 50_000_00)
        func commit(_ lines: [ReceiptLine], at now: UnixSeconds) async throws -> ReceiptCommitted {
            try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(customer, lines, now: now))
        }
        func standing(at now: UnixSeconds) async throws -> TierStanding? {
            try await f.store.customer(merchantId: f.merchantId, .id(customer), now: now)?.tier
        }
        // 3 kg of paint for 12,000 ₽ and a 50,000 ₽ drill: only the paint counts.
        let first = try await commit([paint(3, at: 4_000_00), drill], at: t0)
        #expect(first.calculation.discount == 0)
        #expect(try await standing(at: t0 + 1)?.qualifying == 12_000_00)
        // 7 kg of paint at 2,571.43 ₽: 30,000.01 ₽ of paint, the −5 % level from the next receipt.
        let second = try await commit([paint(7, at: 2_571_43)], at: t0 + 60)
        #expect(second.calculation.discount == 0)
        #expect(try await standing(at: t0 + 61)?.tier == "Краски −5 %")
        // −5 % of 2,000 ₽ of paint; the brush is not paint.
        let third = try await commit([paint(1, at: 2_000_00), brush], at: t0 + 120)
        #expect(third.calculation.lines.map(\.discount) == [100_00, 0])
        // 1.5 kg back: 18,000.01 × 1.5/7 = 3,857.145 rounded down to 3,857.14 ₽ refunded, and 28,042.87 ₽ of paint left
        // (12,000 + 14,142.87 + 1,900): below 30,000 again.
        let made = try StoreFixture.decode(
            ReturnMade.self, try await f.returnLines(second.receipt.id, [.init(line: 1, quantity: 1500)], now: t0 + 180))
        #expect(made.refundKopecks == 3_857_14)
        let after = try await standing(at: t0 + 181)
        #expect(after?.qualifying == 28_042_87)
        #expect(after?.tier == "Без скидки")
        try await f.expectInvariants()
    }
}
