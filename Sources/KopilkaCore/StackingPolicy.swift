/// How discounts, promotions, codes and points combine on a receipt.
public struct StackingPolicy: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Wholesale, then promotions by priority, then the card discount; each takes its share of what is left.
        case sequential
        /// Each line gets the single largest of the discounts that apply to it.
        case bestForCustomer
    }

    public var mode: Mode = .sequential
    /// Whether the card (or level) discount applies to lines a promotion already discounted (default yes).
    public var cardDiscountOnPromotedLines: Bool = true
    /// The most all discounts together may take off a line, in basis points (default 10000: down to zero).
    /// A line's own `minPrice` is a floor too.
    public var maxLineDiscountBp: BasisPoints = 10_000

    public init(mode: Mode = .sequential, cardDiscountOnPromotedLines: Bool = true, maxLineDiscountBp: BasisPoints = 10_000) {
        self.mode = mode
        self.cardDiscountOnPromotedLines = cardDiscountOnPromotedLines
        self.maxLineDiscountBp = maxLineDiscountBp
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(Mode.self, forKey: .mode) ?? .sequential
        cardDiscountOnPromotedLines = try c.decodeIfPresent(Bool.self, forKey: .cardDiscountOnPromotedLines) ?? true
        maxLineDiscountBp = try c.decodeIfPresent(BasisPoints.self, forKey: .maxLineDiscountBp) ?? 10_000
    }

    func violations(path: String) -> [FieldError] {
        (0...10_000).contains(maxLineDiscountBp) ? [] : [.init(field: "\(path).maxLineDiscountBp", message: "must be 0…10000 basis points")]
    }
}
