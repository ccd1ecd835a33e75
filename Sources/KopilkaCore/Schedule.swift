/// When a rule applies, in the store's time zone: a date range, weekdays and an hour window; all optional.
public struct Schedule: Codable, Sendable, Equatable {
    /// The first day (inclusive).
    public var from: LocalDate?
    /// The last day (inclusive: the whole day counts).
    public var until: LocalDate?
    /// ISO weekdays, 1 (Monday) … 7 (Sunday); absent for every day.
    public var weekdays: [Int]?
    /// Hours of the day; absent for the whole day.
    public var hours: HourWindow?

    public init(from: LocalDate? = nil, until: LocalDate? = nil, weekdays: [Int]? = nil, hours: HourWindow? = nil) {
        self.from = from
        self.until = until
        self.weekdays = weekdays
        self.hours = hours
    }

    /// Why the schedule does not hold at `time` (code and message), or nil when it holds.
    public func miss(at time: LocalTime?) -> (code: String, message: String)? {
        Compiled(self).miss(at: time).map { ($0.kind.rawValue, $0.message) }
    }

    static let weekdayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// What is wrong with the schedule, fields prefixed by `path`.
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if let from, let until, until < from {
            errors.append(.init(field: "\(path).until", message: "ends (\(until)) before it starts (\(from))"))
        }
        if let weekdays, weekdays.isEmpty || weekdays.contains(where: { !(1...7).contains($0) }) || Set(weekdays).count != weekdays.count {
            errors.append(.init(field: "\(path).weekdays", message: "must list distinct days 1 (Monday) … 7 (Sunday)"))
        }
        if let hours, hours.from == hours.to {
            errors.append(.init(field: "\(path).hours", message: "an empty window: `from` equals `to`"))
        }
        return errors
    }

    /// Why a schedule does not hold.
    enum MissKind: String {
        case outsideSchedule = "outside_schedule", notStarted = "not_started", ended, outsideDays = "outside_days"
        case outsideHours = "outside_hours"

        /// The reason code when the schedule is a promotion's (spelled out, so no string is built per receipt).
        var promotionCode: String {
            switch self {
            case .outsideSchedule: "promotion_outside_schedule"
            case .notStarted: "promotion_not_started"
            case .ended: "promotion_ended"
            case .outsideDays: "promotion_outside_days"
            case .outsideHours: "promotion_outside_hours"
            }
        }
    }

    /// The schedule as the engine tests it per receipt: weekdays as a bit set, and the refusal messages written once.
    struct Compiled: Sendable {
        let schedule: Schedule
        let isAlways: Bool
        let weekdays: UInt8
        let notStarted: String
        let ended: String
        let outsideDays: String
        let outsideHours: String

        init(_ schedule: Schedule) {
            self.schedule = schedule
            isAlways = schedule.from == nil && schedule.until == nil && schedule.weekdays == nil && schedule.hours == nil
            weekdays = (schedule.weekdays ?? []).reduce(0) { $0 | UInt8(1) << UInt8($1) }
            notStarted = "starts on \(schedule.from.map(\.description) ?? "")"
            ended = "ended on \(schedule.until.map(\.description) ?? "")"
            outsideDays = "only on " + (schedule.weekdays ?? []).map { Schedule.weekdayNames[$0 - 1] }.joined(separator: ", ")
            outsideHours = "outside \(schedule.hours?.description ?? "")"
        }

        /// Why the schedule does not hold at `time`, or nil when it holds.
        func miss(at time: LocalTime?) -> (kind: MissKind, message: String)? {
            if isAlways { return nil }
            guard let time else { return (.outsideSchedule, "the receipt's local time is unknown") }
            if let from = schedule.from, time.date < from { return (.notStarted, notStarted) }
            if let until = schedule.until, time.date > until { return (.ended, ended) }
            if weekdays != 0, weekdays & (UInt8(1) << UInt8(time.weekday)) == 0 { return (.outsideDays, outsideDays) }
            if let hours = schedule.hours, !hours.contains(minute: time.minute) { return (.outsideHours, outsideHours) }
            return nil
        }
    }
}

/// Where and when points may be earned or spent: only on lines in `lines`, only within `when`.
public struct Restriction: Codable, Sendable, Equatable {
    public var lines: LineScope?
    public var when: Schedule?

    public init(lines: LineScope? = nil, when: Schedule? = nil) {
        self.lines = lines
        self.when = when
    }

    func violations(path: String) -> [FieldError] {
        (lines?.violations(path: "\(path).lines") ?? []) + (when?.violations(path: "\(path).when") ?? [])
    }
}
