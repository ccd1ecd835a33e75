import Foundation
import KopilkaCore

/// What the program's dates mean in its time zones: the core counts seconds and has no zone database.
extension ProgramRules {
    /// When points that become spendable at `start` expire, or nil if they never do.
    func expiry(from start: UnixSeconds) -> UnixSeconds? {
        if expiry == .days || (expiry == .inactivity && expiryPeriods == 0) {
            return lifetimeDays > 0 ? start + Int64(lifetimeDays) * 86_400 : nil
        }
        var calendar = Calendar(identifier: .gregorian)
        // Programs are saved only with a zone the system knows (`violationsWithTimeZones`).
        calendar.timeZone = TimeZone(identifier: expiryTimeZone) ?? TimeZone(identifier: "Europe/Moscow")!
        let date = Date(timeIntervalSince1970: TimeInterval(start))
        let end: Date?
        switch expiry {
        case .days: end = nil
        // Calendar months: 6 months after 31 August is the end of February.
        case .months, .inactivity: end = calendar.date(byAdding: .month, value: expiryPeriods, to: date)
        case .endOfMonth:
            // The first moment of the month after the last one the points live in.
            let month = calendar.date(from: calendar.dateComponents([.year, .month], from: date))
            end = month.flatMap { calendar.date(byAdding: .month, value: expiryPeriods + 1, to: $0) }
        case .endOfYear:
            let year = calendar.date(from: calendar.dateComponents([.year], from: date))
            end = year.flatMap { calendar.date(byAdding: .year, value: expiryPeriods + 1, to: $0) }
        }
        return end.map { UnixSeconds($0.timeIntervalSince1970) }
    }

    /// `violations()`, and every time zone the rules name checked against the system's zone database, so that a typo
    /// (`Europe/Moskow`) is refused where it is saved instead of silently read as Moscow.
    public func violationsWithTimeZones() -> [FieldError] {
        var errors = violations()
        let message = "is not an IANA time zone (e.g. Europe/Moscow)"
        if TimeZone(identifier: expiryTimeZone) == nil { errors.append(FieldError(field: "expiryTimeZone", message: message)) }
        if let zone = tiers?.timeZone, TimeZone(identifier: zone) == nil {
            errors.append(FieldError(field: "tiers.timeZone", message: message))
        }
        return errors
    }
}
