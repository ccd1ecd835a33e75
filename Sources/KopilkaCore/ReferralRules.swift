/// "Bring a friend": a customer names who brought them when they join. Simple referral pays both once, after the
/// friend's first qualifying purchase; multi-level referral pays those who brought the buyer (up to three levels up) a
/// share of each purchase. Every reward waits out the return window and is not paid for a receipt returned in full by
/// then; a partly returned purchase pays its share on what was kept.
public struct ReferralRules: Codable, Sendable, Equatable {
    /// Points for whoever brought the friend, once, after the friend's first qualifying purchase.
    public var referrerPoints: Points = 0
    /// Points for the friend, for that purchase.
    public var friendPoints: Points = 0
    /// A purchase qualifies from this much paid in money (0: any).
    public var minPurchaseKopecks: Kopecks = 0
    /// Rewards are paid this many days after the purchase (the return window; 0: at the next maintenance run).
    public var waitDays: Int = 14
    /// Multi-level: the share of what each purchase was paid in money, in basis points, for whoever brought the buyer
    /// (first), whoever brought them (second) and one level further (third).
    public var levelRatesBp: [BasisPoints] = []
    /// The most points one purchase gives each of them (0: no cap).
    public var maxPointsPerPurchase: Points = 0
    /// The most points one of them gets from all purchases of one customer below them (0: no cap).
    public var maxPointsPerCustomer: Points = 0

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        referrerPoints = try c.decodeIfPresent(Points.self, forKey: .referrerPoints) ?? 0
        friendPoints = try c.decodeIfPresent(Points.self, forKey: .friendPoints) ?? 0
        minPurchaseKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minPurchaseKopecks) ?? 0
        waitDays = try c.decodeIfPresent(Int.self, forKey: .waitDays) ?? 14
        levelRatesBp = try c.decodeIfPresent([BasisPoints].self, forKey: .levelRatesBp) ?? []
        maxPointsPerPurchase = try c.decodeIfPresent(Points.self, forKey: .maxPointsPerPurchase) ?? 0
        maxPointsPerCustomer = try c.decodeIfPresent(Points.self, forKey: .maxPointsPerCustomer) ?? 0
    }

    /// What is wrong with the rules, fields prefixed by `path`.
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: String, _ message: String) {
            if !ok { errors.append(.init(field: "\(path).\(field)", message: message)) }
        }
        let points = 0...Points(100_000_000)
        check(points.contains(referrerPoints), "referrerPoints", "must be 0…100000000 hundredths")
        check(points.contains(friendPoints), "friendPoints", "must be 0…100000000 hundredths")
        check((0...ReceiptLine.Limits.maxAmount).contains(minPurchaseKopecks), "minPurchaseKopecks", "must be 0 or a positive sum")
        check((0...365).contains(waitDays), "waitDays", "must be 0…365 days")
        check(levelRatesBp.count <= 3, "levelRatesBp", "at most 3 levels")
        for (index, rate) in levelRatesBp.enumerated() where !(0...10_000).contains(rate) {
            errors.append(.init(field: "\(path).levelRatesBp[\(index)]", message: "must be 0…10000 basis points (0–100 %)"))
        }
        check(points.contains(maxPointsPerPurchase), "maxPointsPerPurchase", "must be 0 (no cap) … 100000000 hundredths")
        check(points.contains(maxPointsPerCustomer), "maxPointsPerCustomer", "must be 0 (no cap) … 100000000 hundredths")
        return errors
    }

    /// Points for a referrer `level` levels up (1: whoever brought the buyer) from a purchase paid `paid` in money, before the
    /// cap on one customer; rounded down to `step`.
    public func share(level: Int, paid: Kopecks, step: Points) -> Points {
        guard level >= 1, level <= levelRatesBp.count else { return 0 }
        // Hundredths of a point per kopeck at a rate in basis points: paid × rate / 10000.
        var points = Arithmetic.mulDiv(paid, levelRatesBp[level - 1], 10_000)
        if maxPointsPerPurchase > 0 { points = min(points, maxPointsPerPurchase) }
        return points - points % step
    }
}
