/// What a threshold counts: the lines a rule is for, or the whole receipt.
public enum ThresholdBasis: String, Codable, Sendable, CaseIterable {
    case lines, receipt
}

/// A promotion (акция): conditions (when, where, which lines, who, how much) and one reward.
public struct Promotion: Codable, Sendable, Equatable {
    /// The merchant's key for the promotion, unique in the program (`happy-hour`); codes and reports refer to it.
    public var id: String
    /// The name customers and cashiers see.
    public var name: String
    /// A switched-off promotion is kept in the program but never applies.
    public var enabled: Bool = true
    /// Dates, weekdays and hours, in the store's time zone.
    public var when: Schedule?
    /// Store ids where it applies; absent for every store.
    public var stores: [String]?
    /// The lines it looks at and rewards; absent for every line.
    public var lines: LineScope?
    /// Customer levels (by name) it is for; absent for everyone.
    public var tiers: [String]?
    /// Customer groups it is for (`wholesale`, `staff`); absent for everyone.
    public var groups: [String]?
    /// The matching lines must add up to at least this (a threshold reward: "from 2,000 ₽").
    public var minAmountKopecks: Kopecks?
    /// The matching lines must hold at least this quantity, in thousandths.
    public var minQuantity: Thousandths?
    /// What `minAmountKopecks` and `minQuantity` count: the matching lines (absent, `lines`) or the whole receipt
    /// (`receipt`: "toys −3 % on an order from 1,000 ₽"). The reward goes to the matching lines either way.
    public var thresholdOn: ThresholdBasis?
    /// Applies only when the till presents a code of a batch that gives this promotion.
    public var requiresCode: Bool = false
    /// Lower numbers apply first (default 100); ties keep the program's order.
    public var priority: Int = 100
    /// When it applies, no other promotion, wholesale step or card discount does.
    public var exclusive: Bool = false
    /// What it gives.
    public var reward: Reward
    /// Caps on uses and on the money it may give away.
    public var limits: PromotionLimits?
    /// For the customer's birthday: from `daysBefore` days before it to `daysAfter` days after (needs their birthday).
    public var birthday: BirthdayWindow?
    /// Only when the customer's previous purchase was at most this many days ago ("come back within a week").
    public var recencyDays: Int?
    /// Facts about the customer that must hold, as a rule's (`customer.purchases` at most 0: "−10 % on the first
    /// purchase"; `customer.daysSinceJoined` at most 6: "double points in the first week"); absent for none.
    public var conditions: [RuleCondition]?
    /// The points it gives become spendable this many days after the purchase, instead of after the program's delay
    /// ("promotion points are credited in 30 days").
    public var activationDelayDays: Int?

    public init(id: String, name: String, reward: Reward) {
        self.id = id
        self.name = name
        self.reward = reward
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        when = try c.decodeIfPresent(Schedule.self, forKey: .when)
        stores = try c.decodeIfPresent([String].self, forKey: .stores)
        lines = try c.decodeIfPresent(LineScope.self, forKey: .lines)
        tiers = try c.decodeIfPresent([String].self, forKey: .tiers)
        groups = try c.decodeIfPresent([String].self, forKey: .groups)
        minAmountKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minAmountKopecks)
        minQuantity = try c.decodeIfPresent(Thousandths.self, forKey: .minQuantity)
        thresholdOn = try c.decodeIfPresent(ThresholdBasis.self, forKey: .thresholdOn)
        requiresCode = try c.decodeIfPresent(Bool.self, forKey: .requiresCode) ?? false
        priority = try c.decodeIfPresent(Int.self, forKey: .priority) ?? 100
        exclusive = try c.decodeIfPresent(Bool.self, forKey: .exclusive) ?? false
        reward = try c.decode(Reward.self, forKey: .reward)
        limits = try c.decodeIfPresent(PromotionLimits.self, forKey: .limits)
        birthday = try c.decodeIfPresent(BirthdayWindow.self, forKey: .birthday)
        recencyDays = try c.decodeIfPresent(Int.self, forKey: .recencyDays)
        conditions = try c.decodeIfPresent([RuleCondition].self, forKey: .conditions)
        activationDelayDays = try c.decodeIfPresent(Int.self, forKey: .activationDelayDays)
    }

    /// What is wrong with the promotion, fields prefixed by `path`; `tierNames` are the program's levels.
    public func violations(path: String, tierNames: Set<String>) -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: "\(path).\(field)", message: message)) }
        }
        check(Self.isValidID(id), "id", "must be 1…64 letters, digits, `-`, `_` or `.`")
        check((1...200).contains(name.count), "name", "must be 1…200 characters")
        check((0...1_000_000).contains(priority), "priority", "must be 0…1000000")
        if let when { errors += when.violations(path: "\(path).when") }
        if let lines { errors += lines.violations(path: "\(path).lines") }
        if let stores {
            check(!stores.isEmpty && stores.count <= 10_000, "stores", "list 1…10000 store ids, or leave it out for every store")
            // Ids as the API writes them: a positive decimal without leading zeros.
            for (index, store) in stores.enumerated() where !Self.isStoreId(store) {
                errors.append(.init(field: "\(path).stores[\(index)]", message: "is not a store id"))
            }
        }
        if let tiers {
            for (index, tier) in tiers.enumerated() where !tierNames.contains(tier) {
                errors.append(.init(field: "\(path).tiers[\(index)]", message: "the program has no level named «\(tier)»"))
            }
        }
        if let groups { check(!groups.isEmpty && groups.allSatisfy { (1...64).contains($0.count) }, "groups", "list 1…64-character group names") }
        if let minAmountKopecks { check((1...ReceiptLine.Limits.maxAmount).contains(minAmountKopecks), "minAmountKopecks", "must be positive") }
        if let minQuantity { check((1...ReceiptLine.Limits.maxQuantity).contains(minQuantity), "minQuantity", "must be positive (thousandths)") }
        check(thresholdOn == nil || minAmountKopecks != nil || minQuantity != nil, "thresholdOn", "says what a threshold counts: give minAmountKopecks or minQuantity, or leave it out")
        errors += reward.violations(path: "\(path).reward")
        if let limits { errors += limits.violations(path: "\(path).limits") }
        if let birthday {
            check((0...31).contains(birthday.daysBefore) && (0...31).contains(birthday.daysAfter), "birthday", "days before and after must be 0…31")
        }
        if let recencyDays { check((1...3650).contains(recencyDays), "recencyDays", "must be 1…3650 days") }
        if let conditions {
            check((1...20).contains(conditions.count), "conditions", "list 1…20 conditions, or leave it out")
            for (index, condition) in conditions.enumerated() { errors += condition.promotionViolations(path: "\(path).conditions[\(index)]") }
        }
        if let activationDelayDays { check((0...3650).contains(activationDelayDays), "activationDelayDays", "must be 0…3650 days") }
        return errors
    }

    static func isStoreId(_ text: String) -> Bool {
        text.utf8.first != 48 && text.utf8.allSatisfy { (48...57).contains($0) } && (Int64(text) ?? 0) > 0
    }

    static func isValidID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || $0 == 45 || $0 == 95 || $0 == 46 }
    }
}

/// What a promotion gives. `kind` says which of the other fields are read.
public struct Reward: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// `percentBp` off the matching lines.
        case percentOff
        /// `amountKopecks` off the matching lines together.
        case amountOff
        /// Each unit of a matching line costs `priceKopecks` (when that is lower).
        case fixedPrice
        /// Of every `buy + get` units, the `get` cheapest are `percentBp` off (100 % by default): "2 + 1".
        case buyXGetY
        /// Every `n`-th unit (the cheapest) is `percentBp` off: "the third coffee is half price".
        case nthItem
        /// One unit of `sku` free: taken off the receipt if it is there, otherwise the cashier is told to add it.
        case gift
        /// The matching lines earn `multiplierPercent` of the usual points (200: double points).
        case pointsMultiplier
        /// `points` extra, once per receipt (with `minAmountKopecks`: "from 2,000 ₽ — 200 points").
        case bonusPoints
    }

    public var kind: Kind
    public var percentBp: BasisPoints?
    public var amountKopecks: Kopecks?
    public var priceKopecks: Kopecks?
    public var buy: Int?
    public var get: Int?
    public var n: Int?
    public var sku: String?
    public var name: String?
    public var multiplierPercent: Int64?
    public var points: Points?

    public init(kind: Kind) { self.kind = kind }

    public static func percentOff(_ bp: BasisPoints) -> Reward { with(.percentOff) { $0.percentBp = bp } }
    public static func amountOff(_ kopecks: Kopecks) -> Reward { with(.amountOff) { $0.amountKopecks = kopecks } }
    public static func fixedPrice(_ kopecks: Kopecks) -> Reward { with(.fixedPrice) { $0.priceKopecks = kopecks } }
    public static func buyXGetY(buy: Int, get: Int, percentBp: BasisPoints = 10_000) -> Reward {
        with(.buyXGetY) { $0.buy = buy; $0.get = get; $0.percentBp = percentBp }
    }
    public static func nthItem(_ n: Int, percentBp: BasisPoints) -> Reward { with(.nthItem) { $0.n = n; $0.percentBp = percentBp } }
    public static func gift(sku: String, name: String) -> Reward { with(.gift) { $0.sku = sku; $0.name = name } }
    public static func pointsMultiplier(_ percent: Int64) -> Reward { with(.pointsMultiplier) { $0.multiplierPercent = percent } }
    public static func bonusPoints(_ points: Points) -> Reward { with(.bonusPoints) { $0.points = points } }

    private static func with(_ kind: Kind, _ set: (inout Reward) -> Void) -> Reward {
        var reward = Reward(kind: kind)
        set(&reward)
        return reward
    }

    /// Whether the reward lowers prices (as opposed to giving points).
    public var isDiscount: Bool { kind != .pointsMultiplier && kind != .bonusPoints }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        // Every field given is checked against its range whatever the kind (as the document says); the kind says
        // which fields are required.
        func check<T: Comparable>(_ value: T?, _ field: String, _ range: ClosedRange<T>, _ message: String, requiredBy kinds: [Kind]) {
            guard let value else {
                if kinds.contains(kind) { errors.append(.init(field: "\(path).\(field)", message: "required for `\(kind.rawValue)`")) }
                return
            }
            if !range.contains(value) { errors.append(.init(field: "\(path).\(field)", message: message)) }
        }
        let percent = "must be 1…10000 basis points (0.01–100 %)"
        check(percentBp, "percentBp", 1...10_000, percent, requiredBy: [.percentOff, .nthItem])
        check(amountKopecks, "amountKopecks", 1...ReceiptLine.Limits.maxAmount, "must be 1…\(ReceiptLine.Limits.maxAmount)", requiredBy: [.amountOff])
        check(priceKopecks, "priceKopecks", 0...ReceiptLine.Limits.maxPrice, "must be 0…\(ReceiptLine.Limits.maxPrice)", requiredBy: [.fixedPrice])
        check(buy, "buy", 1...1000, "must be 1…1000 units", requiredBy: [.buyXGetY])
        check(get, "get", 1...1000, "must be 1…1000 units", requiredBy: [.buyXGetY])
        check(n, "n", 2...1000, "must be 2…1000 (every n-th unit)", requiredBy: [.nthItem])
        // The document's lengths count code points, as JSON Schema does.
        check(sku?.unicodeScalars.count, "sku", 1...100, "must be 1…100 characters", requiredBy: [.gift])
        check(name?.unicodeScalars.count, "name", 0...200, "must be at most 200 characters", requiredBy: [])
        check(multiplierPercent, "multiplierPercent", 101...1000, "must be 101…1000 (200 is double points)", requiredBy: [.pointsMultiplier])
        check(points, "points", 1...100_000_000, "must be 1…100000000 hundredths", requiredBy: [.bonusPoints])
        // A field the kind does not read would be silently ignored: refused instead.
        for (field, given) in givenFields where given && !Self.reads(kind).contains(field) {
            errors.append(.init(field: "\(path).\(field)", message: "`\(kind.rawValue)` does not read it: leave it out"))
        }
        return errors
    }

    /// The fields `kind` reads.
    static func reads(_ kind: Kind) -> Set<String> {
        switch kind {
        case .percentOff: ["percentBp"]
        case .amountOff: ["amountKopecks"]
        case .fixedPrice: ["priceKopecks"]
        case .buyXGetY: ["buy", "get", "percentBp"]
        case .nthItem: ["n", "percentBp"]
        case .gift: ["sku", "name"]
        case .pointsMultiplier: ["multiplierPercent"]
        case .bonusPoints: ["points"]
        }
    }

    /// Each optional field, and whether it is set.
    private var givenFields: [(String, Bool)] {
        [("percentBp", percentBp != nil), ("amountKopecks", amountKopecks != nil), ("priceKopecks", priceKopecks != nil), ("buy", buy != nil),
         ("get", get != nil), ("n", n != nil), ("sku", sku != nil), ("name", name != nil), ("multiplierPercent", multiplierPercent != nil),
         ("points", points != nil)]
    }

    /// Forgets the fields the kind does not read (programs saved before they were refused may hold them).
    public mutating func forgetUnreadSettings() {
        let read = Self.reads(kind)
        if !read.contains("percentBp") { percentBp = nil }
        if !read.contains("amountKopecks") { amountKopecks = nil }
        if !read.contains("priceKopecks") { priceKopecks = nil }
        if !read.contains("buy") { (buy, get) = (nil, nil) }
        if !read.contains("n") { n = nil }
        if !read.contains("sku") { (sku, name) = (nil, nil) }
        if !read.contains("multiplierPercent") { multiplierPercent = nil }
        if !read.contains("points") { points = nil }
    }
}

/// Caps on a promotion. Counted from committed receipts; returns do not give uses back.
public struct PromotionLimits: Codable, Sendable, Equatable {
    /// Receipts it may apply to, in all.
    public var totalUses: Int64?
    /// Receipts it may apply to per customer (needs an identified customer).
    public var usesPerCustomer: Int64?
    /// What `usesPerCustomer` counts over: the store's local `day`, `week` (from Monday), calendar `month` or `year`
    /// ("a birthday discount once a year", "once a week"); absent, all time.
    public var customerPeriod: RuleCap.Period?
    /// Receipts it may apply to per day (the store's local day).
    public var usesPerDay: Int64?
    /// Money it may give away in all: discounts plus points at their value, in kopecks.
    public var budgetKopecks: Kopecks?

    public init(totalUses: Int64? = nil, usesPerCustomer: Int64? = nil, usesPerDay: Int64? = nil, budgetKopecks: Kopecks? = nil) {
        self.totalUses = totalUses
        self.usesPerCustomer = usesPerCustomer
        self.usesPerDay = usesPerDay
        self.budgetKopecks = budgetKopecks
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (field, value) in [("totalUses", totalUses), ("usesPerCustomer", usesPerCustomer), ("usesPerDay", usesPerDay), ("budgetKopecks", budgetKopecks)] {
            if let value, value < 1 { errors.append(.init(field: "\(path).\(field)", message: "must be positive (leave it out for no limit)")) }
        }
        if let customerPeriod {
            if usesPerCustomer == nil {
                errors.append(.init(field: "\(path).customerPeriod", message: "says what usesPerCustomer counts over: give usesPerCustomer, or leave it out"))
            }
            if ![.day, .week, .month, .year].contains(customerPeriod) {
                errors.append(.init(field: "\(path).customerPeriod", message: "must be day, week, month or year (leave it out for all time)"))
            }
        }
        return errors
    }
}

extension PromotionLimits {
    /// The counter of a customer's uses on the store's local `date`: one for all time, or one per period (nil when
    /// the date is unknown: a calculation without a store).
    public func customerBucket(_ customerId: Int64, date: LocalDate?) -> String? {
        guard let customerPeriod, customerPeriod != .ever else { return "c\(customerId)" }
        guard let date else { return nil }
        switch customerPeriod {
        case .day: return "c\(customerId)/d\(date.day)"
        case .week: return "c\(customerId)/w\(date.day - Int64(date.weekday - 1))"
        case .month: return "c\(customerId)/m\(date.description.prefix(7))"
        default: return "c\(customerId)/y\(date.description.prefix(4))"
        }
    }
}

/// How a promotion has been used so far, as the store counts it for a calculation.
public struct PromotionUsage: Sendable, Equatable {
    public var uses: Int64
    public var customerUses: Int64
    public var dayUses: Int64
    public var spentKopecks: Kopecks

    public init(uses: Int64 = 0, customerUses: Int64 = 0, dayUses: Int64 = 0, spentKopecks: Kopecks = 0) {
        self.uses = uses
        self.customerUses = customerUses
        self.dayUses = dayUses
        self.spentKopecks = spentKopecks
    }
}

/// Days around a customer's birthday ("a week before and a week after": 7 and 7; the day itself: 0 and 0).
public struct BirthdayWindow: Codable, Sendable, Equatable {
    public var daysBefore: Int
    public var daysAfter: Int

    public init(daysBefore: Int, daysAfter: Int) {
        self.daysBefore = daysBefore
        self.daysAfter = daysAfter
    }

    /// Whether `date` is in the window around `birthday` in any year (29 February is celebrated on 28 February in
    /// other years).
    public func contains(_ date: LocalDate, birthday: LocalDate) -> Bool { anniversary(around: date, birthday: birthday) != nil }

    /// The birthday's anniversary whose window holds `date`, if one does.
    public func anniversary(around date: LocalDate, birthday: LocalDate) -> LocalDate? {
        let (year, _, _) = Instant.civil(fromDays: date.day)
        let (_, month, day) = Instant.civil(fromDays: birthday.day)
        for candidate in [year - 1, year, year + 1] {
            let leap = candidate % 4 == 0 && (candidate % 100 != 0 || candidate % 400 == 0)
            let anniversary = Instant.days(fromCivil: candidate, month, month == 2 && day == 29 && !leap ? 28 : day)
            if (anniversary - Int64(daysBefore)...anniversary + Int64(daysAfter)).contains(date.day) { return LocalDate(day: anniversary) }
        }
        return nil
    }
}
