import Foundation
import KopilkaCore
import Testing

/// When a discount for the order's size and the accumulative level discount both apply, the merchant chooses which
/// wins: the sum (one after the other, `sequential`), the larger (`bestForCustomer`), or the order's own (the order
/// discount as a promotion, with no card discount on the lines it lowered). The wholesale supplier of the catalogue: a
/// wholesale buyer whose last quarter made them "Партнёр" (3 %) orders 120,000 ₽, over the 100,000 ₽ step (7 %).
@Suite struct LevelChoiceTests {
    static func supplier() throws -> ProgramRules {
        try ProgramCatalogueTests.program("wholesale-supplier")
    }

    static func discount(_ rules: ProgramRules, order: Kopecks) -> Kopecks {
        #expect(rules.violations() == [], "the test's program is valid")
        let partner = rules.tiers!.tiers[1]
        return ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "DRILL", category: "tools", price: order)], rules: rules,
            customer: .init(spendablePoints: 0, tier: partner, groups: ["wholesale"]), redeem: .points(0)
        ).discount
    }

    @Test func theSumTakesTheLevelsDiscountOnWhatTheOrderStepLeft() throws {
        // 7 % of 120,000 = 8,400; 3 % of the 111,600 left = 3,348.
        #expect(Self.discount(try Self.supplier(), order: 120_000_00) == 11_748_00)
    }

    @Test func theLargerGivesTheOrderStepAlone() throws {
        var rules = try Self.supplier()
        rules.stacking.mode = .bestForCustomer
        #expect(Self.discount(rules, order: 120_000_00) == 8_400_00)
        #expect(Self.discount(rules, order: 50_000_00) == 1_500_00, "below the step the level's 3 % is the larger")
    }

    @Test func theOrdersOwnDiscountWhenItAppliesTheLevelsOtherwise() throws {
        var rules = try Self.supplier()
        rules.wholesale?.steps.removeLast()
        var order = Promotion(id: "order-7", name: "Заказ от 100 000 ₽ −7 %", reward: .percentOff(700))
        (order.groups, order.minAmountKopecks) = (["wholesale"], 100_000_00)
        rules.promotions = [order]
        rules.stacking.cardDiscountOnPromotedLines = false
        #expect(Self.discount(rules, order: 120_000_00) == 8_400_00)
        #expect(Self.discount(rules, order: 50_000_00) == 1_500_00)
    }
}
