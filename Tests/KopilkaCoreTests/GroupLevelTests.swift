import Foundation
import KopilkaCore
import Testing

/// Levels for one product group: "a discount on paint by the paint bought this quarter: −5 % from 30,000 ₽, −10 % from
/// 100,000 ₽; 2 % back on everything". The level's discount lowers the paint lines only; what the level counts is the
/// store's part (`GroupLevelStoreTests`).
@Suite struct GroupLevelTests {
    static func paintLevels() -> TierRules {
        var levels = TierRules(basis: .spend, windowDays: 0, tiers: [
            Tier(name: "Без скидки", threshold: 0, accrualRateBp: 200),
            Tier(name: "Краски −5 %", threshold: 30_000_00, accrualRateBp: 200, discountBp: 500),
            Tier(name: "Краски −10 %", threshold: 100_000_00, accrualRateBp: 200, discountBp: 1000),
        ])
        levels.period = .quarter
        levels.itemCategories = ["paint"]
        levels.discountLines = LineScope(categories: ["paint"])
        return levels
    }

    static let paint = ReceiptLine(sku: "PAINT", category: "paint", quantity: 2000, price: 2_500_00)
    static let brush = ReceiptLine(sku: "BRUSH", category: "tools", quantity: 1000, price: 1_000_00)
    static let fixedPaint = ReceiptLine(sku: "PAINT-SALE", category: "paint", quantity: 1000, price: 800_00, flags: [.noDiscount])

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let level: Int
        var programDiscountBp: BasisPoints = 0
        let lines: [ReceiptLine]
        /// Each line's discount, in kopecks.
        let discounts: [Kopecks]
        let earned: Points
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no level discount: 2 % of 6,000 ₽", level: 0, lines: [paint, brush], discounts: [0, 0], earned: 120_00),
        Case(name: "−5 %: 250 ₽ off 5,000 ₽ of paint, none off the brush; 2 % of 5,750 ₽", level: 1, lines: [paint, brush],
             discounts: [250_00, 0], earned: 115_00),
        Case(name: "−10 %: 500 ₽ off the paint; 2 % of 5,500 ₽", level: 2, lines: [paint, brush], discounts: [500_00, 0],
             earned: 110_00),
        Case(name: "−10 %: a fixed-price can keeps its price", level: 2, lines: [paint, fixedPaint], discounts: [500_00, 0],
             earned: 106_00),
        Case(name: "brushes alone: nothing off, 2 % of 1,000 ₽", level: 2, lines: [brush], discounts: [0], earned: 20_00),
        // A level without a discount of its own keeps the program's, which is for every line.
        Case(name: "the program's 3 % on the first level covers the brush too", level: 0, programDiscountBp: 300, lines: [paint, brush],
             discounts: [150_00, 30_00], earned: 116_40),
        Case(name: "the level's 5 % replaces the program's 3 %, on paint only", level: 1, programDiscountBp: 300, lines: [paint, brush],
             discounts: [250_00, 0], earned: 115_00),
    ]

    @Test(arguments: cases)
    func theLevelsDiscountLowersItsGroupOnly(_ c: Case) {
        var rules = ProgramRules()
        rules.tiers = Self.paintLevels()
        rules.discountBp = c.programDiscountBp
        #expect(rules.violations() == [])
        let result = ReceiptCalculator.calculate(
            lines: c.lines, rules: rules, customer: .init(spendablePoints: 0, tier: rules.tiers!.tiers[c.level]), redeem: .points(0))
        #expect(result.lines.map(\.discount) == c.discounts)
        #expect(result.earnedPoints == c.earned)
        let outside = result.explanation.filter { $0.code == "discount_outside_level" }.compactMap(\.line)
        let expected = c.level > 0 ? c.lines.indices.filter { c.lines[$0].category != "paint" }.map { $0 + 1 } : []
        #expect(outside == expected)
    }

    @Test func badGroupsAreRefusedByField() {
        func fields(_ change: (inout TierRules) -> Void) -> [String] {
            var rules = ProgramRules()
            var levels = Self.paintLevels()
            change(&levels)
            rules.tiers = levels
            return rules.violations().map(\.field)
        }
        #expect(fields { _ in } == [])
        #expect(fields { $0.basis = .purchases } == ["tiers.itemCategories"], "purchases count whole receipts")
        #expect(fields { $0.itemCategories = [String(repeating: "к", count: 101)] } == ["tiers.itemCategories"])
        #expect(fields { $0.discountLines = LineScope() } == ["tiers.discountLines"], "an empty scope names no line")
    }

    @Test func theGroupRoundTripsThroughJSON() throws {
        let json = Data("""
            {"basis": "spend", "period": "quarter", "itemCategories": ["paint"], "discountLines": {"categories": ["paint"]},
             "tiers": [{"name": "A", "threshold": 0, "accrualRateBp": 200}]}
            """.utf8)
        let levels = try JSONDecoder().decode(TierRules.self, from: json)
        #expect(levels.discountLines == LineScope(categories: ["paint"]))
        #expect(try JSONDecoder().decode(TierRules.self, from: JSONEncoder().encode(levels)) == levels)
    }
}
