/// One level of a multilevel program: reached at a threshold of qualifying spend (or purchases).
public struct Tier: Codable, Sendable, Equatable {
    /// The level's name as customers see it ("Серебро", "Gold").
    public var name: String
    /// Qualifying spend in kopecks (or number of purchases) from which the level applies; the first level's is 0.
    public var threshold: Int64
    /// The accrual rate on this level, in basis points.
    public var accrualRateBp: BasisPoints
    /// The redemption cap on this level, in basis points of the check; nil keeps the program's.
    public var maxRedeemShareBp: BasisPoints?
    /// The card discount on this level, in basis points; nil keeps the program's (an accumulative discount
    /// is levels that each set one).
    public var discountBp: BasisPoints?
    /// Non-material rewards shown to the customer and the cashier ("free delivery", "priority service").
    public var privileges: [String]

    public init(
        name: String, threshold: Int64, accrualRateBp: BasisPoints, maxRedeemShareBp: BasisPoints? = nil, discountBp: BasisPoints? = nil,
        privileges: [String] = []
    ) {
        self.name = name
        self.threshold = threshold
        self.accrualRateBp = accrualRateBp
        self.maxRedeemShareBp = maxRedeemShareBp
        self.discountBp = discountBp
        self.privileges = privileges
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        threshold = try c.decode(Int64.self, forKey: .threshold)
        accrualRateBp = try c.decode(BasisPoints.self, forKey: .accrualRateBp)
        maxRedeemShareBp = try c.decodeIfPresent(BasisPoints.self, forKey: .maxRedeemShareBp)
        discountBp = try c.decodeIfPresent(BasisPoints.self, forKey: .discountBp)
        privileges = try c.decodeIfPresent([String].self, forKey: .privileges) ?? []
    }
}

/// How a customer's level is found: what qualifies, over which window, and whether it can go down.
public struct TierRules: Codable, Sendable, Equatable {
    /// The longest table of levels a merchant may set (a formula makes up to 201).
    public static let maxLevels = 100

    /// What the thresholds measure.
    public enum Basis: String, Codable, Sendable, CaseIterable {
        /// Money paid (after discounts and points, less refunds), in kopecks; with `itemCategories`, only what those
        /// categories' lines cost ("paint bought this quarter").
        case spend
        /// Number of purchases (receipts not returned in full).
        case purchases
        /// Items bought in `itemCategories`, less returns ("cups of coffee"), in whole units.
        case items
    }

    /// How long qualifying purchases count.
    public enum Period: String, Codable, Sendable, CaseIterable {
        /// The last `windowDays` days, moving every day (a level falls as old purchases leave the window).
        case rolling
        /// Calendar months, quarters or years in `timeZone`: a level reached holds to the end of the next period,
        /// and is re-evaluated (may go down) when a period ends.
        case month, quarter, year
        /// The best calendar month among the current one and the `bestOfMonths − 1` before it ("the highest monthly
        /// turnover of the last three months").
        case bestMonth

        /// The first days of the calendar month holding `date` and of the `count − 1` months before it, newest first.
        public static func monthStarts(of date: LocalDate, count: Int) -> [LocalDate] {
            let (year, month, _) = Instant.civil(fromDays: date.day)
            let index = year * 12 + month - 1
            return (0..<Int64(count)).map { back in
                let start = index - back
                return LocalDate(day: Instant.days(fromCivil: start / 12, start % 12 + 1, 1))
            }
        }

        /// The first day of the period holding `date`, and of the one before it.
        public func bounds(of date: LocalDate) -> (current: LocalDate, previous: LocalDate)? {
            let (year, month, _) = Instant.civil(fromDays: date.day)
            let months: Int64
            switch self {
            case .rolling, .bestMonth: return nil
            case .month: months = 1
            case .quarter: months = 3
            case .year: months = 12
            }
            let startMonth = (month - 1) / months * months + 1
            let current = Instant.days(fromCivil: year, startMonth, 1)
            let previousIndex = year * 12 + (startMonth - 1) - months
            let previous = Instant.days(fromCivil: previousIndex / 12, previousIndex % 12 + 1, 1)
            return (LocalDate(day: current), LocalDate(day: previous))
        }
    }

    /// What the thresholds count.
    public var basis: Basis = .spend
    /// Rolling window, or calendar periods with re-evaluation at each period's end. Changing it forgets a window or a
    /// count of months the new period does not read.
    public var period: Period = .rolling {
        didSet { forgetUnreadSettings() }
    }

    /// Forgets the window or the count of months `period` does not read (programs saved before they were refused may
    /// hold them).
    public mutating func forgetUnreadSettings() {
        if period != .rolling { givenWindowDays = nil }
        if period != .bestMonth { givenBestOfMonths = nil }
        tiersBesideFormula = false
    }
    /// For `bestMonth`: how many calendar months, the current one included, the best is taken from (default 3).
    public var bestOfMonths: Int {
        get { givenBestOfMonths ?? 3 }
        set { givenBestOfMonths = newValue }
    }
    /// `bestOfMonths` as set; other periods do not read it, so it is refused beside them.
    private var givenBestOfMonths: Int?
    /// The IANA time zone calendar periods follow (default Europe/Moscow).
    public var timeZone: String = "Europe/Moscow"
    /// The categories whose items count, for the `items` basis; for `spend`, when given, only these categories'
    /// lines count.
    public var itemCategories: [String] = []
    /// The lines a level's own discount (`Tier.discountBp`) lowers; absent for every line that allows a discount.
    /// With `itemCategories` it makes a discount on a product group by what was bought of it.
    public var discountLines: LineScope?
    /// For `rolling`: the window qualifying purchases are counted over, in days back from now (default 365); 0 counts
    /// every purchase ever.
    public var windowDays: Int {
        get { givenWindowDays ?? 365 }
        set { givenWindowDays = newValue }
    }
    /// `windowDays` as set; calendar periods do not read it, so it is refused beside them.
    private var givenWindowDays: Int?
    /// Whether a level once reached is kept when qualifying spend falls (true), or follows the window (false).
    public var keepReachedLevel: Bool = false
    /// A level reached is kept this many days from the day it was reached, whatever qualifies meanwhile (0: as
    /// `keepReachedLevel` says).
    public var keepReachedDays: Int = 0
    /// A customer without a purchase for this many days falls to the first level, whatever was reached (0: never).
    public var resetAfterDaysWithoutPurchase: Int = 0
    /// With levels by purchases, only receipts from this sum (paid, after discounts) count as a visit (0: any).
    public var minPurchaseKopecks: Kopecks = 0
    /// The levels, by ascending threshold; the first threshold must be 0.
    public var tiers: [Tier] = []
    /// An accumulative discount by formula ("+0.5 % for each 25,000 ₽ bought, at most 17.5 %"): the levels are made
    /// from it (one per step); `tiers` given beside it must be the levels it makes (as the API shows them).
    public var formula: AccumulativeFormula? {
        didSet {
            if let formula { tiers = formula.levels() }
            tiersBesideFormula = false
        }
    }
    /// Levels were given beside a formula and differ from those it makes: refused rather than silently replaced.
    private var tiersBesideFormula = false

    /// Set (to anything) in an encoder's `userInfo` to write the rules for a merchant to edit: without the levels a
    /// formula makes.
    public static let forEditing = CodingUserInfoKey(rawValue: "kopilka.forEditing")!

    enum CodingKeys: String, CodingKey {
        case basis, period, bestOfMonths, timeZone, itemCategories, discountLines, windowDays, keepReachedLevel, keepReachedDays
        case resetAfterDaysWithoutPurchase, minPurchaseKopecks, tiers, formula
    }

    public init(basis: Basis = .spend, windowDays: Int = 365, keepReachedLevel: Bool = false, tiers: [Tier] = []) {
        self.basis = basis
        self.windowDays = windowDays
        self.keepReachedLevel = keepReachedLevel
        self.tiers = tiers
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(basis, forKey: .basis)
        try c.encode(period, forKey: .period)
        try c.encodeIfPresent(givenBestOfMonths, forKey: .bestOfMonths)
        try c.encode(timeZone, forKey: .timeZone)
        try c.encode(itemCategories, forKey: .itemCategories)
        try c.encodeIfPresent(discountLines, forKey: .discountLines)
        try c.encodeIfPresent(givenWindowDays, forKey: .windowDays)
        try c.encode(keepReachedLevel, forKey: .keepReachedLevel)
        try c.encode(keepReachedDays, forKey: .keepReachedDays)
        try c.encode(resetAfterDaysWithoutPurchase, forKey: .resetAfterDaysWithoutPurchase)
        try c.encode(minPurchaseKopecks, forKey: .minPurchaseKopecks)
        // For editing, the levels a formula makes are left out: the formula is what the merchant changes.
        if formula == nil || encoder.userInfo[Self.forEditing] == nil { try c.encode(tiers, forKey: .tiers) }
        try c.encodeIfPresent(formula, forKey: .formula)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        basis = try c.decodeIfPresent(Basis.self, forKey: .basis) ?? .spend
        period = try c.decodeIfPresent(Period.self, forKey: .period) ?? .rolling
        givenBestOfMonths = try c.decodeIfPresent(Int.self, forKey: .bestOfMonths) ?? (period == .bestMonth ? 3 : nil)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone) ?? "Europe/Moscow"
        givenWindowDays = try c.decodeIfPresent(Int.self, forKey: .windowDays) ?? (period == .rolling ? 365 : nil)
        keepReachedLevel = try c.decodeIfPresent(Bool.self, forKey: .keepReachedLevel) ?? false
        keepReachedDays = try c.decodeIfPresent(Int.self, forKey: .keepReachedDays) ?? 0
        resetAfterDaysWithoutPurchase = try c.decodeIfPresent(Int.self, forKey: .resetAfterDaysWithoutPurchase) ?? 0
        minPurchaseKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minPurchaseKopecks) ?? 0
        itemCategories = try c.decodeIfPresent([String].self, forKey: .itemCategories) ?? []
        discountLines = try c.decodeIfPresent(LineScope.self, forKey: .discountLines)
        formula = try c.decodeIfPresent(AccumulativeFormula.self, forKey: .formula)
        if let formula {
            tiers = formula.levels()
            let given = try c.decodeIfPresent([Tier].self, forKey: .tiers)
            tiersBesideFormula = given != nil && given != tiers
        } else {
            tiers = try c.decode([Tier].self, forKey: .tiers)
        }
    }

    /// Whether a level is remembered once reached (kept for good, or for `keepReachedDays`).
    public var remembersReachedLevel: Bool { keepReachedLevel || keepReachedDays > 0 }

    /// The index of the level a qualifying amount reaches (the highest threshold not above it).
    /// With `keepReachedLevel` (or within `keepReachedDays` of reaching it), never below `reached`; with calendar
    /// periods, never below what the previous period's qualifying amount reaches (a level holds until the end of the
    /// period after it was reached). After `resetAfterDaysWithoutPurchase` days without a purchase, the first level.
    public func level(
        for qualifying: Int64, previousPeriod: Int64? = nil, reached: Int? = nil, reachedDaysAgo: Int64? = nil, daysWithoutPurchase: Int64? = nil
    ) -> Int? {
        guard !tiers.isEmpty else { return nil }
        if resetAfterDaysWithoutPurchase > 0, let days = daysWithoutPurchase, days >= resetAfterDaysWithoutPurchase { return 0 }
        var index = 0
        for (candidate, tier) in tiers.enumerated() where tier.threshold <= max(qualifying, previousPeriod ?? 0) { index = candidate }
        let kept = keepReachedLevel || (keepReachedDays > 0 && (reachedDaysAgo ?? .max) < keepReachedDays)
        if kept, let reached, reached < tiers.count { index = max(index, reached) }
        return index
    }

    /// What is wrong with these rules, fields prefixed by `path`.
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if basis == .items, itemCategories.isEmpty {
            errors.append(.init(field: "\(path).itemCategories", message: "levels by items need 1…100 categories to count"))
        } else if basis == .purchases, !itemCategories.isEmpty {
            errors.append(.init(field: "\(path).itemCategories", message: "levels by purchases count whole receipts; leave the categories out"))
        } else if itemCategories.count > 100 || itemCategories.contains(where: { !(1...100).contains($0.count) }) {
            errors.append(.init(field: "\(path).itemCategories", message: "at most 100 categories of 1…100 characters"))
        }
        if let discountLines { errors += discountLines.violations(path: "\(path).discountLines") }
        if let formula {
            errors += formula.violations(path: "\(path).formula")
            if tiersBesideFormula {
                errors.append(.init(field: "\(path).tiers", message: "the formula makes the levels: leave tiers out, or give no formula"))
            }
        } else if tiers.isEmpty || tiers.count > Self.maxLevels {
            errors.append(.init(field: "\(path).tiers", message: "must hold 1…\(Self.maxLevels) levels"))
        }
        if !(1...24).contains(bestOfMonths) { errors.append(.init(field: "\(path).bestOfMonths", message: "must be 1…24 months")) }
        if !(0...3650).contains(windowDays) { errors.append(.init(field: "\(path).windowDays", message: "must be 0 (all time) … 3650 days")) }
        // A setting the period does not read would be silently ignored: refused instead.
        if period != .rolling, givenWindowDays != nil {
            errors.append(.init(field: "\(path).windowDays", message: "only a rolling window has days; calendar periods count their own months: leave it out"))
        }
        if period != .bestMonth, givenBestOfMonths != nil {
            errors.append(.init(field: "\(path).bestOfMonths", message: "only the best month of several (period bestMonth) counts months: leave it out"))
        }
        if !(0...3650).contains(keepReachedDays) { errors.append(.init(field: "\(path).keepReachedDays", message: "must be 0 … 3650 days")) }
        if keepReachedLevel, keepReachedDays > 0 {
            errors.append(.init(field: "\(path).keepReachedDays", message: "a level kept for good is not kept for days: give one of the two"))
        }
        if !(0...3650).contains(resetAfterDaysWithoutPurchase) {
            errors.append(.init(field: "\(path).resetAfterDaysWithoutPurchase", message: "must be 0 (never) … 3650 days"))
        }
        if !(0...ReceiptLine.Limits.maxAmount).contains(minPurchaseKopecks) {
            errors.append(.init(field: "\(path).minPurchaseKopecks", message: "must be 0 (any) or a positive sum"))
        } else if minPurchaseKopecks > 0, basis != .purchases {
            errors.append(.init(field: "\(path).minPurchaseKopecks", message: "only levels by purchases count visits from a sum"))
        }
        if !(1...64).contains(timeZone.count) { errors.append(.init(field: "\(path).timeZone", message: "must be an IANA time zone, e.g. Europe/Moscow")) }
        for (index, tier) in tiers.enumerated() {
            let at = "\(path).tiers[\(index)]"
            if !(1...100).contains(tier.name.count) { errors.append(.init(field: "\(at).name", message: "must be 1…100 characters")) }
            if index == 0, tier.threshold != 0 {
                errors.append(.init(field: "\(at).threshold", message: "the first level starts at 0"))
            } else if index > 0, tier.threshold <= tiers[index - 1].threshold {
                errors.append(.init(field: "\(at).threshold", message: "must be above the previous level's threshold (\(tiers[index - 1].threshold))"))
            }
            if tier.threshold < 0 || tier.threshold > 1_000_000_000_000_000 {
                errors.append(.init(field: "\(at).threshold", message: "must be 0…10^15"))
            }
            if !(0...10_000).contains(tier.accrualRateBp) {
                errors.append(.init(field: "\(at).accrualRateBp", message: "must be 0…10000 basis points (0–100 %)"))
            }
            if let cap = tier.maxRedeemShareBp, !(0...10_000).contains(cap) {
                errors.append(.init(field: "\(at).maxRedeemShareBp", message: "must be 0…10000 basis points (0–100 %)"))
            }
            if let discount = tier.discountBp, !(0...10_000).contains(discount) {
                errors.append(.init(field: "\(at).discountBp", message: "must be 0…10000 basis points (0–100 %)"))
            }
            if tier.privileges.count > 20 || tier.privileges.contains(where: { $0.isEmpty || $0.count > 200 }) {
                errors.append(.init(field: "\(at).privileges", message: "at most 20 privileges of 1…200 characters"))
            }
        }
        return errors
    }
}

/// "`baseBp` from the start, +`stepBp` of discount for each `stepKopecks` bought, at most `maxBp`" (and
/// `accrualRateBp` back on every level): "5 % card, +0.5 % for every 25,000 ₽, at most 17.5 %".
public struct AccumulativeFormula: Codable, Sendable, Equatable {
    /// The first level's discount (default 0).
    public var baseBp: BasisPoints = 0
    public var stepKopecks: Kopecks
    public var stepBp: BasisPoints
    public var maxBp: BasisPoints
    /// The accrual rate of every level (0 for a discount-only card).
    public var accrualRateBp: BasisPoints

    public init(stepKopecks: Kopecks, stepBp: BasisPoints, maxBp: BasisPoints, accrualRateBp: BasisPoints = 0, baseBp: BasisPoints = 0) {
        self.baseBp = baseBp
        self.stepKopecks = stepKopecks
        self.stepBp = stepBp
        self.maxBp = maxBp
        self.accrualRateBp = accrualRateBp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        baseBp = try c.decodeIfPresent(BasisPoints.self, forKey: .baseBp) ?? 0
        stepKopecks = try c.decode(Kopecks.self, forKey: .stepKopecks)
        stepBp = try c.decode(BasisPoints.self, forKey: .stepBp)
        maxBp = try c.decode(BasisPoints.self, forKey: .maxBp)
        accrualRateBp = try c.decodeIfPresent(BasisPoints.self, forKey: .accrualRateBp) ?? 0
    }

    /// The levels the formula makes: `baseBp` from 0, then one more step for each `stepKopecks`, up to `maxBp`.
    public func levels() -> [Tier] {
        // Levels are made while the rules are read, before they are checked: out of range, none are made (and the
        // check refuses the formula) rather than a range or a product that traps.
        guard (1...ReceiptLine.Limits.maxAmount).contains(stepKopecks), (1...10_000).contains(stepBp), (0...10_000).contains(maxBp),
            (0...maxBp).contains(baseBp), (maxBp - baseBp) / stepBp <= 1000
        else { return [] }
        let steps = (maxBp - baseBp + stepBp - 1) / stepBp
        return (0...steps).map { step in
            let discount = min(maxBp, baseBp + step * stepBp)
            return Tier(name: formatPercent(discount), threshold: step * stepKopecks, accrualRateBp: accrualRateBp, discountBp: discount)
        }
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !(1...ReceiptLine.Limits.maxAmount).contains(stepKopecks) { errors.append(.init(field: "\(path).stepKopecks", message: "must be a positive sum")) }
        if !(1...10_000).contains(stepBp) { errors.append(.init(field: "\(path).stepBp", message: "must be 1…10000 basis points")) }
        if !(0...10_000).contains(maxBp) { errors.append(.init(field: "\(path).maxBp", message: "must be 0…10000 basis points")) }
        if !(0...max(0, maxBp)).contains(baseBp) {
            errors.append(.init(field: "\(path).baseBp", message: "must be 0…maxBp basis points"))
        }
        if stepBp > 0, (maxBp - baseBp) / stepBp > 200 { errors.append(.init(field: "\(path).maxBp", message: "at most 200 steps")) }
        if !(0...10_000).contains(accrualRateBp) { errors.append(.init(field: "\(path).accrualRateBp", message: "must be 0…10000 basis points")) }
        return errors
    }
}

/// A customer's standing in a multilevel program at a moment.
public struct TierStanding: Codable, Sendable, Equatable {
    /// The current level.
    public var tier: String
    /// Its index, 0 for the first.
    public var level: Int
    /// What qualifies now, by the levels' basis (kopecks, purchases or whole items; of `itemCategories` when they name some).
    public var qualifying: Int64
    /// The next level and how much more it needs; nil on the top level.
    public var nextTier: String?
    public var toNextTier: Int64?
    /// The current level's privileges.
    public var privileges: [String]

    /// The standing for a qualifying amount under `rules`; nil when the program has no levels.
    public init?(
        rules: TierRules, qualifying: Int64, previousPeriod: Int64? = nil, reached: Int? = nil, reachedDaysAgo: Int64? = nil,
        daysWithoutPurchase: Int64? = nil
    ) {
        guard
            let level = rules.level(
                for: qualifying, previousPeriod: previousPeriod, reached: reached, reachedDaysAgo: reachedDaysAgo, daysWithoutPurchase: daysWithoutPurchase)
        else { return nil }
        let tier = rules.tiers[level]
        self.tier = tier.name
        self.level = level
        self.qualifying = qualifying
        privileges = tier.privileges
        if level + 1 < rules.tiers.count {
            nextTier = rules.tiers[level + 1].name
            toNextTier = max(0, rules.tiers[level + 1].threshold - qualifying)
        }
    }
}
