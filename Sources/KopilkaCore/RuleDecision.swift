/// What a rule's conditions and parts may name, by name: the customer's facts, and an action's attributes as the
/// integrator reports them (`action.length`, `action.photos`, `action.place`). A fact that is not known (no purchase
/// yet, no birthday) fails every condition on it.
public struct RuleFacts: Sendable, Equatable {
    /// The facts every trigger knows.
    public enum Customer: String, CaseIterable, Sendable {
        /// Whole days since the customer joined.
        case daysSinceJoined = "customer.daysSinceJoined"
        /// Purchases not returned in full, all time.
        case purchases = "customer.purchases"
        /// Whole days since the last purchase (unknown before the first).
        case daysSinceLastPurchase = "customer.daysSinceLastPurchase"
        /// Whole days since the customer's birthday became known (unknown without one).
        case birthdayKnownDays = "customer.birthdayKnownDays"
        /// 1 when the customer gave a name, an email, a birthday, agreed to messages; else 0.
        case hasName = "customer.hasName"
        case hasEmail = "customer.hasEmail"
        case hasBirthday = "customer.hasBirthday"
        case marketingConsent = "customer.marketingConsent"
    }

    /// The facts of the receipt a rule on `purchase` looks at.
    public enum Receipt: String, CaseIterable, Sendable {
        /// The receipt's sum before anything, in kopecks.
        case amountKopecks = "receipt.amountKopecks"
        /// After discounts, before points.
        case sumKopecks = "receipt.sumKopecks"
        /// Paid in money: after discounts and points.
        case paidKopecks = "receipt.paidKopecks"
        /// Whole items on the receipt (each line's quantity, in whole units, added up).
        case items = "receipt.items"
    }

    public static let actionPrefix = "action."

    private var values: [String: Int64] = [:]

    public init() {}

    public subscript(name: String) -> Int64? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public subscript(fact: Customer) -> Int64? {
        get { values[fact.rawValue] }
        set { values[fact.rawValue] = newValue }
    }

    public subscript(fact: Receipt) -> Int64? {
        get { values[fact.rawValue] }
        set { values[fact.rawValue] = newValue }
    }

    /// Adds an action's attributes as `action.<name>`.
    public mutating func add(action attributes: [String: Int64]) {
        for (name, value) in attributes { values[Self.actionPrefix + name] = value }
    }

    /// Whether `text` may name an action or an attribute: 1…64 ASCII letters, digits or `_`.
    public static func isName(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 95 }
    }

    static func violations(_ fact: String, path: String, on trigger: Rule.Trigger) -> [FieldError] {
        if Customer(rawValue: fact) != nil { return [] }
        if Receipt(rawValue: fact) != nil {
            return trigger == .purchase ? [] : [.init(field: path, message: "only a rule on a purchase knows the receipt")]
        }
        if fact.hasPrefix(actionPrefix), isName(String(fact.dropFirst(actionPrefix.count))) {
            return trigger == .action ? [] : [.init(field: path, message: "only a rule on an action knows the action's attributes")]
        }
        let known = (Customer.allCases.map(\.rawValue) + Receipt.allCases.map(\.rawValue)).joined(separator: ", ")
        return [.init(field: path, message: "must be one of \(known), or action.<attribute>")]
    }
}

/// A rule's grants so far in one cap's period.
public struct RuleCapUsage: Sendable, Equatable {
    public var times: Int64
    public var points: Points

    public init(times: Int64 = 0, points: Points = 0) {
        self.times = times
        self.points = points
    }
}

/// Whether a rule gives a customer points now, and how many. No I/O.
public enum RuleDecision {
    /// Why a rule gives nothing, as a code with its arguments.
    public enum Refusal: Error, Equatable, Sendable {
        case disabled
        /// The customer is not on one of the rule's levels.
        case notForLevel
        /// The fact is unknown or out of the condition's range.
        case conditionNotMet(fact: String)
        /// A cap is used up.
        case capReached(per: RuleCap.Period, of: RuleCap.Scope)
        /// The facts give no points (a review of no characters).
        case nothing

        public var code: String {
            switch self {
            case .disabled: "rule_disabled"
            case .notForLevel: "rule_not_for_level"
            case .conditionNotMet: "rule_condition_not_met"
            case .capReached: "rule_cap_reached"
            case .nothing: "rule_gives_nothing"
            }
        }
    }

    /// The points `rule` gives: its fixed part and its parts by facts, cut to what its caps leave (`usage` holds each
    /// cap's grants so far, in the caps' order) and down to the program's `step`.
    public static func points(
        _ rule: Rule, facts: RuleFacts, level: String?, usage: [RuleCapUsage], step: Points
    ) -> Result<Points, Refusal> {
        guard rule.enabled else { return .failure(.disabled) }
        if let tiers = rule.tiers, !tiers.contains(where: { $0 == level }) { return .failure(.notForLevel) }
        if let failed = rule.conditions.first(where: { !$0.holds(in: facts) }) { return .failure(.conditionNotMet(fact: failed.fact)) }
        var points = rule.points
        for part in rule.pointsPer { points += part.points(for: facts) }
        guard points > 0 else { return .failure(.nothing) }
        for (cap, used) in zip(rule.caps, usage) {
            let left = cap.points.map { $0 - used.points } ?? points
            // What is left under a points cap is given down to the step; less than a step is none.
            guard used.times < cap.times ?? .max, left - left % max(step, 1) > 0 else {
                return .failure(.capReached(per: cap.per, of: cap.of))
            }
            points = min(points, left)
        }
        return .success(points - points % max(step, 1))
    }
}
