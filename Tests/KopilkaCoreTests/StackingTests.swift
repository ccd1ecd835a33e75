import KopilkaCore
import Testing

/// How wholesale steps, promotions, codes and the card discount combine, with the arithmetic written out.
/// One 1000.00 line unless said otherwise; the program earns 5 %.
@Suite struct StackingTests {
    static let line = ReceiptLine(sku: "A", category: "goods", price: 1000_00)

    static func promotion(_ id: String, _ reward: Reward, priority: Int = 100, _ configure: (inout Promotion) -> Void = { _ in }) -> Promotion {
        var promotion = Promotion(id: id, name: id, reward: reward)
        promotion.priority = priority
        configure(&promotion)
        return promotion
    }

    static func calculate(
        _ lines: [ReceiptLine] = [line], customer: ReceiptCalculator.Customer? = .init(spendablePoints: 0, groups: ["wholesale"]),
        context: ReceiptContext = .init(), _ configure: (inout ProgramRules) -> Void
    ) -> ReceiptCalculation {
        var rules = ProgramRules()
        configure(&rules)
        #expect(rules.violations() == [])
        return ReceiptCalculator.calculate(lines: lines, rules: rules, customer: customer, redeem: .points(0), context: context)
    }

    /// Wholesale 5 %, a 10 % promotion and a 3 % card discount, on one line.
    static func threeSources(_ rules: inout ProgramRules) {
        rules.wholesale = WholesaleRules(steps: [WholesaleStep(minQuantity: 1000, discountBp: 500)])
        rules.promotions = [promotion("ten", .percentOff(1000))]
        rules.discountBp = 300
    }

    @Test func sequentialTakesEachShareOfWhatIsLeft() {
        // 1000.00 − 5 % = 950.00; − 10 % (95.00) = 855.00; − 3 % (25.65) = 829.35: 170.65 off in all.
        let result = Self.calculate { Self.threeSources(&$0) }
        #expect(result.discount == 170_65)
        #expect(result.promotions.map(\.discount) == [95_00])
        #expect(result.payable == 829_35)
        // Points on what is paid: 5 % of 829.35 = 41.4675 → 41.46.
        #expect(result.earnedPoints == 41_46)
        let order = result.explanation.map(\.code).filter { ["wholesale_applied", "promotion_applied", "discount_rate"].contains($0) }
        #expect(order == ["wholesale_applied", "promotion_applied", "discount_rate"], "the explanation keeps the order of application")
    }

    @Test func bestForCustomerTakesTheLargestSingleDiscount() {
        // Alone: wholesale 50.00, promotion 100.00, card 30.00 → the promotion's 100.00.
        let result = Self.calculate { rules in
            Self.threeSources(&rules)
            rules.stacking.mode = .bestForCustomer
        }
        #expect(result.discount == 100_00)
        #expect(result.promotions.map(\.id) == ["ten"])
        #expect(result.explanation.contains { $0.code == "wholesale_not_best" })
        #expect(result.explanation.contains { $0.code == "discount_not_best" })
    }

    @Test func bestForCustomerDecidesLineByLine() {
        // Line 1 (coffee, 200.00): promotion 20 % = 40.00 beats card 10 % = 20.00. Line 2 (cake, 300.00): only the card, 30.00.
        let lines = [ReceiptLine(sku: "CAP", category: "coffee", price: 200_00), ReceiptLine(sku: "CAKE", category: "cakes", price: 300_00)]
        let result = Self.calculate(lines) { rules in
            rules.promotions = [Self.promotion("coffee", .percentOff(2000)) { $0.lines = LineScope(categories: ["coffee"]) }]
            rules.discountBp = 1000
            rules.stacking.mode = .bestForCustomer
        }
        #expect(result.lines.map(\.discount) == [40_00, 30_00])
    }

    @Test func anExclusivePromotionShutsOutTheRest() {
        // Only the exclusive 10 %: 100.00; the 5 % promotion, wholesale and the card discount stand aside.
        let result = Self.calculate { rules in
            Self.threeSources(&rules)
            rules.promotions.append(Self.promotion("solo", .percentOff(1000), priority: 200) { $0.exclusive = true })
            rules.promotions.append(Self.promotion("five", .percentOff(500), priority: 50))
        }
        #expect(result.discount == 100_00)
        #expect(result.promotions.map(\.id) == ["solo"])
        #expect(result.explanation.filter { $0.code == "promotion_excluded" }.compactMap(\.promotion).sorted() == ["five", "ten"])
        #expect(result.explanation.contains { $0.code == "wholesale_excluded" })
        #expect(result.explanation.contains { $0.code == "discount_excluded" })
    }

    @Test func priorityDecidesTheOrder() {
        // 100.00 off first, then 50 %: (1000 − 100) × 50 % = 450.00 → 550.00 in all.
        let amountFirst = Self.calculate { $0.promotions = [Self.promotion("half", .percentOff(5000), priority: 20), Self.promotion("hundred", .amountOff(100_00), priority: 10)] }
        #expect(amountFirst.discount == 550_00)
        // 50 % first (500.00), then 100.00 → 600.00.
        let percentFirst = Self.calculate { $0.promotions = [Self.promotion("half", .percentOff(5000), priority: 10), Self.promotion("hundred", .amountOff(100_00), priority: 20)] }
        #expect(percentFirst.discount == 600_00)
        #expect(percentFirst.promotions.map(\.id) == ["half", "hundred"])
    }

    @Test func aLineStopsAtItsMinimumPrice() {
        // A 10 % promotion would take 100.00, but the line may not go below 950.00: 50.00.
        var line = Self.line
        line.minPrice = 950_00
        let result = Self.calculate([line]) { $0.promotions = [Self.promotion("ten", .percentOff(1000))] }
        #expect(result.discount == 50_00)
        #expect(result.explanation.contains { $0.code == "discount_capped_floor" && $0.line == 1 })
    }

    @Test func thePolicyCapsTheShareOfALine() {
        // 10 % + 10 % would be 100.00 + 90.00 = 190.00; the policy allows 15 % of 1000.00 = 150.00.
        let result = Self.calculate {
            $0.promotions = [Self.promotion("a", .percentOff(1000)), Self.promotion("b", .percentOff(1000))]
            $0.stacking.maxLineDiscountBp = 1500
        }
        #expect(result.discount == 150_00)
        #expect(result.promotions.map(\.discount) == [100_00, 50_00])
    }

    @Test func aLineNeverGoesBelowZero() {
        // 800.00 off, then another 800.00 off a 1000.00 line: 800.00 + 200.00; the line is free, not negative.
        let result = Self.calculate { $0.promotions = [Self.promotion("a", .amountOff(800_00)), Self.promotion("b", .amountOff(800_00))] }
        #expect(result.discount == 1000_00)
        #expect(result.payable == 0)
        #expect(result.earnedPoints == 0)
    }

    @Test func theCardDiscountMaySkipPromotedLines() {
        // Line 1 has a 10 % promotion (20.00); the 5 % card discount then applies to line 2 only: 5 % of 300.00 = 15.00.
        let lines = [ReceiptLine(sku: "CAP", category: "coffee", price: 200_00), ReceiptLine(sku: "CAKE", category: "cakes", price: 300_00)]
        let result = Self.calculate(lines) { rules in
            rules.promotions = [Self.promotion("coffee", .percentOff(1000)) { $0.lines = LineScope(categories: ["coffee"]) }]
            rules.discountBp = 500
            rules.stacking.cardDiscountOnPromotedLines = false
        }
        #expect(result.lines.map(\.discount) == [20_00, 15_00])
        #expect(result.explanation.contains { $0.code == "discount_excluded_promoted" && $0.line == 1 })
    }

    @Test func pointsMaySkipDiscountedLines() {
        // With redeemOnDiscountedLines off, 500 points may pay only for the undiscounted cake: 30 % of the 480.00 check
        // = 144.00, but the cake alone is 300.00 → 144.00.
        let lines = [ReceiptLine(sku: "CAP", category: "coffee", price: 200_00), ReceiptLine(sku: "CAKE", category: "cakes", price: 300_00)]
        var rules = ProgramRules()
        rules.promotions = [Self.promotion("coffee", .percentOff(1000)) { $0.lines = LineScope(categories: ["coffee"]) }]
        rules.redeemOnDiscountedLines = false
        let result = ReceiptCalculator.calculate(lines: lines, rules: rules, customer: .init(spendablePoints: 500_00), redeem: .max)
        #expect(result.lines.map(\.redeemedKopecks) == [0, 144_00])
    }

    struct LimitCase: CustomTestStringConvertible, Sendable {
        let name: String
        let limits: PromotionLimits
        let usage: PromotionUsage
        let applies: Bool
        let code: String?
        var testDescription: String { name }
    }

    static let limitCases: [LimitCase] = [
        .init(name: "under every limit", limits: .init(totalUses: 10, usesPerCustomer: 2, usesPerDay: 5), usage: .init(uses: 9, customerUses: 1, dayUses: 4), applies: true, code: nil),
        .init(name: "total uses reached", limits: .init(totalUses: 10), usage: .init(uses: 10), applies: false, code: "promotion_limit_reached"),
        .init(name: "per customer reached", limits: .init(usesPerCustomer: 1), usage: .init(customerUses: 1), applies: false, code: "promotion_limit_reached"),
        .init(name: "per day reached", limits: .init(usesPerDay: 100), usage: .init(uses: 500, dayUses: 100), applies: false, code: "promotion_limit_reached"),
        // The 100.00 discount fits a budget with exactly 100.00 left…
        .init(name: "budget exactly enough", limits: .init(budgetKopecks: 1000_00), usage: .init(spentKopecks: 900_00), applies: true, code: nil),
        // …and not one with 99.99 left.
        .init(name: "budget a kopeck short", limits: .init(budgetKopecks: 1000_00), usage: .init(spentKopecks: 900_01), applies: false, code: "promotion_budget_spent"),
    ]

    @Test(arguments: limitCases) func limitsAndBudgets(_ example: LimitCase) {
        let result = Self.calculate(context: .init(usage: ["ten": example.usage])) {
            $0.promotions = [Self.promotion("ten", .percentOff(1000)) { $0.limits = example.limits }]
        }
        #expect(result.discount == (example.applies ? 100_00 : 0))
        if let code = example.code { #expect(result.explanation.contains { $0.code == code && $0.promotion == "ten" }) }
    }

    @Test func codesUnlockPromotionsAndGivePoints() {
        let coupon = Self.promotion("coupon", .amountOff(150_00)) { $0.requiresCode = true }
        let configure: (inout ProgramRules) -> Void = { $0.promotions = [coupon] }
        #expect(Self.calculate { configure(&$0) }.explanation.contains { $0.code == "promotion_needs_code" })

        let valid = PresentedCode(code: "AB12-CD34", status: .valid, promotionId: "coupon")
        let applied = Self.calculate(context: .init(codes: [valid])) { configure(&$0) }
        #expect(applied.discount == 150_00)
        #expect(applied.codes == [CodeOutcome(code: "AB12-CD34", status: .valid, applied: true)])
        #expect(applied.promotions.first?.code == "AB12-CD34")

        let expired = Self.calculate(context: .init(codes: [PresentedCode(code: "OLD1-OLD1", status: .expired, promotionId: "coupon")])) { configure(&$0) }
        #expect(expired.discount == 0)
        #expect(expired.codes == [CodeOutcome(code: "OLD1-OLD1", status: .expired, applied: false)])
        #expect(expired.explanation.contains { $0.code == "code_expired" })

        // A code worth 50 points: 5 % of 1000.00 = 50.00, plus 50.00.
        let points = Self.calculate(context: .init(codes: [PresentedCode(code: "GIFT-0050", status: .valid, points: 50_00)])) { _ in }
        #expect(points.earnedPoints == 100_00)
        #expect(points.codes.first?.applied == true)
    }

    @Test func wholesaleStepsByQuantityAndBySum() {
        let flour = LineScope(skus: ["FLOUR"])
        let wholesale = WholesaleRules(groups: ["wholesale"], steps: [
            WholesaleStep(lines: flour, minQuantity: 10_000, discountBp: 500),
            WholesaleStep(lines: flour, minQuantity: 50_000, discountBp: 1000),
            WholesaleStep(minAmountKopecks: 100_000_00, discountBp: 1200),
        ])
        func discount(_ quantity: Thousandths, groups: Set<String> = ["wholesale"]) -> Kopecks {
            Self.calculate([ReceiptLine(sku: "FLOUR", quantity: quantity, price: 100_00)], customer: .init(spendablePoints: 0, groups: groups)) {
                $0.wholesale = wholesale
            }.discount
        }
        #expect(discount(9_999) == 0)  // 9.999 units: below the first step
        #expect(discount(10_000) == 50_00)  // exactly 10 units of 100.00: 5 % of 1000.00
        #expect(discount(60_000) == 600_00)  // 60 units: 10 % of 6000.00
        #expect(discount(1_000_000) == 12_000_00)  // 1000 units = 100,000.00: the order step, 12 %
        #expect(discount(60_000, groups: []) == 0)  // not a wholesale customer
    }
}
