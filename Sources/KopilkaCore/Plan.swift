/// The merchant's plan: what the program may use.
public enum Plan: String, Codable, Sendable, CaseIterable {
    /// Free: the loyalty program only (points, levels, card discount), up to 9 customers.
    case free
    case monthly
    case halfYear
    case yearly

    /// The most customers the plan allows, or nil for no limit.
    public var customerLimit: Int? { self == .free ? 9 : nil }

    /// Whether promotions, wholesale steps and codes are included.
    public var includesPromotions: Bool { self != .free }
}
