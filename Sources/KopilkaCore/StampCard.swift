/// A stamp card (HoReCa): "every 6th coffee free". Each qualifying item (or receipt) puts a stamp on the customer's
/// card; once the card holds `every − 1` stamps, the next qualifying item (or receipt) is the reward and uses them up.
///
/// Items of one receipt count in turn, so six coffees on an empty card earn five stamps and the sixth is free. The
/// rewarded units are the cheapest qualifying ones. A reward that cannot apply (a fixed price, an exclusive
/// promotion) is not lost: the unit earns a stamp instead, and the card carries the reward to the next purchase.
public struct StampCard: Codable, Sendable, Equatable {
    /// What earns a stamp.
    public enum Basis: String, Codable, Sendable, CaseIterable {
        /// Each whole unit of a qualifying line.
        case item
        /// Each receipt with a qualifying line (a visit).
        case receipt
    }

    /// What the reward gives.
    public enum RewardKind: String, Codable, Sendable, CaseIterable {
        /// One unit free (on `receipt` cards: the cheapest qualifying unit), at most `maxRewardKopecks` off.
        case freeItem
        /// `amountKopecks` off the rewarded unit (on `receipt` cards: off the qualifying lines).
        case amountOff
        /// `percentBp` off the rewarded unit (on `receipt` cards: off the qualifying lines).
        case percentOff
    }

    /// The merchant's key for the card, unique in the program (`coffee`); balances are kept under it.
    public var id: String
    /// The name customers and cashiers see.
    public var name: String
    /// A switched-off card neither gives stamps nor rewards; stamps already on it are kept.
    public var enabled: Bool = true
    public var basis: Basis = .item
    /// The lines that earn stamps and may be the reward; absent for every line.
    public var lines: LineScope?
    /// The qualifying lines must add up to at least this for the receipt to count (0: any).
    public var minAmountKopecks: Kopecks = 0
    /// The reward is every `every`-th unit or visit: 6 for "every 6th coffee free" (the card holds 5 stamps).
    public var every: Int
    public var reward: RewardKind = .freeItem
    /// For `freeItem`: the most taken off ("a free drink up to 250 ₽"; 0: the whole unit).
    public var maxRewardKopecks: Kopecks = 0
    /// For `amountOff`.
    public var amountKopecks: Kopecks = 0
    /// For `percentOff`, in basis points.
    public var percentBp: BasisPoints = 0
    /// Stamps burn this many days after the card's last stamp (0: never).
    public var lifetimeDays: Int = 0

    public init(id: String, name: String, every: Int) {
        self.id = id
        self.name = name
        self.every = every
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        enabled = try c.decodeIfPresent(Bool.self, forKey: .enabled) ?? true
        basis = try c.decodeIfPresent(Basis.self, forKey: .basis) ?? .item
        lines = try c.decodeIfPresent(LineScope.self, forKey: .lines)
        minAmountKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minAmountKopecks) ?? 0
        every = try c.decode(Int.self, forKey: .every)
        reward = try c.decodeIfPresent(RewardKind.self, forKey: .reward) ?? .freeItem
        maxRewardKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .maxRewardKopecks) ?? 0
        amountKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .amountKopecks) ?? 0
        percentBp = try c.decodeIfPresent(BasisPoints.self, forKey: .percentBp) ?? 0
        lifetimeDays = try c.decodeIfPresent(Int.self, forKey: .lifetimeDays) ?? 0
    }

    /// Stamps the card holds before a reward.
    public var stampsForReward: Int { every - 1 }

    /// What is wrong with the card, fields prefixed by `path`.
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: "\(path).\(field)", message: message)) }
        }
        let sum = 0...ReceiptLine.Limits.maxAmount
        check(Promotion.isValidID(id), "id", "must be 1…64 letters, digits, `-`, `_` or `.`")
        check((1...200).contains(name.count), "name", "must be 1…200 characters")
        check((2...100).contains(every), "every", "must be 2…100: the reward is every N-th item or visit")
        if let lines { errors += lines.violations(path: "\(path).lines") }
        check(sum.contains(minAmountKopecks), "minAmountKopecks", "must be 0 or a positive sum")
        check(sum.contains(maxRewardKopecks), "maxRewardKopecks", "must be 0 (the whole item) or a positive sum")
        // Checked whatever the reward, so that every stored card reads back within its documented ranges.
        check(sum.contains(amountKopecks) && (reward != .amountOff || amountKopecks > 0), "amountKopecks", "must be a positive sum for `amountOff`, else 0")
        check((0...10_000).contains(percentBp) && (reward != .percentOff || percentBp > 0), "percentBp", "must be 1…10000 basis points for `percentOff`, else 0")
        check((0...3650).contains(lifetimeDays), "lifetimeDays", "must be 0 (never) … 3650 days")
        return errors
    }
}

/// What a receipt did on one stamp card.
public struct StampOutcome: Codable, Sendable, Equatable {
    /// The card's id.
    public var card: String
    public var name: String
    /// The reward is every `every`-th unit or visit.
    public var every: Int
    /// Stamps on the card before the receipt.
    public var before: Int
    /// Stamps the receipt put on the card.
    public var earned: Int
    /// Rewards the receipt got.
    public var rewards: Int
    /// Stamps the rewards used up: `rewards × (every − 1)`.
    public var spent: Int
    /// Stamps on the card after the receipt.
    public var after: Int
    /// What the rewards took off, in kopecks (part of the receipt's discount).
    public var discount: Kopecks
    /// The 1-based lines the rewards lowered.
    public var lines: [Int]

    public init(card: String, name: String, every: Int, before: Int, earned: Int, rewards: Int, spent: Int, after: Int, discount: Kopecks, lines: [Int]) {
        self.card = card
        self.name = name
        self.every = every
        self.before = before
        self.earned = earned
        self.rewards = rewards
        self.spent = spent
        self.after = after
        self.discount = discount
        self.lines = lines
    }
}
