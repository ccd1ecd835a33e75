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

    /// Why the schedule does not hold at `time`, or nil when it holds.
    public func miss(at time: LocalTime?) -> ScheduleMiss? { Compiled(self).miss(at: time) }

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

    /// The schedule as the engine tests it per receipt: weekdays as a bit set.
    /// Every way the schedule can miss a time (`Compiled.miss(at:)`).
    var misses: [ScheduleMiss] {
        [.timeUnknown] + [from.map(ScheduleMiss.startsOn), until.map(ScheduleMiss.endedOn), weekdays.map(ScheduleMiss.onlyOn),
                          hours.map(ScheduleMiss.within)].compactMap { $0 }
    }

    struct Compiled: Sendable {
        let schedule: Schedule
        let isAlways: Bool
        let weekdays: UInt8

        init(_ schedule: Schedule) {
            self.schedule = schedule
            isAlways = schedule.from == nil && schedule.until == nil && schedule.weekdays == nil && schedule.hours == nil
            weekdays = (schedule.weekdays ?? []).reduce(0) { $0 | UInt8(1) << UInt8($1) }
        }

        /// Why the schedule does not hold at `time`, or nil when it holds.
        func miss(at time: LocalTime?) -> ScheduleMiss? {
            if isAlways { return nil }
            guard let time else { return .timeUnknown }
            if let from = schedule.from, time.date < from { return .startsOn(from) }
            if let until = schedule.until, time.date > until { return .endedOn(until) }
            if weekdays != 0, weekdays & (UInt8(1) << UInt8(time.weekday)) == 0 { return .onlyOn(schedule.weekdays ?? []) }
            if let hours = schedule.hours, !hours.contains(minute: time.minute) { return .within(hours) }
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
