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
    /// What the receipt did on each stamp card it touched.
    public var stamps: [StampOutcome]
    /// The program's rules on `purchase` that added points, in the program's order; nil when none did.
    public var rules: [AppliedRule]?
    /// Which rule gave what, and why a rule did not apply.
    public var explanation: [Reason]

    /// The calculation as a committed receipt records it: every reason except the promotions whose conditions did not
    /// hold (`Reason.isUnmetCondition`). The calculation before the commit said why those did not apply; a program of
    /// 50 promotions would otherwise store and answer some 50 such reasons with every receipt (7 KB in the receipt and
    /// as much again under its idempotency key, `kopilka bench`). A limit or budget reached stays: it can differ
    /// between the calculation and the commit.
    public var recorded: ReceiptCalculation {
        var recorded = self
        recorded.explanation.removeAll(where: \.isUnmetCondition)
        return recorded
    }

    /// The JSON of a recorded calculation's explanation, as a receipt stores it.
    public static func storedExplanation(_ recorded: ReceiptCalculation) -> String {
        String(decoding: JSONWriter.bytes(of: recorded.explanation), as: UTF8.self)
    }

    public init(
        lines: [LineOutcome], amount: Kopecks, discount: Kopecks, redeemedKopecks: Kopecks, redeemedPoints: Points, payable: Kopecks,
        earnedPoints: Points, maxRedeemable: Points, ruleLimitPoints: Points, promotions: [AppliedPromotion], gifts: [Gift],
        codes: [CodeOutcome], stamps: [StampOutcome] = [], rules: [AppliedRule]? = nil, explanation: [Reason]
    ) {
        self.lines = lines
        self.amount = amount
        self.discount = discount
        self.redeemedKopecks = redeemedKopecks
        self.redeemedPoints = redeemedPoints
        self.payable = payable
        self.earnedPoints = earnedPoints
        self.maxRedeemable = maxRedeemable
        self.ruleLimitPoints = ruleLimitPoints
        self.promotions = promotions
        self.gifts = gifts
        self.codes = codes
        self.stamps = stamps
        self.rules = rules
        self.explanation = explanation
    }

    // Calculations kept with held orders before promotions (or stamp cards, or rules) existed have no promotions, gifts, codes,
    // stamps or rules.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lines = try c.decode([LineOutcome].self, forKey: .lines)
        amount = try c.decode(Kopecks.self, forKey: .amount)
        discount = try c.decode(Kopecks.self, forKey: .discount)
        redeemedKopecks = try c.decode(Kopecks.self, forKey: .redeemedKopecks)
        redeemedPoints = try c.decode(Points.self, forKey: .redeemedPoints)
        payable = try c.decode(Kopecks.self, forKey: .payable)
        earnedPoints = try c.decode(Points.self, forKey: .earnedPoints)
        maxRedeemable = try c.decode(Points.self, forKey: .maxRedeemable)
        ruleLimitPoints = try c.decode(Points.self, forKey: .ruleLimitPoints)
        promotions = try c.decodeIfPresent([AppliedPromotion].self, forKey: .promotions) ?? []
        gifts = try c.decodeIfPresent([Gift].self, forKey: .gifts) ?? []
        codes = try c.decodeIfPresent([CodeOutcome].self, forKey: .codes) ?? []
        stamps = try c.decodeIfPresent([StampOutcome].self, forKey: .stamps) ?? []
        rules = try c.decodeIfPresent([AppliedRule].self, forKey: .rules)
        explanation = try c.decode([Reason].self, forKey: .explanation)
    }
}
