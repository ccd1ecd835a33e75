/// What one line of a receipt gets: its share of the redemption and the points it earns.
public struct LineOutcome: Codable, Sendable, Equatable {
    /// 1-based position of the line on the receipt.
    public var line: Int
    /// The line's sum before anything, in kopecks.
    public var amount: Kopecks
    /// Discounts on the line (wholesale, promotions, card), in kopecks.
    public var discount: Kopecks
    /// The part of the line paid with points, in kopecks.
    public var redeemedKopecks: Kopecks
    /// The points spent on the line, in hundredths.
    public var redeemedPoints: Points
    /// What the customer pays for the line in money: `amount - discount - redeemedKopecks`; never negative.
    public var payable: Kopecks
    /// Points the line earns, in hundredths.
    public var earnedPoints: Points
}

/// The outcome of a receipt under a program: pure data, the same for calculate and commit.
public struct ReceiptCalculation: Codable, Sendable, Equatable {
    /// One outcome per line, in the receipt's order.
    public var lines: [LineOutcome]
    /// The receipt's sum before anything, in kopecks.
    public var amount: Kopecks
    /// All discounts, in kopecks.
    public var discount: Kopecks
    /// The part paid with points, in kopecks.
    public var redeemedKopecks: Kopecks
    /// The points spent, in hundredths.
    public var redeemedPoints: Points
    /// What the customer pays in money, in kopecks.
    public var payable: Kopecks
    /// The points the receipt earns, in hundredths.
    public var earnedPoints: Points
    /// The most points this receipt may spend under the rules and the customer's balance.
    public var maxRedeemable: Points
    /// The most points this receipt may spend under the rules alone (regardless of the balance).
    public var ruleLimitPoints: Points
    /// The promotions that gave something, in the order they applied.
    public var promotions: [AppliedPromotion]
    /// Items given for free.
    public var gifts: [Gift]
    /// What became of each presented code.
    public var codes: [CodeOutcome]
    /// Which rule gave what, and why a rule did not apply.
    public var explanation: [Reason]
}
