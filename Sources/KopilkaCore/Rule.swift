/// A rule (правило): when something happens to a customer (the trigger), if the conditions hold, give points (the
/// effect, a fixed part and parts counted from facts such as a review's length), within caps (per day, month, year,
/// between two purchases or ever; per customer or over everyone), to live for a lifetime.
///
/// Rules give what happens outside a receipt: a birthday gift, points for a review, a completed profile or a place in
/// a tournament, a bonus when a level is reached. docs/decisions/0011-rules.md shows how the program's other settings
/// are combinations of the same parts.
public struct Rule: Codable, Sendable, Equatable {
    /// What makes the rule look at a customer.
    public enum Trigger: String, Codable, Sendable, CaseIterable {
        /// The customer joined.
        case registration
        /// The customer's birthday comes (in the window of `birthday`, once a year).
        case birthday
        /// The till, the site or the cabinet reports an action of the customer named `action` ("review").
        case action
        /// A purchase lifts the customer to the level `level` (or past it), once.
        case levelReached
        /// A purchase that earns points: the rule's points join them (split over the lines, given back by returns, and
        /// living as they do). Conditions may read the receipt (`receipt.*`) and the customer as before the purchase.
        case purchase
    }

    /// The merchant's key for the rule, unique in the program (`birthday-gift`).
    public var id: String
    /// What customers and staff see ("Подарок на день рождения").
    public var name: String
    /// A switched-off rule is kept in the program but gives nothing.
    public var enabled: Bool = true
    public var on: Trigger
    /// For `action`: the action's name as the integrator reports it (`review`, `profile`, `repost`, `tournament`).
    public var action: String?
    /// For `levelReached`: the level's name.
    public var level: String?
    /// For `birthday`: the days around it in which the gift is given (default the day itself).
    public var birthday: BirthdayWindow?
    /// Levels (by name) the customer must be on; absent for everyone.
    public var tiers: [String]?
    /// Facts that must hold ("the birthday was known 30 days before", "a review of at least 200 characters").
    public var conditions: [RuleCondition] = []
    /// The fixed part of the points given, in hundredths.
    public var points: Points = 0
    /// Parts counted from facts ("+50 points with photos", "1 point per 10 characters, at most 100").
    public var pointsPer: [PointsPer] = []
    /// At most so many grants, or so many points, per period.
    public var caps: [RuleCap] = []
    /// How long the points live; absent, as the program's other points.
    public var lifetime: RuleLifetime?

    public init(id: String, name: String, on: Trigger, points: Points) {
        self.id = id
        self.name = name
        self.on = on
        self.points = points
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        on = try c.decode(Trigger.self, forKey: .on)
        action = try c.decodeIfPresent(String.self, forKey: .action)
        level = try c.decodeIfPresent(String.self, forKey: .level)
        birthday = try c.decodeIfPresent(BirthdayWindow.self, forKey: .birthday)
        tiers = try c.decodeIfPresent([String].self, forKey: .tiers)
        conditions = try c.decodeIfPresent([RuleCondition].self, forKey: .conditions) ?? []
        points = try c.decodeIfPresent(Points.self, forKey: .points) ?? 0
        pointsPer = try c.decodeIfPresent([PointsPer].self, forKey: .pointsPer) ?? []
        caps = try c.decodeIfPresent([RuleCap].self, forKey: .caps) ?? []
        lifetime = try c.decodeIfPresent(RuleLifetime.self, forKey: .lifetime)
    }

    /// What is wrong with the rule, fields prefixed by `path`; `tierNames` are the program's levels, `pointsStep` its step.
    public func violations(path: String, tierNames: Set<String>, pointsStep: Points) -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: "\(path).\(field)", message: message)) }
        }
        check(Promotion.isValidID(id), "id", "must be 1…64 letters, digits, `-`, `_` or `.`")
        check((1...200).contains(name.count), "name", "must be 1…200 characters")
        check((on == .action) == (action != nil), "action", on == .action ? "name the action the rule is for" : "only a rule on an action names one")
        if let action { check(RuleFacts.isName(action), "action", "must be 1…64 letters, digits or `_`") }
        check((on == .levelReached) == (level != nil), "level", on == .levelReached ? "name the level the rule is for" : "only a rule on a level names one")
        if let level { check(tierNames.contains(level), "level", "the program has no level named «\(level)»") }
        check(on == .birthday || birthday == nil, "birthday", "only a rule on the birthday has a window")
        if let birthday {
            check((0...31).contains(birthday.daysBefore) && (0...31).contains(birthday.daysAfter), "birthday", "days before and after must be 0…31")
        }
        if let tiers {
            for (index, tier) in tiers.enumerated() where !tierNames.contains(tier) {
                errors.append(.init(field: "\(path).tiers[\(index)]", message: "the program has no level named «\(tier)»"))
            }
        }
        check(conditions.count <= 20, "conditions", "at most 20 conditions")
        for (index, condition) in conditions.enumerated() { errors += condition.violations(path: "\(path).conditions[\(index)]", on: on) }
        let amount = 0...Points(100_000_000)
        check(amount.contains(points), "points", "must be 0…100000000 hundredths")
        check(points > 0 || !pointsPer.isEmpty, "points", "a rule gives points: a fixed number, or per a fact")
        check(points % pointsStep == 0, "points", "must be whole points: the program counts points in whole steps (pointsStep 100)")
        check(pointsPer.count <= 10, "pointsPer", "at most 10 parts")
        for (index, part) in pointsPer.enumerated() {
            errors += part.violations(path: "\(path).pointsPer[\(index)]", on: on, pointsStep: pointsStep)
        }
        check(caps.count <= 10, "caps", "at most 10 caps")
        for (index, cap) in caps.enumerated() { errors += cap.violations(path: "\(path).caps[\(index)]") }
        if let lifetime { errors += lifetime.violations(path: "\(path).lifetime") }
        check(on != .purchase || lifetime == nil, "lifetime", "a purchase's points live as its other points: leave it out")
        check(on != .purchase || caps.allSatisfy { $0.per != .purchase }, "caps", "a purchase starts a new period between purchases: cap per day, week, month, year or ever")
        return errors
    }
}

/// A fact that must lie in a range: `{"fact": "action.length", "atLeast": 200}`.
public struct RuleCondition: Codable, Sendable, Hashable {
    /// A fact's name (`RuleFacts`).
    public var fact: String
    public var atLeast: Int64?
    public var atMost: Int64?

    public init(fact: String, atLeast: Int64? = nil, atMost: Int64? = nil) {
        self.fact = fact
        self.atLeast = atLeast
        self.atMost = atMost
    }

    /// Whether the fact is known and in the range.
    func holds(in facts: RuleFacts) -> Bool {
        guard let value = facts[fact] else { return false }
        return value >= (atLeast ?? .min) && value <= (atMost ?? .max)
    }

    func violations(path: String, on trigger: Rule.Trigger) -> [FieldError] {
        rangeViolations(path: path, RuleFacts.violations(fact, path: "\(path).fact", on: trigger))
    }

    /// For a promotion's conditions, which read the customer only (the receipt has its thresholds).
    func promotionViolations(path: String) -> [FieldError] {
        let known = RuleFacts.Customer(rawValue: fact) != nil
        let message = "a promotion reads the customer: one of " + RuleFacts.Customer.allCases.map(\.rawValue).joined(separator: ", ")
        return rangeViolations(path: path, known ? [] : [.init(field: "\(path).fact", message: message)])
    }

    private func rangeViolations(path: String, _ factErrors: [FieldError]) -> [FieldError] {
        var errors = factErrors
        if atLeast == nil, atMost == nil { errors.append(.init(field: "\(path).atLeast", message: "give atLeast, atMost or both")) }
        if let atLeast, let atMost, atLeast > atMost { errors.append(.init(field: "\(path).atMost", message: "must not be below atLeast")) }
        return errors
    }
}

/// Points for each whole `every` of a fact: `{"fact": "action.length", "every": 10, "points": 100, "maxPoints": 10000}`
/// is "1 point per 10 characters, at most 100".
public struct PointsPer: Codable, Sendable, Equatable {
    public var fact: String
    public var every: Int64
    public var points: Points
    /// At most this many points from this part (absent: no cap).
    public var maxPoints: Points?

    public init(fact: String, every: Int64, points: Points, maxPoints: Points? = nil) {
        self.fact = fact
        self.every = every
        self.points = points
        self.maxPoints = maxPoints
    }

    /// The points the facts give (0 when the fact is unknown or negative).
    func points(for facts: RuleFacts) -> Points {
        guard let value = facts[fact], value > 0, every > 0 else { return 0 }
        let cap = maxPoints ?? 100_000_000
        // The number of whole steps is capped before multiplying, so no product overflows.
        let steps = min(value / every, cap / max(points, 1) + 1)
        return min(steps * points, cap)
    }

    func violations(path: String, on trigger: Rule.Trigger, pointsStep: Points) -> [FieldError] {
        var errors = RuleFacts.violations(fact, path: "\(path).fact", on: trigger)
        if !(1...1_000_000_000).contains(every) { errors.append(.init(field: "\(path).every", message: "must be 1…1000000000")) }
        if !(1...100_000_000).contains(points) || points % pointsStep != 0 {
            errors.append(.init(field: "\(path).points", message: "must be 1…100000000 hundredths, on the program's points step"))
        }
        if let maxPoints, !(1...100_000_000).contains(maxPoints) || maxPoints % pointsStep != 0 {
            errors.append(.init(field: "\(path).maxPoints", message: "must be 1…100000000 hundredths, on the program's points step"))
        }
        return errors
    }
}

/// A cap on a rule: at most `times` grants and at most `points` points in each `per`, for each customer or for
/// everyone together.
public struct RuleCap: Codable, Sendable, Equatable {
    public enum Period: String, Codable, Sendable, CaseIterable {
        /// The program's local day, week (from Monday), calendar month or year.
        case day, week, month, year
        /// Since the customer's last purchase ("one review between purchases").
        case purchase
        /// All time.
        case ever
    }

    /// Whose grants count.
    public enum Scope: String, Codable, Sendable, CaseIterable {
        case customer, everyone
    }

    public var per: Period
    public var times: Int64?
    public var points: Points?
    public var of: Scope = .customer

    public init(per: Period, times: Int64? = nil, points: Points? = nil, of: Scope = .customer) {
        self.per = per
        self.times = times
        self.points = points
        self.of = of
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        per = try c.decode(Period.self, forKey: .per)
        times = try c.decodeIfPresent(Int64.self, forKey: .times)
        points = try c.decodeIfPresent(Points.self, forKey: .points)
        of = try c.decodeIfPresent(Scope.self, forKey: .of) ?? .customer
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if times == nil, points == nil { errors.append(.init(field: "\(path).times", message: "give times, points or both")) }
        if let times, !(1...1_000_000_000).contains(times) { errors.append(.init(field: "\(path).times", message: "must be 1…1000000000")) }
        if let points, !(1...100_000_000_000).contains(points) { errors.append(.init(field: "\(path).points", message: "must be 1…100000000000 hundredths")) }
        if per == .purchase, of == .everyone { errors.append(.init(field: "\(path).of", message: "a cap between purchases is a customer's")) }
        return errors
    }
}

/// How long a rule's points live: days or calendar months from the grant.
public struct RuleLifetime: Codable, Sendable, Equatable {
    public var days: Int?
    public var months: Int?

    public init(days: Int? = nil, months: Int? = nil) {
        self.days = days
        self.months = months
    }

    func violations(path: String) -> [FieldError] {
        switch (days, months) {
        case (.some, .some): return [.init(field: "\(path).months", message: "give days or months, not both")]
        case (nil, nil): return [.init(field: "\(path).days", message: "give days (1…3650) or months (1…120)")]
        case (let days?, nil): return (1...3650).contains(days) ? [] : [.init(field: "\(path).days", message: "must be 1…3650 days")]
        case (nil, let months?): return (1...120).contains(months) ? [] : [.init(field: "\(path).months", message: "must be 1…120 months")]
        }
    }
}
