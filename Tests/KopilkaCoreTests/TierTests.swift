import Foundation
import KopilkaCore
import Testing

@Suite struct TierTests {
    // 3 % from 0, 5 % from 10,000 ₽, 7 % from 30,000 ₽ (the last with a 50 % cap), 10 % from 100,000 ₽.
    static let rules = TierRules(tiers: [
        Tier(name: "Базовый", threshold: 0, accrualRateBp: 300),
        Tier(name: "Серебро", threshold: 10_000_00, accrualRateBp: 500),
        Tier(name: "Золото", threshold: 30_000_00, accrualRateBp: 700, maxRedeemShareBp: 5000, privileges: ["бесплатная доставка"]),
        Tier(name: "Платина", threshold: 100_000_00, accrualRateBp: 1000),
    ])

    @Test(arguments: [
        (Int64(0), 0), (9_999_99, 0), (10_000_00, 1),  // exactly at a threshold reaches the level
        (29_999_99, 1), (30_000_00, 2), (99_999_99, 2), (100_000_00, 3), (5_000_000_00, 3),
    ])
    func levelIsTheHighestThresholdReached(spend: Int64, level: Int) {
        #expect(Self.rules.level(for: spend) == level)
    }

    @Test func aReachedLevelIsKeptOnlyWhenTheProgramSaysSo() {
        var keep = Self.rules
        keep.keepReachedLevel = true
        #expect(keep.level(for: 0, reached: 2) == 2)
        #expect(Self.rules.level(for: 0, reached: 2) == 0)
        #expect(keep.level(for: 100_000_00, reached: 2) == 3, "upgrades still happen at once")
    }

    @Test func standingSaysWhatTheNextLevelNeeds() throws {
        let standing = try #require(TierStanding(rules: Self.rules, qualifying: 12_500_00))
        #expect(standing.tier == "Серебро")
        #expect(standing.nextTier == "Золото")
        #expect(standing.toNextTier == 17_500_00)  // 30,000 − 12,500
        let top = try #require(TierStanding(rules: Self.rules, qualifying: 200_000_00))
        #expect(top.nextTier == nil && top.toNextTier == nil)
        #expect(TierStanding(rules: TierRules(tiers: []), qualifying: 5) == nil)
    }

    @Test func theLevelsRateAndCapApply() {
        let coffee = [ReceiptLine(sku: "C", quantity: 1000, price: 1_000_00)]
        let gold = Self.rules.tiers[2]
        let result = ReceiptCalculator.calculate(
            lines: coffee, rules: ProgramRules(), customer: .init(spendablePoints: 10_000_00, tier: gold), redeem: .max)
        // Gold lets points pay 50 % (500 ₽, not the program's 30 %), and earns 7 % of the 500 ₽ paid in money.
        #expect(result.redeemedKopecks == 500_00)
        #expect(result.earnedPoints == 35_00)
        #expect(result.explanation.first?.code == "tier")
        #expect(result.explanation.first?.values.first == .text("Золото"))
    }

    @Test(arguments: [
        ([Tier(name: "A", threshold: 100, accrualRateBp: 300)], "tiers.tiers[0].threshold"),  // must start at 0
        ([Tier(name: "A", threshold: 0, accrualRateBp: 300), Tier(name: "B", threshold: 0, accrualRateBp: 500)], "tiers.tiers[1].threshold"),
        ([Tier(name: "A", threshold: 0, accrualRateBp: 300), Tier(name: "B", threshold: 500, accrualRateBp: 500),
          Tier(name: "C", threshold: 400, accrualRateBp: 700)], "tiers.tiers[2].threshold"),  // unordered
        ([Tier(name: "A", threshold: 0, accrualRateBp: 10_001)], "tiers.tiers[0].accrualRateBp"),
        ([Tier(name: "", threshold: 0, accrualRateBp: 300)], "tiers.tiers[0].name"),
        ([], "tiers.tiers"),
    ])
    func badLevelsAreRefusedByField(tiers: [Tier], field: String) {
        var program = ProgramRules()
        program.tiers = TierRules(tiers: tiers)
        #expect(program.violations().map(\.field).contains(field))
    }

    @Test func levelsDecodeFromJSON() throws {
        let json = #"{"tiers": {"basis": "purchases", "windowDays": 90, "tiers": [{"name": "Гость", "threshold": 0, "accrualRateBp": 300}]}}"#
        let rules = try JSONDecoder().decode(ProgramRules.self, from: Data(json.utf8))
        #expect(rules.tiers?.basis == .purchases)
        #expect(rules.tiers?.windowDays == 90)
        #expect(rules.tiers?.keepReachedLevel == false)
        #expect(rules.violations().isEmpty)
    }

    @Test(arguments: [
        (TierRules.Period.month, "2026-11-26", "2026-11-01", "2026-10-01"),
        (.month, "2026-01-31", "2026-01-01", "2025-12-01"),
        (.quarter, "2026-11-26", "2026-10-01", "2026-07-01"),
        (.quarter, "2026-02-01", "2026-01-01", "2025-10-01"),
        (.year, "2026-12-31", "2026-01-01", "2025-01-01"),
    ])
    func calendarPeriodsStartOnTheirFirstDay(period: TierRules.Period, date: String, current: String, previous: String) {
        let bounds = period.bounds(of: LocalDate(date)!)
        #expect(bounds?.current == LocalDate(current) && bounds?.previous == LocalDate(previous))
    }

    @Test func theBestMonthIsLookedForInTheCurrentMonthAndTheOnesBefore() {
        let starts = TierRules.Period.monthStarts(of: LocalDate("2026-02-15")!, count: 3)
        #expect(starts == ["2026-02-01", "2026-01-01", "2025-12-01"].map { LocalDate($0)! })
        #expect(TierRules.Period.monthStarts(of: LocalDate("2026-12-31")!, count: 1) == [LocalDate("2026-12-01")!])
        var rules = TierRules(tiers: [Tier(name: "Base", threshold: 0, accrualRateBp: 300)])
        rules.period = .bestMonth
        rules.bestOfMonths = 0
        #expect(rules.violations(path: "tiers").map(\.field) == ["tiers.bestOfMonths"])
    }

    @Test func aSettingThePeriodDoesNotReadIsRefusedAndWhatIsReadBackSavesAgain() throws {
        func decoded(_ json: String) throws -> TierRules {
            let levels = #""tiers": [{"name": "A", "threshold": 0, "accrualRateBp": 300}]"#
            return try JSONDecoder().decode(TierRules.self, from: Data("{\(levels), \(json)}".utf8))
        }
        #expect(try decoded(#""period": "quarter", "windowDays": 0"#).violations(path: "tiers").map(\.field) == ["tiers.windowDays"])
        #expect(try decoded(#""period": "month", "bestOfMonths": 3"#).violations(path: "tiers").map(\.field) == ["tiers.bestOfMonths"])
        #expect(try decoded(#""period": "rolling", "windowDays": 0, "bestOfMonths": 2"#).violations(path: "tiers").map(\.field) == ["tiers.bestOfMonths"])
        #expect(try decoded(#""period": "bestMonth", "bestOfMonths": 2"#).violations(path: "tiers") == [])
        // What the API shows is what it takes: a calendar period is shown without a window, a rolling one with its default.
        for json in [#""period": "quarter""#, #""period": "rolling""#, #""period": "bestMonth""#] {
            let rules = try decoded(json)
            let shown = try JSONDecoder().decode(TierRules.self, from: JSONEncoder().encode(rules))
            #expect(shown == rules && shown.violations(path: "tiers") == [], "\(json)")
        }
        #expect(String(decoding: try JSONEncoder().encode(try decoded(#""period": "rolling""#)), as: UTF8.self).contains(#""windowDays":365"#))
        // A program saved with a window beside a quarter (before it was refused) reads without it.
        var stored = try decoded(#""period": "quarter", "windowDays": 0"#)
        stored.forgetUnreadSettings()
        #expect(stored.violations(path: "tiers") == [])
    }
}
