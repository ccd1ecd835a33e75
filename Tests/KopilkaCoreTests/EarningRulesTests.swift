import KopilkaCore
import Testing

/// The published rules of how much a receipt earns and when points may pay: a point per N roubles, the rate by the
/// receipt's sum, minimum receipts, "earn or spend", promo codes and discounted lines that earn nothing, points not
/// combined with discounts, and a cap on discounts and points together. Amounts are worked out by hand in each case.
@Suite struct EarningRulesTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let price: Kopecks
        let earned: Points
        var testDescription: String { name }
    }

    static func earned(_ price: Kopecks, _ configure: (inout ProgramRules) -> Void) -> ReceiptCalculation {
        var rules = ProgramRules()
        configure(&rules)
        #expect(rules.violations() == [], "the test's program is valid")
        return ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "A", price: price)], rules: rules, customer: .init(spendablePoints: 0), redeem: .points(0))
    }

    @Test(arguments: [
        Case(name: "99.99 ₽ is not a whole 100 ₽", price: 99_99, earned: 0),
        Case(name: "100 ₽ earns a point", price: 100_00, earned: 1_00),
        Case(name: "399.99 ₽ earns 3 points, not 3.99", price: 399_99, earned: 3_00),
        Case(name: "1,000 ₽ earns 10 points", price: 1_000_00, earned: 10_00),
    ])
    func aPointPerHundredRoubles(_ c: Case) {
        let result = Self.earned(c.price) { $0.accrualPerKopecks = 100_00 }
        #expect(result.earnedPoints == c.earned)
        #expect(c.earned == 0 || result.explanation.contains { $0.code == "accrual_per_amount" })
    }

    @Test(arguments: [
        Case(name: "below the first band earns nothing", price: 99_99, earned: 0),
        Case(name: "100 ₽ at 1 %", price: 100_00, earned: 1_00),
        Case(name: "999.99 ₽ at 1 % is 9.9999, rounded down", price: 999_99, earned: 9_99),
        Case(name: "1,000 ₽ at 3 %", price: 1_000_00, earned: 30_00),
        Case(name: "9,999.99 ₽ still at 3 %", price: 9_999_99, earned: 299_99),
        Case(name: "10,000 ₽ at 5 %", price: 10_000_00, earned: 500_00),
    ])
    func theRateFollowsTheReceiptsSum(_ c: Case) {
        let result = Self.earned(c.price) {
            $0.accrualBands = [.init(fromKopecks: 100_00, rateBp: 100), .init(fromKopecks: 1_000_00, rateBp: 300), .init(fromKopecks: 10_000_00, rateBp: 500)]
        }
        #expect(result.earnedPoints == c.earned)
    }

    @Test(arguments: [
        Case(name: "299.99 ₽ is below the minimum", price: 299_99, earned: 0),
        Case(name: "300 ₽ earns 5 %", price: 300_00, earned: 15_00),
    ])
    func aMinimumReceiptToEarn(_ c: Case) {
        let result = Self.earned(c.price) { $0.minAccrualReceiptKopecks = 300_00 }
        #expect(result.earnedPoints == c.earned)
        #expect(result.explanation.contains { $0.code == "accrual_below_minimum" } == (c.earned == 0))
    }

    @Test(arguments: [(Kopecks(499_99), Points(0)), (500_00, 150_00)])
    func aMinimumOrderToSpend(price: Kopecks, redeemed: Points) {
        var rules = ProgramRules()
        rules.minRedemptionReceiptKopecks = 500_00
        let result = ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "A", price: price)], rules: rules, customer: .init(spendablePoints: 1_000_00), redeem: .max)
        // 30 % of 500 ₽ = 150 ₽ = 150 points.
        #expect(result.redeemedPoints == redeemed)
        #expect(result.explanation.contains { $0.code == "redemption_below_minimum" } == (redeemed == 0))
    }

    @Test func earnOrSpend() {
        var rules = ProgramRules()
        rules.earnOrSpend = true
        let line = ReceiptLine(sku: "CAKE", price: 1_000_00)
        let spending = ReceiptCalculator.calculate(lines: [line], rules: rules, customer: .init(spendablePoints: 500_00), redeem: .points(100_00))
        #expect(spending.redeemedPoints == 100_00 && spending.earnedPoints == 0)
        #expect(spending.explanation.contains { $0.code == "accrual_earn_or_spend" })
        let saving = ReceiptCalculator.calculate(lines: [line], rules: rules, customer: .init(spendablePoints: 500_00), redeem: .points(0))
        #expect(saving.earnedPoints == 50_00, "5 % of 1,000 ₽")
    }

    @Test func aReceiptWithAPromoCodeEarnsNothingWhenTheProgramSaysSo() {
        var rules = ProgramRules()
        rules.accrueWithCodes = false
        let line = ReceiptLine(sku: "A", price: 1_000_00)
        let withCode = ReceiptCalculator.calculate(
            lines: [line], rules: rules, customer: .init(spendablePoints: 0), redeem: .points(0),
            context: ReceiptContext(codes: [PresentedCode(code: "SPRING", status: .valid)]))
        #expect(withCode.earnedPoints == 0)
        #expect(withCode.explanation.contains { $0.code == "accrual_with_code" })
        let unknownCode = ReceiptCalculator.calculate(
            lines: [line], rules: rules, customer: .init(spendablePoints: 0), redeem: .points(0),
            context: ReceiptContext(codes: [PresentedCode(code: "NOPE", status: .unknown)]))
        #expect(unknownCode.earnedPoints == 50_00, "a code that does not apply takes nothing away")
    }

    @Test func discountedLinesEarnNothingWhenTheProgramSaysSo() {
        var rules = ProgramRules()
        rules.discountBp = 500
        rules.accrueOnDiscountedLines = false
        let coffee = ReceiptLine(sku: "CAP", price: 200_00)
        let tobacco = ReceiptLine(sku: "CIG", price: 200_00, flags: [.noDiscount])
        let result = ReceiptCalculator.calculate(lines: [coffee, tobacco], rules: rules, customer: .init(spendablePoints: 0), redeem: .points(0))
        // Coffee is 5 % off (190 ₽) and earns nothing; tobacco's fixed 200 ₽ earns 5 % = 10 points.
        #expect(result.discount == 10_00)
        #expect(result.lines.map(\.earnedPoints) == [0, 10_00])
        #expect(result.explanation.contains { $0.code == "accrual_excluded_discounted" && $0.line == 1 })
    }

    @Test func pointsDoNotCombineWithDiscountsWhenTheProgramSaysSo() {
        var rules = ProgramRules()
        rules.redeemWithDiscounts = false
        let line = ReceiptLine(sku: "A", price: 1_000_00)
        let plain = ReceiptCalculator.calculate(lines: [line], rules: rules, customer: .init(spendablePoints: 1_000_00), redeem: .max)
        #expect(plain.redeemedPoints == 300_00, "30 % of 1,000 ₽ with no discount on the receipt")
        rules.discountBp = 300
        let discounted = ReceiptCalculator.calculate(lines: [line], rules: rules, customer: .init(spendablePoints: 1_000_00), redeem: .max)
        #expect(discounted.discount == 30_00 && discounted.redeemedPoints == 0)
        #expect(discounted.explanation.contains { $0.code == "redemption_not_with_discounts" })
    }

    @Test(arguments: [(BasisPoints(0), Points(300_00)), (1000, 200_00), (3000, 0)])
    func discountsAndPointsTogetherStayWithinTheCap(discountBp: BasisPoints, redeemed: Points) {
        var rules = ProgramRules()
        rules.maxBenefitShareBp = 3000
        rules.maxRedeemShareBp = 5000
        rules.discountBp = discountBp
        let result = ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "A", price: 1_000_00)], rules: rules, customer: .init(spendablePoints: 1_000_00), redeem: .max)
        // 30 % of 1,000 ₽ = 300 ₽ for discounts and points together: 0 + 300, 100 + 200, 300 + 0.
        #expect(result.redeemedPoints == redeemed)
        #expect(result.discount + result.redeemedKopecks <= 300_00)
    }

    @Test func oneWayToSetTheRate() {
        var rules = ProgramRules()
        rules.accrualBands = [.init(fromKopecks: 0, rateBp: 100)]
        rules.accrualPerKopecks = 100_00
        #expect(rules.violations().map(\.field) == ["accrualBands"])
        rules.accrualPerKopecks = 0
        rules.accrualBands.append(.init(fromKopecks: 0, rateBp: 300))
        #expect(rules.violations().map(\.field) == ["accrualBands[1].fromKopecks"])
    }

    @Test(arguments: [(0, 0, true), (7, 10_00, true), (90, 100_000_000, true), (91, 0, false), (-1, 0, false), (7, -1, false)])
    func expiryRemindersAreAtMostNinetyDaysAhead(days: Int, minPoints: Int64, valid: Bool) {
        var rules = ProgramRules()
        rules.expiryReminderDays = days
        rules.expiryReminderMinPoints = minPoints
        #expect(rules.violations().isEmpty == valid, "\(rules.violations())")
    }
}
