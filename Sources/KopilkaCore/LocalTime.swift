/// A calendar date in a store's time zone, carried in JSON as `YYYY-MM-DD`.
public struct LocalDate: TextCodable, Sendable, Hashable, Comparable {
    /// Days since 1970-01-01.
    public var day: Int64

    public init(day: Int64) { self.day = day }

    /// Parses `YYYY-MM-DD`; nil for anything else or a date that does not exist (2026-02-30).
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        guard chars.count == 10, chars[4] == 45, chars[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard (48...57).contains(chars[index]) else { return nil }
                value = value * 10 + Int64(chars[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), (1...12).contains(month), day >= 1
        else { return nil }
        let days = Instant.days(fromCivil: year, month, day)
        // A day past the month's end rolls into the next month; refuse it.
        guard Instant.civil(fromDays: days) == (year, month, day) else { return nil }
        self.day = days
    }

    public static let textFormat = "a date YYYY-MM-DD"

    public var description: String {
        let (year, month, day) = Instant.civil(fromDays: day)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        // Four digits for any year the parser takes (0999-12-31 must read back).
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-\(two(month))-\(two(day))"
    }

    /// ISO weekday: 1 is Monday, 7 is Sunday (1970-01-01 was a Thursday).
    public var weekday: Int { Int(((day % 7) + 7 + 3) % 7) + 1 }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { a.day < b.day }
}

/// A time of day, carried in JSON as `HH:MM` (`24:00` is the end of the day).
public struct ClockTime: TextCodable, Sendable, Hashable, Comparable {
    /// Minutes since midnight, 0…1440.
    public var minute: Int

    public init(minute: Int) { self.minute = minute }

    /// Parses `HH:MM`.
    public init?(_ text: String) {
        let chars = Array(text.utf8)
        guard chars.count == 5, chars[2] == 58, chars.indices.allSatisfy({ $0 == 2 || (48...57).contains(chars[$0]) }) else { return nil }
        let hour = Int(chars[0] - 48) * 10 + Int(chars[1] - 48)
        let minute = Int(chars[3] - 48) * 10 + Int(chars[4] - 48)
        guard minute < 60, hour < 24 || (hour == 24 && minute == 0) else { return nil }
        self.minute = hour * 60 + minute
    }

    public static let textFormat = "a time HH:MM, 00:00…24:00"

    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(minute / 60)):\(two(minute % 60))"
    }

    public static func < (a: ClockTime, b: ClockTime) -> Bool { a.minute < b.minute }
}

/// Hours of the day when a rule applies: from `from` (inclusive) to `to` (exclusive), in the store's time zone.
/// A window whose `to` is earlier than its `from` runs over midnight (`22:00`–`02:00`).
public struct HourWindow: Codable, Sendable, Hashable {
    public var from: ClockTime
    public var to: ClockTime

    public init(from: ClockTime, to: ClockTime) {
        self.from = from
        self.to = to
    }

    /// Whether a minute of the day falls in the window.
    public func contains(minute: Int) -> Bool {
        from <= to ? (from.minute..<to.minute).contains(minute) : minute >= from.minute || minute < to.minute
    }

    public var description: String { "\(from)–\(to)" }
}

/// When a receipt happens, as the store's wall clock shows it.
public struct LocalTime: Sendable, Equatable {
    /// The local date.
    public var date: LocalDate
    /// Minutes since local midnight.
    public var minute: Int

    /// The local time of a UTC instant at a zone offset (seconds east of UTC, as the store's zone gives it for that instant).
    public init(_ instant: UnixSeconds, offsetSeconds: Int64) {
        let local = instant + offsetSeconds
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        date = LocalDate(day: day)
        minute = Int((local - day * 86_400) / 60)
    }

    public init(date: LocalDate, minute: Int) {
        self.date = date
        self.minute = minute
    }

    /// ISO weekday, 1 (Monday) … 7 (Sunday).
    public var weekday: Int { date.weekday }

    public var description: String { "\(date) \(ClockTime(minute: minute))" }
}

/// A value JSON carries as a string in one format (`2026-12-31`, `17:00`).
public protocol TextCodable: Codable, CustomStringConvertible {
    /// Parses the text; nil when it is not in the format.
    init?(_ text: String)
    /// The format, for the error a malformed value gets ("a date YYYY-MM-DD").
    static var textFormat: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let value = Self(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be \(Self.textFormat)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
