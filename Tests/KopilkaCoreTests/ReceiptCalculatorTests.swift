import KopilkaCore
import Testing

@Suite struct ReceiptCalculatorTests {
    static let coffee = ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 1000, price: 200_00)
    static let milk = ReceiptLine(sku: "MILK", name: "Молоко", category: "dairy", quantity: 2000, price: 50_00)
    static let tobacco = ReceiptLine(sku: "CIG", name: "Сигареты", category: "tobacco", quantity: 1000, price: 200_00, flags: [.noDiscount])

    func calc(_ lines: [ReceiptLine], _ rules: ProgramRules = .init(), spendable: Points? = 0, redeem: RedeemRequest = .points(0)) -> ReceiptCalculation {
        ReceiptCalculator.calculate(lines: lines, rules: rules, customer: spendable.map { .init(spendablePoints: $0) }, redeem: redeem)
    }

    @Test func earnsTheRateOfThePaidAmount() {
        let result = calc([Self.coffee, Self.milk])  // 300 ₽ at 5 %
        #expect(result.amount == 300_00)
        #expect(result.earnedPoints == 15_00)
        #expect(result.lines.map(\.earnedPoints) == [10_00, 5_00])
        #expect(result.payable == 300_00)
    }

    @Test(arguments: [
        (RoundingMode.down, Int64(1), Int64(61)),  // 1234 kopecks × 5 % = 61.7 hundredths
        (.halfUp, 1, 62),
        (.up, 1, 62),
        (.down, 100, 0),  // whole points: 0.617 of a point
        (.halfUp, 100, 100),
        (.up, 100, 100),
    ])
    func accrualRounding(mode: RoundingMode, step: Points, expected: Points) {
        var rules = ProgramRules()
        rules.accrualRounding = mode
        rules.pointsStep = step
        let result = calc([ReceiptLine(sku: "X", quantity: 1000, price: 12_34)], rules)
        #expect(result.earnedPoints == expected)
        #expect(result.lines.map(\.earnedPoints).reduce(0, +) == expected)
    }

    @Test(arguments: [
        // (requested, spendable, expected redeemed, reason code)
        (RedeemRequest.max, Int64(1_000_00), Int64(90_00), "redemption_capped_share"),  // 30 % of 300 ₽
        (.points(50_00), 1_000_00, 50_00, nil),
        (.points(500_00), 1_000_00, 90_00, "redemption_capped_share"),
        (.max, 20_00, 20_00, "redemption_capped_balance"),
        (.max, 0, 0, nil),
    ] as [(RedeemRequest, Points, Points, String?)])
    func redemptionIsCapped(redeem: RedeemRequest, spendable: Points, expected: Points, reason: String?) {
        let result = calc([Self.coffee, Self.milk], spendable: spendable, redeem: redeem)
        #expect(result.redeemedPoints == expected)
        #expect(result.redeemedKopecks == expected)
        #expect(result.payable == 300_00 - expected)
        if let reason { #expect(result.explanation.contains { $0.code == reason }) }
        #expect(result.lines.map(\.redeemedKopecks).reduce(0, +) == expected)
        #expect(result.lines.allSatisfy { $0.payable >= 0 })
    }

    @Test func minimumLeftToPayCaps() {
        var rules = ProgramRules()
        rules.maxRedeemShareBp = 10_000
        rules.minPayableKopecks = 10_00
        let result = calc([Self.coffee], rules, spendable: 1_000_00, redeem: .max)
        #expect(result.redeemedKopecks == 190_00)
        #expect(result.payable == 10_00)
        #expect(result.explanation.contains { $0.code == "redemption_capped_min_payable" })
    }

    @Test func flagsAndExcludedCategories() {
        var rules = ProgramRules()
        rules.maxRedeemShareBp = 10_000
        rules.minPayableKopecks = 0
        rules.accrualExcludedCategories = ["dairy"]
        rules.redemptionExcludedCategories = ["coffee"]
        var noAccrual = Self.coffee
        noAccrual.sku = "CAP2"
        noAccrual.flags = [.noAccrual]
        let result = calc([Self.coffee, Self.milk, Self.tobacco, noAccrual], rules, spendable: 10_000_00, redeem: .max)
        // Only milk may be paid with points: coffee's category is excluded, tobacco's price is fixed, the 4th is coffee too.
        #expect(result.lines.map(\.redeemedKopecks) == [0, 100_00, 0, 0])
        // Milk's category earns nothing; the noAccrual line earns nothing; tobacco earns (it is only noDiscount).
        #expect(result.lines.map(\.earnedPoints) == [10_00, 0, 10_00, 0])
        let codes = result.explanation.map { "\($0.line ?? 0):\($0.code)" }
        #expect(codes.contains("1:redemption_excluded_category"))
        #expect(codes.contains("2:accrual_excluded_category"))
        #expect(codes.contains("3:redemption_excluded_flag"))
        #expect(codes.contains("4:accrual_excluded_flag"))
        #expect(result.explanation.contains { $0.code == "accrual_excluded_category" && $0.values == [.text("dairy")] })
    }

    @Test(arguments: [false, true])
    func accrualOnTheRedeemedPart(accrueOnRedeemed: Bool) {
        var rules = ProgramRules()
        rules.accrueOnRedeemedPart = accrueOnRedeemed
        let result = calc([Self.coffee], rules, spendable: 1_000_00, redeem: .points(60_00))
        #expect(result.redeemedKopecks == 60_00)
        // 5 % of 200 ₽, or of the 140 ₽ paid in money.
        #expect(result.earnedPoints == (accrueOnRedeemed ? 10_00 : 7_00))
    }

    @Test func pointValueOtherThanOneRuble() {
        var rules = ProgramRules()
        rules.pointValueKopecks = 50  // 1 point = 0.50 ₽
        let result = calc([Self.coffee, Self.milk], rules, spendable: 1_000_00, redeem: .max)
        // 30 % of 300 ₽ = 90 ₽ = 180 points; accrual 5 % of 210 ₽ = 10.50 ₽ worth = 21 points.
        #expect(result.redeemedKopecks == 90_00)
        #expect(result.redeemedPoints == 180_00)
        #expect(result.earnedPoints == 21_00)
    }

    @Test func anonymousReceiptsNeitherEarnNorSpend() {
        let result = calc([Self.coffee], spendable: nil, redeem: .points(10_00))
        #expect(result.earnedPoints == 0)
        #expect(result.redeemedPoints == 0)
        #expect(result.explanation.contains { $0.code == "accrual_needs_customer" })
        #expect(result.explanation.contains { $0.code == "redemption_needs_customer" })
    }

    @Test func lineAmountFromTheTillWins() {
        // 0.333 kg at 99.99 ₽ is 33.30 ₽ by the till's own rounding.
        let line = ReceiptLine(sku: "CHEESE", quantity: 333, price: 99_99, amount: 33_30)
        #expect(calc([line]).amount == 33_30)
        #expect(ReceiptLine(sku: "CHEESE", quantity: 333, price: 99_99).total == 33_30)  // 3329.667 → 3330
    }

    @Test func lineLimitsAreValidated() {
        #expect(ReceiptLine(sku: "", quantity: 0, price: -1).violations(path: "lines[0]").map(\.field)
            == ["lines[0].sku", "lines[0].quantity", "lines[0].price"])
        #expect(ReceiptLine(sku: "A", quantity: 1000, price: 1).violations(path: "l").isEmpty)
    }

    @Test func programRulesDecodeWithDefaultsAndValidate() throws {
        let rules = try JSONDecoder().decode(ProgramRules.self, from: Data(#"{"accrualRateBp": 700}"#.utf8))
        #expect(rules.accrualRateBp == 700)
        #expect(rules.maxRedeemShareBp == ProgramRules().maxRedeemShareBp)
        var bad = ProgramRules()
        bad.accrualRateBp = 10_001
        bad.pointsStep = 7
        #expect(bad.violations().map(\.field) == ["accrualRateBp", "pointsStep"])
    }
}

import Foundation
