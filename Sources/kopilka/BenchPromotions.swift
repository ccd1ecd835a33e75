import KopilkaCore

/// A program with 50 promotions of every kind, the engine target: some apply to the bench receipt at the
/// bench moment (a Thursday at 18:00 in store 1), most are ruled out by hours, days, dates, stores or scope.
enum BenchPromotions {
    static let moment = ReceiptContext(time: LocalTime(date: LocalDate("2026-11-26")!, minute: 18 * 60), storeId: "1")

    static let rules: ProgramRules = {
        var rules = BenchFixture.levelRules
        let categories = ["dairy", "bakery", "fruit", "tobacco", "household"]
        var promotions: [Promotion] = []
        func add(_ id: String, _ reward: Reward, _ configure: (inout Promotion) -> Void) {
            var promotion = Promotion(id: id, name: "Promotion \(id)", reward: reward)
            promotion.priority = promotions.count % 7
            configure(&promotion)
            promotions.append(promotion)
        }
        for hour in 0..<10 {
            // Happy hours from 08:00 to 18:00 in two-hour windows: the one at 17:00–19:00 is open.
            add("hour-\(hour)", .percentOff(500 + Int64(hour) * 50)) {
                $0.when = Schedule(hours: HourWindow(from: ClockTime(minute: (8 + hour) * 60), to: ClockTime(minute: (10 + hour) * 60)))
                $0.lines = LineScope(categories: [categories[hour % 5]])
            }
        }
        for day in 0..<10 { add("day-\(day)", .percentOff(300)) { $0.when = Schedule(weekdays: [day % 7 + 1]); $0.lines = LineScope(categories: [categories[day % 5]]) } }
        for index in 0..<5 { add("bxgy-\(index)", .buyXGetY(buy: 2, get: 1)) { $0.lines = LineScope(skus: ["SKU-\(index * 4)", "SKU-\(index * 4 + 1)"]) } }
        for index in 0..<5 { add("price-\(index)", .fixedPrice(99_00)) { $0.lines = LineScope(skus: ["SKU-\(index * 3 + 2)"]) } }
        for index in 0..<5 { add("x2-\(index)", .pointsMultiplier(200 + Int64(index) * 50)) { $0.lines = LineScope(categories: [categories[index]], tags: ["red"]) } }
        for index in 0..<5 { add("from-\(index)", .bonusPoints(100_00)) { $0.minAmountKopecks = Int64(index + 1) * 1_000_00 } }
        for index in 0..<5 { add("store-\(index)", .amountOff(50_00)) { $0.stores = ["\(index + 2)"] } }
        for index in 0..<5 {
            add("dates-\(index)", .percentOff(1000)) {
                $0.when = Schedule(from: LocalDate(day: LocalDate("2026-11-01")!.day + Int64(index) * 10), until: LocalDate(day: LocalDate("2026-11-09")!.day + Int64(index) * 10))
                $0.limits = PromotionLimits(budgetKopecks: 1_000_000_00)
            }
        }
        rules.promotions = promotions
        rules.wholesale = WholesaleRules(groups: ["wholesale"], steps: [WholesaleStep(minQuantity: 10_000, discountBp: 500)])
        precondition(rules.violations().isEmpty, "the bench program is valid: \(rules.violations())")
        return rules
    }()

    /// The 20-line receipt with "red price" tags on every fourth line.
    static let receipt: [ReceiptLine] = BenchFixture.bigReceipt.enumerated().map { index, line in
        var line = line
        if index % 4 == 0 { line.tags = ["red"] }
        return line
    }
}
