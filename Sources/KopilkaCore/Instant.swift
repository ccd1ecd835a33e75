/// An instant in UTC, whole seconds; JSON carries it as ISO 8601 (`2026-01-01T09:30:00Z`), as the till protocol says.
public struct Instant: Codable, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: UnixSeconds

    public init(_ seconds: UnixSeconds) { self.seconds = seconds }

    public static func < (a: Instant, b: Instant) -> Bool { a.seconds < b.seconds }

    /// `YYYY-MM-DDTHH:MM:SSZ`.
    public var description: String {
        let days = Int64((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year).count < 4 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS` followed by `Z` or an offset `±HH:MM` (fractions of a second are dropped).
    public init?(iso8601 text: String) {
        let chars = Array(text.utf8)
        guard chars.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                guard index < chars.count, (48...57).contains(chars[index]) else { return nil }
                value = value * 10 + Int64(chars[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), chars[4] == 45, let month = number(5..<7), chars[7] == 45, let day = number(8..<10),
            chars[10] == 84 || chars[10] == 116, let hour = number(11..<13), chars[13] == 58, let minute = number(14..<16),
            chars[16] == 58, let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        if chars[index] == 46 {  // fraction
            index += 1
            while index < chars.count, (48...57).contains(chars[index]) { index += 1 }
        }
        var offset: Int64 = 0
        guard index < chars.count else { return nil }
        if chars[index] == 90 || chars[index] == 122 {
            guard index + 1 == chars.count else { return nil }
        } else if chars[index] == 43 || chars[index] == 45, index + 6 == chars.count, chars[index + 3] == 58,
            let offsetHours = number(index + 1..<index + 3), let offsetMinutes = number(index + 4..<index + 6)
        {
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (chars[index] == 43 ? 1 : -1)
        } else {
            return nil
        }
        seconds = Self.days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let instant = Instant(iso8601: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be an ISO 8601 time with an offset, e.g. 2026-01-01T09:30:00+03:00")
        }
        self = instant
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    /// Days since 1970-01-01 of a calendar date.
    public static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date (year, month, day) of a day counted from 1970-01-01.
    public static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp + (mp < 10 ? 3 : -9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
