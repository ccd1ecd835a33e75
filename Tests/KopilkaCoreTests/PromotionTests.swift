import KopilkaCore
import Testing

/// Promotions, one reward kind at a time, on a Thursday evening in the store (2026-11-26 18:00, weekday 4).
/// The customer has no points; the program earns 5 %.
@Suite struct PromotionTests {
    static let thursdayEvening = LocalTime(date: LocalDate("2026-11-26")!, minute: 18 * 60)
    static let coffee = LineScope(categories: ["coffee"])

    static func calculate(
        _ lines: [ReceiptLine], _ promotions: [Promotion], customer: ReceiptCalculator.Customer? = .init(spendablePoints: 0),
        at time: LocalTime? = thursdayEvening, context: ReceiptContext = .init(), configure: (inout ProgramRules) -> Void = { _ in }
    ) -> ReceiptCalculation {
        var rules = ProgramRules()
        rules.promotions = promotions
        configure(&rules)
        #expect(rules.violations() == [], "the test's program is valid")
        var context = context
        context.time = time
        context.storeId = context.storeId ?? "1"
        return ReceiptCalculator.calculate(lines: lines, rules: rules, customer: customer, redeem: .points(0), context: context)
    }

    static func promotion(_ reward: Reward, lines: LineScope? = nil, _ configure: (inout Promotion) -> Void = { _ in }) -> Promotion {
        var promotion = Promotion(id: "p", name: "Promo", reward: reward)
        promotion.lines = lines
        configure(&promotion)
        return promotion
    }

    struct RewardCase: CustomTestStringConvertible, Sendable {
        let name: String
        let lines: [ReceiptLine]
        let reward: Reward
        let scope: LineScope?
        let lineDiscounts: [Kopecks]
        let earned: Points
        var testDescription: String { name }
    }

    static let rewardCases: [RewardCase] = [
        // 10 % of the coffee (2 × 250.00 = 500.00) = 50.00; cake untouched. Earned 5 % of 750.00 = 37.50.
        .init(name: "percent off the coffee",
              lines: [.init(sku: "CAP", category: "coffee", quantity: 2000, price: 250_00), .init(sku: "CAKE", category: "cakes", price: 300_00)],
              reward: .percentOff(1000), scope: coffee, lineDiscounts: [50_00, 0], earned: 37_50),
        // 100.00 off the receipt, split 600:400 → 60.00 and 40.00. Earned 5 % of 900.00 = 45.00.
        .init(name: "amount off the receipt",
              lines: [.init(sku: "A", price: 600_00), .init(sku: "B", price: 400_00)],
              reward: .amountOff(100_00), scope: nil, lineDiscounts: [60_00, 40_00], earned: 45_00),
        // 3 × 150.00 = 450.00 at a fixed 99.00 each = 297.00 → 153.00 off. Earned 5 % of 297.00 = 14.85.
        .init(name: "fixed price",
              lines: [.init(sku: "X", quantity: 3000, price: 150_00)],
              reward: .fixedPrice(99_00), scope: nil, lineDiscounts: [153_00], earned: 14_85),
        // 2 + 1: three coffees (2 × 200.00, 1 × 150.00): the cheapest, 150.00, is free. Earned 5 % of 400.00 = 20.00.
        .init(name: "buy two get one",
              lines: [.init(sku: "LAT", category: "coffee", quantity: 2000, price: 200_00), .init(sku: "ESP", category: "coffee", price: 150_00)],
              reward: .buyXGetY(buy: 2, get: 1), scope: coffee, lineDiscounts: [0, 150_00], earned: 20_00),
        // Every third at half price: 5 units → one group of three → one unit of 100.00 at 50 % = 50.00. Earned 5 % of 450.00.
        .init(name: "every third half price",
              lines: [.init(sku: "DONUT", quantity: 5000, price: 100_00)],
              reward: .nthItem(3, percentBp: 5000), scope: nil, lineDiscounts: [50_00], earned: 22_50),
        // Six coffees 2 + 1 → two free; the cheapest two units: one at 150.00 (line 2), one at 200.00 (line 1) = 350.00.
        .init(name: "buy two get one, twice",
              lines: [.init(sku: "LAT", category: "coffee", quantity: 5000, price: 200_00), .init(sku: "ESP", category: "coffee", price: 150_00)],
              reward: .buyXGetY(buy: 2, get: 1), scope: coffee, lineDiscounts: [200_00, 150_00], earned: 40_00),
        // A cookie as a gift: one of the two cookies (80.00 each) is free. Earned 5 % of 300.00 + 80.00 = 19.00.
        .init(name: "gift on the receipt",
              lines: [.init(sku: "CAP", category: "coffee", price: 300_00), .init(sku: "COOKIE", quantity: 2000, price: 80_00)],
              reward: .gift(sku: "COOKIE", name: "Cookie"), scope: coffee, lineDiscounts: [0, 80_00], earned: 19_00),
        // Double points on coffee: 5 % of 800.00 = 40.00, plus another 5 % of the coffee's 500.00 = 25.00.
        .init(name: "double points on coffee",
              lines: [.init(sku: "CAP", category: "coffee", quantity: 2000, price: 250_00), .init(sku: "CAKE", category: "cakes", price: 300_00)],
              reward: .pointsMultiplier(200), scope: coffee, lineDiscounts: [0, 0], earned: 65_00),
        // 1.5× points: 5 % of 1000.00 = 50.00 + half of it again = 25.00.
        .init(name: "one and a half points",
              lines: [.init(sku: "A", price: 1000_00)],
              reward: .pointsMultiplier(150), scope: nil, lineDiscounts: [0], earned: 75_00),
        // 200 points on top: 5 % of 1000.00 = 50.00 + 200.00.
        .init(name: "bonus points",
              lines: [.init(sku: "A", price: 1000_00)],
              reward: .bonusPoints(200_00), scope: nil, lineDiscounts: [0], earned: 250_00),
    ]

    @Test(arguments: rewardCases) func rewardKinds(_ example: RewardCase) {
        let result = Self.calculate(example.lines, [Self.promotion(example.reward, lines: example.scope)])
        #expect(result.lines.map(\.discount) == example.lineDiscounts)
        #expect(result.discount == example.lineDiscounts.reduce(0, +))
        #expect(result.earnedPoints == example.earned)
        #expect(result.lines.map(\.earnedPoints).reduce(0, +) == result.earnedPoints)
        #expect(result.promotions.map(\.id) == ["p"])
        let promotion = result.promotions[0]
        #expect(promotion.valueKopecks == promotion.discount + promotion.earnedPoints, "a point is worth a ruble here")
    }

    @Test func aGiftNotOnTheReceiptIsForTheCashierToAdd() {
        let result = Self.calculate([.init(sku: "CAP", category: "coffee", price: 300_00)], [Self.promotion(.gift(sku: "COOKIE", name: "Cookie"))])
        #expect(result.discount == 0)
        #expect(result.gifts == [Gift(promotionId: "p", sku: "COOKIE", name: "Cookie", onReceipt: false)])
        #expect(result.explanation.contains { $0.code == "promotion_gift" && $0.variant == "add" && $0.values.contains(.text("Cookie")) })
    }

    /// The engine keeps a promotion's lines as bits up to 64 lines and as a list beyond: both find the same lines.
    @Test(arguments: [3, 64, 65, 130]) func aPromotionFindsItsLinesOnLongReceipts(_ count: Int) {
        let lines = (0..<count).map { ReceiptLine(sku: "S\($0)", category: $0 % 3 == 0 ? "coffee" : "tea", price: 100_00) }
        let result = Self.calculate(lines, [Self.promotion(.percentOff(1000), lines: Self.coffee)])
        let coffee = (0..<count).filter { $0 % 3 == 0 }
        #expect(result.promotions.first?.lines == coffee.map { $0 + 1 })
        #expect(result.lines.map(\.discount) == (0..<count).map { $0 % 3 == 0 ? 10_00 : 0 })
    }

    @Test func aThresholdRewardStartsExactlyAtTheThreshold() {
        let reward = Self.promotion(.bonusPoints(200_00)) { $0.minAmountKopecks = 2000_00 }
        // 2000.00 exactly: 5 % = 100.00 + 200.00.
        #expect(Self.calculate([.init(sku: "A", price: 2000_00)], [reward]).earnedPoints == 300_00)
        // A kopeck less: 5 % of 1999.99 = 99.9995 → 99.99, no bonus.
        let below = Self.calculate([.init(sku: "A", price: 1999_99)], [reward])
        #expect(below.earnedPoints == 99_99)
        #expect(below.explanation.contains { $0.code == "promotion_below_threshold" && $0.promotion == "p" })
    }

    struct TimeCase: CustomTestStringConvertible, Sendable {
        let name: String
        let when: Schedule
        let at: LocalTime
        /// Nil when the promotion applies, else the reason's code.
        let miss: String?
        var testDescription: String { name }
    }

    static func at(_ date: String, _ time: String) -> LocalTime { LocalTime(date: LocalDate(date)!, minute: ClockTime(time)!.minute) }
    static let happyHours = Schedule(hours: HourWindow(from: ClockTime("17:00")!, to: ClockTime("19:00")!))
    static let overMidnight = Schedule(hours: HourWindow(from: ClockTime("22:00")!, to: ClockTime("02:00")!))
    static let november = Schedule(from: LocalDate("2026-11-01"), until: LocalDate("2026-11-30"))

    static let timeCases: [TimeCase] = [
        .init(name: "happy hours open at 17:00", when: happyHours, at: at("2026-11-26", "17:00"), miss: nil),
        .init(name: "happy hours at 18:59", when: happyHours, at: at("2026-11-26", "18:59"), miss: nil),
        .init(name: "happy hours closed at 19:00", when: happyHours, at: at("2026-11-26", "19:00"), miss: "promotion_outside_hours"),
        .init(name: "happy hours closed at 16:59", when: happyHours, at: at("2026-11-26", "16:59"), miss: "promotion_outside_hours"),
        .init(name: "over midnight at 00:00", when: overMidnight, at: at("2026-11-27", "00:00"), miss: nil),
        .init(name: "over midnight at 22:00", when: overMidnight, at: at("2026-11-26", "22:00"), miss: nil),
        .init(name: "over midnight closed at 02:00", when: overMidnight, at: at("2026-11-27", "02:00"), miss: "promotion_outside_hours"),
        .init(name: "the last day to its last minute", when: november, at: at("2026-11-30", "23:59"), miss: nil),
        .init(name: "the day after the end", when: november, at: at("2026-12-01", "00:00"), miss: "promotion_ended"),
        .init(name: "the first day at midnight", when: november, at: at("2026-11-01", "00:00"), miss: nil),
        .init(name: "the day before the start", when: november, at: at("2026-10-31", "23:59"), miss: "promotion_not_started"),
        .init(name: "x2 on Thursdays, a Thursday", when: Schedule(weekdays: [4]), at: at("2026-11-26", "10:00"), miss: nil),
        .init(name: "x2 on Thursdays, a Friday", when: Schedule(weekdays: [4]), at: at("2026-11-27", "10:00"), miss: "promotion_outside_days"),
        .init(name: "Sunday is 7", when: Schedule(weekdays: [7]), at: at("2026-11-29", "10:00"), miss: nil),
    ]

    @Test(arguments: timeCases) func schedules(_ example: TimeCase) {
        let promotion = Self.promotion(.percentOff(1000)) { $0.when = example.when }
        let result = Self.calculate([.init(sku: "A", price: 100_00)], [promotion], at: example.at)
        if let miss = example.miss {
            #expect(result.discount == 0)
            #expect(result.explanation.contains { $0.code == miss && $0.promotion == "p" }, "\(result.explanation)")
        } else {
            #expect(result.discount == 10_00)
        }
    }

    @Test func localTimeFollowsTheStoresOffset() {
        // 14:30 UTC is 17:30 in Moscow (+3) — happy hours — and 14:30 in London.
        let instant = Instant(iso8601: "2026-11-26T14:30:00Z")!.seconds
        let moscow = LocalTime(instant, offsetSeconds: 3 * 3600)
        #expect(moscow == Self.at("2026-11-26", "17:30"))
        #expect(Self.happyHours.miss(at: moscow) == nil)
        #expect(Self.happyHours.miss(at: LocalTime(instant, offsetSeconds: 0)) == .within(Self.happyHours.hours!))
        // 23:30 UTC is already the next day in Vladivostok (+10), before 1970 too.
        #expect(LocalTime(Instant(iso8601: "2026-11-26T23:30:00Z")!.seconds, offsetSeconds: 36_000) == Self.at("2026-11-27", "09:30"))
        #expect(LocalTime(-1, offsetSeconds: 0) == Self.at("1969-12-31", "23:59"))
    }

    @Test func storesTiersAndGroupsNarrowWhoGetsIt() {
        let line = [ReceiptLine(sku: "A", price: 100_00)]
        let otherStore = Self.promotion(.percentOff(1000)) { $0.stores = ["2"] }
        #expect(Self.calculate(line, [otherStore]).explanation.contains { $0.code == "promotion_other_store" })
        #expect(Self.calculate(line, [otherStore], context: .init(storeId: "2")).discount == 10_00)

        let staff = Self.promotion(.percentOff(1000)) { $0.groups = ["staff"] }
        #expect(Self.calculate(line, [staff]).explanation.contains { $0.code == "promotion_needs_group" })
        #expect(Self.calculate(line, [staff], customer: .init(spendablePoints: 0, groups: ["staff"])).discount == 10_00)
        #expect(Self.calculate(line, [staff], customer: nil).explanation.contains { $0.code == "promotion_needs_customer" })

        let gold = Tier(name: "Gold", threshold: 100, accrualRateBp: 500)
        let forGold = Self.promotion(.percentOff(1000)) { $0.tiers = ["Gold"] }
        let tiers = TierRules(tiers: [Tier(name: "Base", threshold: 0, accrualRateBp: 500), gold])
        #expect(Self.calculate(line, [forGold], customer: .init(spendablePoints: 0, tier: gold)) { $0.tiers = tiers }.discount == 10_00)
        #expect(Self.calculate(line, [forGold], customer: .init(spendablePoints: 0, tier: tiers.tiers[0])) { $0.tiers = tiers }
            .explanation.contains { $0.code == "promotion_needs_tier" })
    }

    @Test func anonymousReceiptsGetDiscountsButNoPoints() {
        let result = Self.calculate([.init(sku: "A", price: 100_00)], [Self.promotion(.percentOff(1000)), {
            var bonus = Self.promotion(.bonusPoints(10_00))
            bonus.id = "bonus"
            return bonus
        }()], customer: nil)
        #expect(result.discount == 10_00)
        #expect(result.earnedPoints == 0)
        #expect(result.explanation.contains { $0.code == "promotion_needs_customer" && $0.promotion == "bonus" })
    }
}

/// "For toys, by the order's value: 1,000–1,999 ₽ → 3 %, 2,000–4,999 → 4 %": a threshold on the whole receipt, a
/// discount on a group of its lines.
@Suite struct ThresholdBasisTests {
    static let toys = LineScope(categories: ["toys"])
    static func order(toys: Kopecks, other: Kopecks) -> [ReceiptLine] {
        [ReceiptLine(sku: "BEAR", category: "toys", quantity: 1000, price: toys), ReceiptLine(sku: "MILK", category: "dairy", quantity: 1000, price: other)]
    }

    static let steps: [Promotion] = [(Kopecks(1_000_00), BasisPoints(300)), (2_000_00, 400), (5_000_00, 500)].enumerated().map { index, step in
        PromotionTests.promotion(.percentOff(step.1), lines: toys) {
            $0.id = "toys\(index)"
            $0.minAmountKopecks = step.0
            $0.thresholdOn = .receipt
        }
    }

    @Test(arguments: [(Kopecks(500_00), Kopecks(400_00), Kopecks(0)), (500_00, 600_00, 15_00), (500_00, 1_600_00, 20_00), (500_00, 5_000_00, 25_00)])
    func theOrderChoosesTheToysDiscount(toys: Kopecks, other: Kopecks, discount: Kopecks) {
        // The steps do not add up: the best one for the customer applies.
        let result = PromotionTests.calculate(Self.order(toys: toys, other: other), Self.steps) { $0.stacking.mode = .bestForCustomer }
        #expect(result.discount == discount)
        #expect(result.lines[1].discount == 0, "only the toys are discounted")
    }

    @Test func byDefaultTheThresholdCountsTheLinesItDiscounts() {
        let lines = Self.steps.map { promotion in PromotionTests.promotion(promotion.reward, lines: Self.toys) { $0.id = promotion.id; $0.minAmountKopecks = promotion.minAmountKopecks } }
        let result = PromotionTests.calculate(Self.order(toys: 500_00, other: 5_000_00), lines)
        #expect(result.discount == 0)
        #expect(result.explanation.contains { $0.code == "promotion_below_threshold" })
    }

    @Test func aRewardFieldItsKindDoesNotReadIsRefusedAndForgottenWhenRead() throws {
        var rules = ProgramRules()
        var reward = Reward.amountOff(100_00)
        reward.percentBp = 1000
        rules.promotions = [PromotionTests.promotion(reward, lines: Self.toys) { _ in }]
        #expect(rules.violations().map(\.field) == ["promotions[0].reward.percentBp"], "«100 ₽ off» with a percent: not silently ignored")
        rules.promotions[0].reward = .buyXGetY(buy: 2, get: 1, percentBp: 5000)
        #expect(rules.violations() == [], "2 + 1 at half price reads its percent")
        // A program saved before the refusal reads without the field, and saves again.
        rules.promotions[0].reward = reward
        rules.forgetUnreadSettings()
        #expect(rules.violations() == [] && rules.promotions[0].reward == .amountOff(100_00))
    }

    @Test func whatAThresholdCountsNeedsAThreshold() {
        var rules = ProgramRules()
        rules.promotions = [PromotionTests.promotion(.percentOff(300), lines: Self.toys) { $0.thresholdOn = .receipt }]
        #expect(rules.violations().map(\.field) == ["promotions[0].thresholdOn"], "not silently ignored")
        rules.promotions[0].minQuantity = 2000
        #expect(rules.violations() == [])
    }

    @Test func aPromotionsConditionsAndPeriodsAreChecked() {
        var rules = ProgramRules()
        rules.promotions = [PromotionTests.promotion(.percentOff(300), lines: Self.toys) {
            $0.conditions = [RuleCondition(fact: "receipt.amountKopecks", atLeast: 100_00), RuleCondition(fact: "customer.purchases")]
            $0.limits = PromotionLimits(totalUses: 10)
            $0.limits?.customerPeriod = .purchase
        }]
        #expect(rules.violations().map(\.field) == [
            "promotions[0].limits.customerPeriod", "promotions[0].limits.customerPeriod", "promotions[0].conditions[0].fact",
            "promotions[0].conditions[1].atLeast",
        ], "the receipt has thresholds; a range; a period needs usesPerCustomer and is a calendar one")
        rules.promotions[0].conditions = [RuleCondition(fact: "customer.purchases", atMost: 0)]
        rules.promotions[0].limits = PromotionLimits(usesPerCustomer: 1)
        rules.promotions[0].limits?.customerPeriod = .month
        #expect(rules.violations() == [])
    }

    @Test func aWholesaleStepMayCountTheWholeOrder() {
        var rules = ProgramRules()
        rules.wholesale = WholesaleRules(steps: [WholesaleStep(lines: Self.toys, minAmountKopecks: 1_000_00, discountBp: 1000, thresholdOn: .receipt)])
        #expect(rules.violations() == [])
        let result = ReceiptCalculator.calculate(lines: Self.order(toys: 500_00, other: 600_00), rules: rules, customer: nil, redeem: .points(0))
        #expect(result.lines.map(\.discount) == [50_00, 0])
        rules.wholesale?.steps[0].thresholdOn = nil
        #expect(ReceiptCalculator.calculate(lines: Self.order(toys: 500_00, other: 600_00), rules: rules, customer: nil, redeem: .points(0)).discount == 0)
    }
}
