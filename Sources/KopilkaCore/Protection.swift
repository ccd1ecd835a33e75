/// How points are guarded against someone who only knows a customer's phone number, and against a cashier
/// crediting points to a friend's card.
///
/// Missing keys in JSON take the defaults below: everything off but the caps on manual adjustments.
public struct Protection: Codable, Sendable, Equatable {
    /// What a breached cashier limit does.
    public enum LimitAction: String, Codable, Sendable, CaseIterable {
        /// Refuse the operation (`403`); nothing changes.
        case block
        /// Let it through and record a flag for the merchant to review.
        case flag
    }

    /// Spending points needs a one-time code sent to the customer's phone, unless the card was presented
    /// (the customer named by `card`); a customer named by phone or id must confirm.
    public var confirmSpending: Bool = false
    /// How long a confirmation code is valid, in seconds (default 5 minutes).
    public var codeLifetimeSeconds: Int = 300
    /// Wrong codes allowed before the code is void (default 5).
    public var codeAttempts: Int = 5
    /// At most this many receipts from one register (or one cashier) may credit points to the same customer
    /// within `velocityWindowMinutes` (0: no limit).
    public var maxCreditsPerCustomer: Int = 0
    /// The window of the velocity rule, in minutes (default 60).
    public var velocityWindowMinutes: Int = 60
    /// A manual adjustment of more than this many points, in hundredths, either way (0: no limit; default 1,000 points,
    /// so that a typo of a few zeros does not hand out a fortune).
    public var maxManualAdjustment: Points = 1_000_00
    /// Manual adjustments of more than this many points in all, either way, over the last 24 hours (0: no limit; default
    /// 5,000 points).
    public var maxManualAdjustmentPerDay: Points = 5_000_00
    /// What a breached limit does (default block).
    public var onLimit: LimitAction = .block

    public init() {}

    enum CodingKeys: String, CodingKey {
        case confirmSpending, codeLifetimeSeconds, codeAttempts, maxCreditsPerCustomer, velocityWindowMinutes, maxManualAdjustment
        case maxManualAdjustmentPerDay, onLimit
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = Protection()
        confirmSpending = try c.decodeIfPresent(Bool.self, forKey: .confirmSpending) ?? d.confirmSpending
        codeLifetimeSeconds = try c.decodeIfPresent(Int.self, forKey: .codeLifetimeSeconds) ?? d.codeLifetimeSeconds
        codeAttempts = try c.decodeIfPresent(Int.self, forKey: .codeAttempts) ?? d.codeAttempts
        maxCreditsPerCustomer = try c.decodeIfPresent(Int.self, forKey: .maxCreditsPerCustomer) ?? d.maxCreditsPerCustomer
        velocityWindowMinutes = try c.decodeIfPresent(Int.self, forKey: .velocityWindowMinutes) ?? d.velocityWindowMinutes
        maxManualAdjustment = try c.decodeIfPresent(Points.self, forKey: .maxManualAdjustment) ?? d.maxManualAdjustment
        maxManualAdjustmentPerDay = try c.decodeIfPresent(Points.self, forKey: .maxManualAdjustmentPerDay) ?? d.maxManualAdjustmentPerDay
        onLimit = try c.decodeIfPresent(LimitAction.self, forKey: .onLimit) ?? d.onLimit
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: CodingKeys, _ message: String) {
            if !ok { errors.append(FieldError(field: "\(path).\(field.rawValue)", message: message)) }
        }
        check((60...86_400).contains(codeLifetimeSeconds), .codeLifetimeSeconds, "must be 60…86400 seconds")
        check((1...20).contains(codeAttempts), .codeAttempts, "must be 1…20 attempts")
        check((0...10_000).contains(maxCreditsPerCustomer), .maxCreditsPerCustomer, "must be 0 (no limit) … 10000 receipts")
        check((1...44_640).contains(velocityWindowMinutes), .velocityWindowMinutes, "must be 1…44640 minutes (31 days)")
        check((0...100_000_000_000).contains(maxManualAdjustment), .maxManualAdjustment, "must be 0 (no limit) … 100000000000 hundredths")
        check(
            (0...100_000_000_000).contains(maxManualAdjustmentPerDay), .maxManualAdjustmentPerDay, "must be 0 (no limit) … 100000000000 hundredths")
        return errors
    }
}
