import Foundation
import KopilkaCore
import Testing

/// "+0.5 % of discount for each 25,000 ₽ bought, at most 17.5 %": the levels the formula makes, and the discount a
/// customer gets by what they have bought.
@Suite struct AccumulativeFormulaTests {
    static let json = #"{"tiers": {"windowDays": 0, "keepReachedLevel": true, "formula": {"stepKopecks": 2500000, "stepBp": 50, "maxBp": 1750}}}"#

    static func rules() throws -> ProgramRules { try JSONDecoder().decode(ProgramRules.self, from: Data(json.utf8)) }

    @Test func theFormulaMakesALevelPerStep() throws {
        let rules = try Self.rules()
        #expect(rules.violations() == [])
        let levels = try #require(rules.tiers).tiers
        #expect(levels.count == 36, "0 % and 35 steps of 0.5 % up to 17.5 %")
        #expect(levels[1].threshold == 25_000_00 && levels[1].discountBp == 50)
        #expect(levels.last.map { [$0.threshold, $0.discountBp ?? -1] } == [875_000_00, 1750])
        // Encoded and read again, the program is the same (the levels come from the formula again).
        let again = try JSONDecoder().decode(ProgramRules.self, from: JSONEncoder().encode(rules))
        #expect(again == rules)
    }

    @Test(arguments: [(Int64(24_999_99), Kopecks(0)), (25_000_00, 50_00), (100_000_00, 200_00), (130_000_00, 250_00), (2_000_000_00, 1_750_00)])
    func theDiscountGrowsWithWhatWasBought(spend: Int64, discount: Kopecks) throws {
        let rules = try Self.rules()
        let levels = try #require(rules.tiers)
        let tier = levels.level(for: spend).map { levels.tiers[$0] }
        let result = ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "SOFA", price: 10_000_00)], rules: rules, customer: .init(spendablePoints: 0, tier: tier), redeem: .points(0))
        #expect(result.discount == discount)
    }

    /// "5 % card, +0.5 % for every 25,000 ₽ bought, at most 17.5 %": the formula starts from its base.
    @Test func aFormulaStartsFromItsBase() throws {
        var rules = try Self.rules()
        rules.tiers?.formula = AccumulativeFormula(stepKopecks: 25_000_00, stepBp: 50, maxBp: 1750, baseBp: 500)
        #expect(rules.violations() == [])
        let levels = try #require(rules.tiers).tiers
        #expect(levels.count == 26, "5 % and 25 steps of 0.5 % up to 17.5 %")
        #expect(levels.prefix(2).map { [$0.threshold, $0.discountBp ?? -1] } == [[0, 500], [25_000_00, 550]])
        #expect(levels.last.map { [$0.threshold, $0.discountBp ?? -1] } == [625_000_00, 1750])
        let again = try JSONDecoder().decode(ProgramRules.self, from: JSONEncoder().encode(rules))
        #expect(again == rules)
        rules.tiers?.formula?.baseBp = 1800
        #expect(rules.violations().map(\.field) == ["tiers.formula.baseBp"])
    }

    /// Levels given beside a formula are the ones it makes (as the API shows them), or refused: not silently replaced.
    @Test func levelsBesideAFormulaAreTheOnesItMakes() throws {
        let shown = String(decoding: try JSONEncoder().encode(try Self.rules()), as: UTF8.self)
        #expect(try JSONDecoder().decode(ProgramRules.self, from: Data(shown.utf8)).violations() == [], "what GET shows saves again")
        let json = #"{"tiers": {"formula": {"stepKopecks": 2500000, "stepBp": 50, "maxBp": 1750}, "tiers": [{"name": "Gold", "threshold": 0, "accrualRateBp": 700}]}}"#
        var rules = try JSONDecoder().decode(ProgramRules.self, from: Data(json.utf8))
        #expect(rules.violations().map(\.field) == ["tiers.tiers"])
        rules.forgetUnreadSettings()
        #expect(rules.violations() == [], "a program stored before the refusal reads without them")
        let editing = JSONEncoder()
        editing.userInfo[TierRules.forEditing] = true
        let edited = String(decoding: try editing.encode(rules), as: UTF8.self)
        #expect(!edited.contains("accrualRateBp\":700") && !edited.contains("\"tiers\":["), "the editor shows the formula, not its levels: \(edited)")
        #expect(try JSONDecoder().decode(ProgramRules.self, from: Data(edited.utf8)) == rules)
    }

    /// A table of levels as long as the merchant needs: 100 levels, not 101.
    @Test func aHundredLevels() throws {
        var rules = ProgramRules()
        rules.tiers = TierRules(tiers: (0..<100).map { Tier(name: "L\($0)", threshold: Int64($0) * 1_000_00, accrualRateBp: 100 + Int64($0)) })
        #expect(rules.violations() == [])
        rules.tiers?.tiers.append(Tier(name: "L100", threshold: 100_000_00, accrualRateBp: 300))
        #expect(rules.violations().map(\.field) == ["tiers.tiers"])
    }

    /// Levels are made while the rules are read, before they are checked: a formula out of range (the fuzzer sent
    /// `maxBp: -1`, which trapped on a backwards range) makes none, and is refused.
    @Test(arguments: [
        (Int64(1), Int64(1), Int64(-1), Int64(0)), (.max, 50, 1750, 0), (1, .max / 500, .max, 0), (1, 1, 100, 200), (1, 0, 100, 0),
    ])
    func aFormulaOutOfRangeMakesNoLevels(stepKopecks: Int64, stepBp: Int64, maxBp: Int64, baseBp: Int64) throws {
        let json = #"{"tiers": {"formula": {"stepKopecks": \#(stepKopecks), "stepBp": \#(stepBp), "maxBp": \#(maxBp), "baseBp": \#(baseBp)}}}"#
        let rules = try JSONDecoder().decode(ProgramRules.self, from: Data(json.utf8))
        #expect(rules.tiers?.tiers == [])
        #expect(!rules.violations().isEmpty)
    }

    @Test func monthsWithoutAPurchaseOutOfRangeAreRefused() {
        var rules = ProgramRules()
        rules.expiry = .inactivity
        rules.expiryPeriods = .max
        #expect(rules.violations().map(\.field) == ["expiryPeriods"])
    }

    @Test func aFormulaOutOfRangeIsRefused() throws {
        var rules = try Self.rules()
        rules.tiers?.formula = AccumulativeFormula(stepKopecks: 0, stepBp: 50, maxBp: 1750)
        #expect(rules.violations().map(\.field) == ["tiers.formula.stepKopecks"])
    }
}
