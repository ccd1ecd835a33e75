import KopilkaCore
import Testing

@Suite struct DiscountTests {
    static let coffee = ReceiptLine(sku: "CAP", category: "coffee", quantity: 1000, price: 200_00)
    static let tobacco = ReceiptLine(sku: "CIG", category: "tobacco", quantity: 1000, price: 200_00, flags: [.noDiscount])
    static let milk = ReceiptLine(sku: "MILK", category: "dairy", quantity: 2000, price: 50_00)

    static func rules(_ configure: (inout ProgramRules) -> Void = { _ in }) -> ProgramRules {
        var rules = ProgramRules()
        rules.discountBp = 500
        configure(&rules)
        return rules
    }

    @Test func cardDiscountThenPointsThenAccrual() {
        let result = ReceiptCalculator.calculate(
            lines: [Self.coffee, Self.tobacco, Self.milk], rules: Self.rules(), customer: .init(spendablePoints: 1_000_00), redeem: .max)
        // Discount: 5 % of the 300 ₽ that allow it = 15 ₽, split 200:100 → 10 ₽ and 5 ₽; tobacco's price is fixed.
        #expect(result.lines.map(\.discount) == [10_00, 0, 5_00])
        #expect(result.discount == 15_00)
        // Points: 30 % of the 485 ₽ left = 145.50 ₽, split over coffee (190) and milk (95): 97 ₽ and 48.50 ₽.
        #expect(result.redeemedKopecks == 145_50)
        #expect(result.lines.map(\.redeemedKopecks) == [97_00, 0, 48_50])
        // Accrual: 5 % of the 339.50 ₽ paid in money = 16.975 → 16.97 (rounded down); by line 4.65, 10.00, 2.32.
        #expect(result.earnedPoints == 16_97)
        #expect(result.lines.map(\.earnedPoints) == [4_65, 10_00, 2_32])
        #expect(result.payable == 485_00 - 145_50)
        #expect(result.lines.map(\.payable) == [93_00, 200_00, 46_50])
        #expect(result.explanation.contains { $0.code == "discount_rate" })
        #expect(result.explanation.contains { $0.code == "discount_excluded_flag" && $0.line == 2 })
    }

    @Test func anonymousReceiptsGetNoCardDiscount() {
        let result = ReceiptCalculator.calculate(lines: [Self.coffee], rules: Self.rules(), customer: nil, redeem: .points(0))
        #expect(result.discount == 0)
        #expect(result.explanation.contains { $0.code == "discount_needs_customer" })
    }

    @Test func pointsMaySkipDiscountedLines() {
        let rules = Self.rules { $0.redeemOnDiscountedLines = false }
        let result = ReceiptCalculator.calculate(
            lines: [Self.coffee, Self.milk], rules: rules, customer: .init(spendablePoints: 1_000_00), redeem: .max)
        #expect(result.redeemedKopecks == 0)
        #expect(result.explanation.filter { $0.code == "redemption_excluded_discounted" }.count == 2)
    }

    @Test(arguments: [
        // An accumulative discount: 3 % from 0, 5 % from 10,000 ₽, 7 % from 30,000 ₽ of spend.
        (0, Int64(6_00)), (1, 10_00), (2, 14_00),
    ])
    func aLevelSetsItsOwnDiscount(level: Int, discount: Kopecks) {
        let levels = [
            Tier(name: "3 %", threshold: 0, accrualRateBp: 0, discountBp: 300),
            Tier(name: "5 %", threshold: 10_000_00, accrualRateBp: 0, discountBp: 500),
            Tier(name: "7 %", threshold: 30_000_00, accrualRateBp: 0, discountBp: 700),
        ]
        let result = ReceiptCalculator.calculate(
            lines: [Self.coffee], rules: ProgramRules(), customer: .init(spendablePoints: 0, tier: levels[level]), redeem: .points(0))
        #expect(result.discount == discount)  // 3/5/7 % of 200 ₽
        #expect(result.earnedPoints == 0)
    }

    /// Properties over seeded random receipts: no line goes negative, lines add up, nothing is negative.
    @Test func propertiesHoldForRandomReceipts() {
        var state: UInt64 = 0xC0FFEE
        print("propertiesHoldForRandomReceipts seed 0xC0FFEE")
        func next(_ bound: UInt64) -> Int64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int64((state >> 33) % bound)
        }
        for _ in 0..<3000 {
            let lines = (0..<Int(next(8) + 1)).map { index in
                ReceiptLine(sku: "S\(index)", category: ["a", "b", "c"][Int(next(3))], quantity: next(5000) + 1, price: next(100_000),
                            flags: next(5) == 0 ? [.noDiscount] : next(5) == 0 ? [.noRedemption] : [])
            }
            var rules = ProgramRules()
            rules.discountBp = next(3000)
            rules.accrualRateBp = next(2000)
            rules.maxRedeemShareBp = next(10_001)
            rules.minPayableKopecks = next(1000)
            rules.redemptionExcludedCategories = next(2) == 0 ? ["b"] : []
            let customer = ReceiptCalculator.Customer(spendablePoints: next(1_000_000))
            let result = ReceiptCalculator.calculate(lines: lines, rules: rules, customer: customer, redeem: .max)
            #expect(result.lines.allSatisfy { $0.payable >= 0 && $0.discount >= 0 && $0.earnedPoints >= 0 && $0.redeemedKopecks >= 0 })
            #expect(result.lines.map(\.payable).reduce(0, +) == result.payable)
            #expect(result.lines.map(\.discount).reduce(0, +) == result.discount)
            #expect(result.amount - result.discount - result.redeemedKopecks == result.payable)
            #expect(result.discount + result.redeemedKopecks <= result.amount)
            #expect(result.redeemedPoints <= customer.spendablePoints)
            #expect(result == ReceiptCalculator.calculate(lines: lines, rules: rules, customer: customer, redeem: .max), "deterministic")
        }
    }
}
