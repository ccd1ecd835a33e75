/// A line flag a till sets on an item.
public enum LineFlag: String, Codable, Sendable, CaseIterable {
    /// The line earns no points.
    case noAccrual
    /// The line cannot be paid with points.
    case noRedemption
    /// The line's price is fixed: no discount and no points may lower it (e.g. tobacco).
    case noDiscount
}

/// One item of a receipt as the till sends it.
public struct ReceiptLine: Codable, Sendable, Equatable {
    /// The merchant's article code.
    public var sku: String
    /// The name printed on the receipt.
    public var name: String
    /// The merchant's category, matched against the program's excluded categories.
    public var category: String?
    /// Quantity in thousandths (1000 = one unit, 1500 = 1.5 kg).
    public var quantity: Thousandths
    /// Price of one unit in kopecks.
    public var price: Kopecks
    /// The line's sum in kopecks as the till computed it; when absent, `price × quantity`, rounded half up.
    public var amount: Kopecks?
    /// Flags restricting what the line earns and how it may be paid.
    public var flags: [LineFlag]
    /// The merchant's labels for promotions and scopes, e.g. `redPrice`.
    public var tags: [String]
    /// The lowest price of one unit discounts may reach, in kopecks (e.g. a legal minimum price).
    public var minPrice: Kopecks?

    public init(
        sku: String, name: String = "", category: String? = nil, quantity: Thousandths = 1000, price: Kopecks,
        amount: Kopecks? = nil, flags: [LineFlag] = [], tags: [String] = [], minPrice: Kopecks? = nil
    ) {
        self.tags = tags
        self.minPrice = minPrice
        self.sku = sku
        self.name = name
        self.category = category
        self.quantity = quantity
        self.price = price
        self.amount = amount
        self.flags = flags
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sku = try c.decode(String.self, forKey: .sku)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? ""
        category = try c.decodeIfPresent(String.self, forKey: .category)
        quantity = try c.decode(Thousandths.self, forKey: .quantity)
        price = try c.decode(Kopecks.self, forKey: .price)
        amount = try c.decodeIfPresent(Kopecks.self, forKey: .amount)
        flags = try c.decodeIfPresent([LineFlag].self, forKey: .flags) ?? []
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        minPrice = try c.decodeIfPresent(Kopecks.self, forKey: .minPrice)
    }

    /// The line's sum: the till's `amount`, or `price × quantity / 1000` rounded half up.
    public var total: Kopecks {
        amount ?? Arithmetic.mulDiv(price, quantity, 1000, .halfUp)
    }

    /// Limits on one line; beyond them a sum could no longer be exact in 64 bits.
    public enum Limits {
        /// At most 1,000,000,000 ₽ for a unit.
        public static let maxPrice: Kopecks = 100_000_000_000
        /// At most 1,000,000 units (in thousandths).
        public static let maxQuantity: Thousandths = 1_000_000_000
        /// At most 1,000 lines on a receipt.
        public static let maxLines = 1000
        /// At most 100,000,000,000 ₽ on one line.
        public static let maxAmount: Kopecks = 10_000_000_000_000
    }

    /// What is wrong with a receipt's lines as a whole: their number, each line, and their sum (empty when nothing).
    public static func violations(of lines: [ReceiptLine], path: String = "lines") -> [FieldError] {
        guard (1...Limits.maxLines).contains(lines.count) else { return [FieldError(field: path, message: "must hold 1…\(Limits.maxLines) lines")] }
        var errors = lines.enumerated().flatMap { $1.violations(path: "\(path)[\($0)]") }
        if errors.isEmpty, lines.reduce(0, { $0 + $1.total }) > Limits.maxAmount {
            errors.append(FieldError(field: path, message: "the receipt's sum must be at most \(Limits.maxAmount) kopecks"))
        }
        return errors
    }

    /// What is wrong with this line, with fields prefixed by `path` (e.g. `lines[2]`).
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if sku.isEmpty || sku.count > 100 { errors.append(.init(field: "\(path).sku", message: "must be 1…100 characters")) }
        if name.count > 500 { errors.append(.init(field: "\(path).name", message: "must be at most 500 characters")) }
        if let category, category.count > 100 {
            errors.append(.init(field: "\(path).category", message: "must be at most 100 characters"))
        }
        if !(1...Limits.maxQuantity).contains(quantity) {
            errors.append(.init(field: "\(path).quantity", message: "must be 1…\(Limits.maxQuantity) thousandths of a unit"))
        }
        if !(0...Limits.maxPrice).contains(price) {
            errors.append(.init(field: "\(path).price", message: "must be 0…\(Limits.maxPrice) kopecks"))
        }
        if let amount, !(0...Limits.maxAmount).contains(amount) {
            errors.append(.init(field: "\(path).amount", message: "must be 0…\(Limits.maxAmount) kopecks"))
        }
        if tags.count > 50 || tags.contains(where: { $0.isEmpty || $0.count > 100 }) {
            errors.append(.init(field: "\(path).tags", message: "at most 50 tags of 1…100 characters"))
        }
        if let minPrice, !(0...Limits.maxPrice).contains(minPrice) {
            errors.append(.init(field: "\(path).minPrice", message: "must be 0…\(Limits.maxPrice) kopecks"))
        }
        if amount == nil, errors.isEmpty, total > Limits.maxAmount {
            errors.append(.init(field: "\(path).price", message: "price × quantity must be at most \(Limits.maxAmount) kopecks"))
        }
        return errors
    }

    func has(_ flag: LineFlag) -> Bool { flags.contains(flag) }
}

/// How many points a receipt asks to spend.
public enum RedeemRequest: Sendable, Equatable, Codable {
    /// Spend as much as the rules and the balance allow.
    case max
    /// Spend exactly this many points (hundredths); 0 spends nothing.
    case points(Points)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) {
            guard text == "max" else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "must be a number of points (hundredths) or \"max\"")
            }
            self = .max
        } else {
            self = .points(try c.decode(Points.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .max: try c.encode("max")
        case .points(let points): try c.encode(points)
        }
    }
}
