import Synchronization

/// One reason in a calculation's explanation: which rule gave what, or why a rule did not apply.
///
/// A reason is a stable code with typed values and no prose: the engine says *what*, and whoever shows it (a page, the
/// till's answer, a message) makes the sentence in its reader's language from one table per language (`KopilkaWords`).
public struct Reason: Sendable, Hashable {
    /// A stable machine code, e.g. `accrual_excluded_category`.
    public var code: String
    /// Which of the code's sentences, when it has several (`today` for a promotion's daily limit); nil for the first.
    public var variant: String?
    /// The 1-based line the reason is about, or nil for the whole receipt.
    public var line: Int?
    /// The promotion the reason is about, if any.
    public var promotion: String?
    /// What the sentence shows, in its order.
    public var values: [ReasonValue]
    /// The sentence the reason was read back with, if any: what a receipt stored before reasons carried values shows.
    public var storedMessage: String?

    public init(_ code: String, variant: String? = nil, line: Int? = nil, promotion: String? = nil, _ values: ReasonValue...) {
        self.init(code, variant: variant, line: line, promotion: promotion, values: values)
    }

    public init(_ code: String, variant: String? = nil, line: Int? = nil, promotion: String? = nil, values: [ReasonValue]) {
        self.code = code
        self.variant = variant
        self.line = line
        self.promotion = promotion
        self.values = values
    }

    /// The key of the reason's sentence in a language's table: the code, or `code.variant`.
    public var sentenceKey: String { variant.map { "\(code).\($0)" } ?? code }
}

/// A value a reason shows; its type says how each language writes it.
public enum ReasonValue: Sendable, Hashable {
    /// Kopecks.
    case money(Kopecks)
    /// Points, in hundredths.
    case points(Points)
    /// Basis points.
    case percent(BasisPoints)
    /// Thousandths of a unit.
    case quantity(Thousandths)
    /// A whole number: uses, days, receipts, stamps.
    case count(Int64)
    /// A name or code as the merchant or the till wrote it.
    case text(String)
    /// Names as the merchant wrote them (levels, groups).
    case names([String])
    /// 1-based line numbers.
    case lines([Int])
    /// Ways of paying.
    case payments([Payment.Method])
    /// Why a schedule does not hold now.
    case schedule(ScheduleMiss)
    /// A condition on a fact about the customer (`customer.purchases` at most 0).
    case condition(RuleCondition)
}

/// Why a schedule does not hold at a receipt's time.
public enum ScheduleMiss: Sendable, Hashable {
    /// The receipt's local time is unknown.
    case timeUnknown
    /// The schedule starts on that day.
    case startsOn(LocalDate)
    /// The schedule ended on that day.
    case endedOn(LocalDate)
    /// Only on these ISO weekdays (1 Monday … 7 Sunday).
    case onlyOn([Int])
    /// Only within these hours.
    case within(HourWindow)

    /// How a promotion's reason names it (`promotion_outside_days`).
    var promotionCode: String {
        switch self {
        case .timeUnknown: "promotion_outside_schedule"
        case .startsOn: "promotion_not_started"
        case .endedOn: "promotion_ended"
        case .onlyOn: "promotion_outside_days"
        case .within: "promotion_outside_hours"
        }
    }
}

extension Reason {
    /// The codes that say a promotion's conditions did not hold for the receipt before anything was counted: its
    /// code, hours, days, dates, stores, customer, level, group, lines or threshold.
    static let unmetConditionCodes: Set<String> = [
        "promotion_needs_code", "promotion_outside_schedule", "promotion_not_started", "promotion_ended", "promotion_outside_days",
        "promotion_outside_hours", "promotion_other_store", "promotion_needs_customer", "promotion_not_birthday",
        "promotion_not_recent", "promotion_needs_tier", "promotion_needs_group", "promotion_excluded_flag", "promotion_no_lines",
        "promotion_below_threshold",
    ]

    /// Whether the reason says that a promotion's conditions did not hold for the receipt (`unmetConditionCodes`).
    public var isUnmetCondition: Bool { Self.unmetConditionCodes.contains(code) }
}

/// Makes reasons' sentences in one language: given by the edge that shows reasons (in its reader's language) to the
/// JSON it writes. It keeps the JSON of the reasons it worded last: a large program rules the same promotions out with
/// the same values on receipt after receipt (a calculation against the benchmark's 50 promotions words 58 reasons, and
/// wording and writing them took a fifth of its server time, perf).
public final class Wording: Sendable {
    /// The reason's sentence.
    public let sentence: @Sendable (Reason) -> String
    private let written = Mutex<[Reason: [UInt8]]>([:])
    /// How many reasons' JSON is kept (about 300 bytes each); when full, it starts again.
    private static let kept = 4_096

    public init(_ sentence: @escaping @Sendable (Reason) -> String) { self.sentence = sentence }

    /// The reason's JSON with its sentence, written by `write` the first time.
    func json(of reason: Reason, _ write: (Reason) -> [UInt8]) -> [UInt8] {
        if let bytes = written.withLock({ $0[reason] }) { return bytes }
        let bytes = write(reason)
        written.withLock { written in
            if written.count >= Self.kept { written.removeAll(keepingCapacity: true) }
            written[reason] = bytes
        }
        return bytes
    }
}

extension CodingUserInfoKey {
    /// A `Wording` for `Reason`'s `Encodable`: with one, a reason is encoded with its `message`.
    public static let wording = CodingUserInfoKey(rawValue: "kopilka.wording")!
}

// The JSON of reasons: `{"code", "line", "message", "promotion", "values", "variant"}`. `message` is written only by an
// edge that words reasons (and for a reason stored with a sentence); values are one-key objects naming their type.
extension Reason: Codable {
    private enum CodingKeys: String, CodingKey { case code, line, message, promotion, values, variant }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        variant = try c.decodeIfPresent(String.self, forKey: .variant)
        line = try c.decodeIfPresent(Int.self, forKey: .line)
        promotion = try c.decodeIfPresent(String.self, forKey: .promotion)
        values = try c.decodeIfPresent([ReasonValue].self, forKey: .values) ?? []
        // Shown only when no table has the reason's sentence (a receipt stored before reasons had values).
        storedMessage = try c.decodeIfPresent(String.self, forKey: .message)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encodeIfPresent(line, forKey: .line)
        try c.encodeIfPresent((encoder.userInfo[.wording] as? Wording).map { $0.sentence(self) } ?? storedMessage, forKey: .message)
        try c.encodeIfPresent(promotion, forKey: .promotion)
        try c.encode(values, forKey: .values)
        try c.encodeIfPresent(variant, forKey: .variant)
    }
}

extension ReasonValue: Codable {
    private enum CodingKeys: String, CodingKey { case money, points, percent, quantity, count, text, names, lines, payments, schedule, condition }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let key = c.allKeys.first, c.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a reason's value has one key, its type"))
        }
        switch key {
        case .money: self = .money(try c.decode(Int64.self, forKey: key))
        case .points: self = .points(try c.decode(Int64.self, forKey: key))
        case .percent: self = .percent(try c.decode(Int64.self, forKey: key))
        case .quantity: self = .quantity(try c.decode(Int64.self, forKey: key))
        case .count: self = .count(try c.decode(Int64.self, forKey: key))
        case .text: self = .text(try c.decode(String.self, forKey: key))
        case .names: self = .names(try c.decode([String].self, forKey: key))
        case .lines: self = .lines(try c.decode([Int].self, forKey: key))
        case .payments: self = .payments(try c.decode([Payment.Method].self, forKey: key))
        case .schedule: self = .schedule(try c.decode(ScheduleMiss.self, forKey: key))
        case .condition: self = .condition(try c.decode(RuleCondition.self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .money(let value): try c.encode(value, forKey: .money)
        case .points(let value): try c.encode(value, forKey: .points)
        case .percent(let value): try c.encode(value, forKey: .percent)
        case .quantity(let value): try c.encode(value, forKey: .quantity)
        case .count(let value): try c.encode(value, forKey: .count)
        case .text(let value): try c.encode(value, forKey: .text)
        case .names(let value): try c.encode(value, forKey: .names)
        case .lines(let value): try c.encode(value, forKey: .lines)
        case .payments(let value): try c.encode(value, forKey: .payments)
        case .schedule(let value): try c.encode(value, forKey: .schedule)
        case .condition(let value): try c.encode(value, forKey: .condition)
        }
    }
}

extension ScheduleMiss: Codable {
    private enum CodingKeys: String, CodingKey { case date, hours, kind, weekdays }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "not_started": self = .startsOn(try c.decode(LocalDate.self, forKey: .date))
        case "ended": self = .endedOn(try c.decode(LocalDate.self, forKey: .date))
        case "outside_days": self = .onlyOn(try c.decode([Int].self, forKey: .weekdays))
        case "outside_hours": self = .within(try c.decode(HourWindow.self, forKey: .hours))
        default: self = .timeUnknown
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .timeUnknown: try c.encode("outside_schedule", forKey: .kind)
        case .startsOn(let date): try c.encode(date, forKey: .date); try c.encode("not_started", forKey: .kind)
        case .endedOn(let date): try c.encode(date, forKey: .date); try c.encode("ended", forKey: .kind)
        case .onlyOn(let days): try c.encode("outside_days", forKey: .kind); try c.encode(days, forKey: .weekdays)
        case .within(let hours): try c.encode(hours, forKey: .hours); try c.encode("outside_hours", forKey: .kind)
        }
    }
}
