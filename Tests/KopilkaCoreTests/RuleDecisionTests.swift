import Foundation
import KopilkaCore
import Testing

/// A rule's points by hand: the fixed part, parts per fact with their caps, caps per period cutting to what is left
/// in the program's step, facts that are unknown, levels; and the settings a rule refuses, each with its field.
@Suite struct RuleDecisionTests {
    static func review() -> Rule {
        // "10 points + 1 point per 20 characters, at most 25; +30 with photos; at most 3 reviews and 100 points a month."
        var rule = Rule(id: "review", name: "Отзыв", on: .action, points: 10_00)
        rule.action = "review"
        rule.pointsPer = [
            PointsPer(fact: "action.length", every: 20, points: 1_00, maxPoints: 25_00), PointsPer(fact: "action.photos", every: 1, points: 30_00, maxPoints: 30_00),
        ]
        rule.caps = [RuleCap(per: .month, times: 3, points: 100_00)]
        return rule
    }

    static func facts(_ attributes: [String: Int64]) -> RuleFacts {
        var facts = RuleFacts()
        facts.add(action: attributes)
        return facts
    }

    static func points(_ rule: Rule, _ attributes: [String: Int64], used: RuleCapUsage = .init(), level: String? = nil, step: Points = 1)
        -> Result<Points, RuleDecision.Refusal>
    {
        RuleDecision.points(rule, facts: facts(attributes), level: level, usage: rule.caps.map { _ in used }, step: step)
    }

    @Test func pointsAreTheFixedPartAndThePartsByFacts() {
        #expect(Self.points(Self.review(), ["length": 0]) == .success(10_00))
        #expect(Self.points(Self.review(), ["length": 59]) == .success(12_00), "59 characters: two whole 20s")
        #expect(Self.points(Self.review(), ["length": 10_000, "photos": 4]) == .success(65_00), "10 + 25 (capped) + 30 (capped)")
        #expect(Self.points(Self.review(), ["length": Int64.max, "photos": Int64.max]) == .success(65_00), "no product overflows")
        #expect(Self.points(Self.review(), [:]) == .success(10_00), "unknown attributes give no part")
    }

    @Test func capsCutToWhatIsLeftInTheStepOrRefuse() {
        #expect(Self.points(Self.review(), ["length": 10_000], used: .init(times: 2, points: 80_00)) == .success(20_00))
        #expect(Self.points(Self.review(), ["length": 10_000], used: .init(times: 2, points: 99_50), step: 100) == .failure(.capReached(per: .month, of: .customer)),
                "half a point left is none in whole points")
        #expect(Self.points(Self.review(), ["length": 10_000], used: .init(times: 2, points: 98_50), step: 100) == .success(1_00))
        #expect(Self.points(Self.review(), [:], used: .init(times: 3, points: 0)) == .failure(.capReached(per: .month, of: .customer)))
    }

    @Test func conditionsNeedAKnownFactInRangeAndLevelsTheirLevel() {
        var rule = Rule(id: "gift", name: "Подарок", on: .birthday, points: 500_00)
        rule.conditions = [RuleCondition(fact: RuleFacts.Customer.birthdayKnownDays.rawValue, atLeast: 30)]
        rule.tiers = ["Gold"]
        var facts = RuleFacts()
        #expect(RuleDecision.points(rule, facts: facts, level: "Gold", usage: [], step: 1) == .failure(.conditionNotMet(fact: "customer.birthdayKnownDays")))
        facts[.birthdayKnownDays] = 29
        #expect(RuleDecision.points(rule, facts: facts, level: "Gold", usage: [], step: 1) == .failure(.conditionNotMet(fact: "customer.birthdayKnownDays")))
        facts[.birthdayKnownDays] = 30
        #expect(RuleDecision.points(rule, facts: facts, level: "Gold", usage: [], step: 1) == .success(500_00))
        #expect(RuleDecision.points(rule, facts: facts, level: "Silver", usage: [], step: 1) == .failure(.notForLevel))
        rule.enabled = false
        #expect(RuleDecision.points(rule, facts: facts, level: "Gold", usage: [], step: 1) == .failure(.disabled))
    }

    @Test func settingsThatCannotWorkAreRefusedWithTheirField() {
        func fields(_ configure: (inout Rule) -> Void) -> [String] {
            var rule = Self.review()
            configure(&rule)
            var rules = ProgramRules()
            rules.rules = [rule]
            return rules.violations().map(\.field)
        }
        #expect(fields { _ in } == [])
        #expect(fields { $0.action = nil } == ["rules[0].action"])
        #expect(fields { $0.on = .birthday } == ["rules[0].action", "rules[0].pointsPer[0].fact", "rules[0].pointsPer[1].fact"],
                "a birthday knows no action's attributes")
        #expect(fields { $0.on = .levelReached; $0.action = nil; $0.pointsPer = []; $0.level = "Gold" } == ["rules[0].level"], "no such level")
        #expect(fields { $0.conditions = [RuleCondition(fact: "customer.age", atLeast: 18)] } == ["rules[0].conditions[0].fact"])
        #expect(fields { $0.conditions = [RuleCondition(fact: "action.length", atLeast: 10, atMost: 5)] } == ["rules[0].conditions[0].atMost"])
        #expect(fields { $0.caps = [RuleCap(per: .purchase, times: 1, of: .everyone)] } == ["rules[0].caps[0].of"])
        #expect(fields { $0.caps = [RuleCap(per: .day)] } == ["rules[0].caps[0].times"])
        #expect(fields { $0.lifetime = RuleLifetime(days: 7, months: 1) } == ["rules[0].lifetime.months"])
        #expect(fields { $0.points = 0; $0.pointsPer = [] } == ["rules[0].points"])
        #expect(fields { $0.pointsPer = [PointsPer(fact: "receipt.paidKopecks", every: 100, points: 100)] } == ["rules[0].pointsPer[0].fact"],
                "only a purchase knows the receipt")
        func purchase(_ configure: (inout Rule) -> Void) -> [String] {
            fields { rule in
                (rule.on, rule.action, rule.caps) = (.purchase, nil, [])
                rule.pointsPer = [PointsPer(fact: "receipt.paidKopecks", every: 100_000, points: 50_00)]
                configure(&rule)
            }
        }
        #expect(purchase { _ in } == [])
        #expect(purchase { $0.lifetime = RuleLifetime(days: 30) } == ["rules[0].lifetime"], "a purchase's points live as its others")
        #expect(purchase { $0.caps = [RuleCap(per: .purchase, times: 1)] } == ["rules[0].caps"])
        var rules = ProgramRules()
        rules.pointsStep = 100
        rules.rules = [Self.review(), Self.review()]
        rules.rules[0].points = 10_50
        #expect(rules.violations().map(\.field) == ["rules[0].points", "rules[1].id"])
    }
}
