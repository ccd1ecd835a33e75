/// Which lines of a receipt a rule touches: a line matches when its category, its SKU or one of its tags is listed.
public struct LineScope: Codable, Sendable, Equatable {
    /// The merchant's categories.
    public var categories: [String]?
    /// Article codes.
    public var skus: [String]?
    /// Labels a till puts on lines, e.g. `redPrice` for "red price tag" goods.
    public var tags: [String]?

    public init(categories: [String]? = nil, skus: [String]? = nil, tags: [String]? = nil) {
        self.categories = categories
        self.skus = skus
        self.tags = tags
    }

    /// What is wrong with the scope, fields prefixed by `path`.
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, list) in [("categories", categories), ("skus", skus), ("tags", tags)] {
            if let list, list.count > 10_000 || list.contains(where: { $0.isEmpty || $0.count > 100 }) {
                errors.append(.init(field: "\(path).\(name)", message: "at most 10000 entries of 1…100 characters"))
            }
        }
        if (categories ?? []).isEmpty, (skus ?? []).isEmpty, (tags ?? []).isEmpty {
            errors.append(.init(field: path, message: "name at least one category, SKU or tag (leave `lines` out for every line)"))
        }
        return errors
    }

    /// The scope prepared for matching: a bit per category, SKU and tag of the program's vocabulary.
    struct Compiled: Sendable {
        let bits: [UInt64]

        init(_ scope: LineScope, _ vocabulary: Vocabulary) {
            var bits = [UInt64](repeating: 0, count: vocabulary.count / 64 + 1)
            for term in vocabulary.terms(of: scope) { bits[term >> 6] |= 1 << UInt64(term & 63) }
            self.bits = bits
        }

        /// Whether a line with these terms (from `Vocabulary.terms(of:)`) belongs to the scope.
        func matches(_ terms: [Int]) -> Bool {
            terms.contains { bits[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
        }
    }
}

/// Every category, SKU and tag the program's scopes name, numbered: a receipt's lines are looked up once,
/// and each scope test is then a bit test instead of hashing strings per promotion and line.
struct Vocabulary: Sendable {
    private(set) var categories: [String: Int] = [:]
    private(set) var skus: [String: Int] = [:]
    private(set) var tags: [String: Int] = [:]
    private(set) var count = 0

    mutating func add(_ scope: LineScope) {
        func add(_ words: [String]?, to table: inout [String: Int]) {
            for word in words ?? [] where table[word] == nil {
                table[word] = count
                count += 1
            }
        }
        add(scope.categories, to: &categories)
        add(scope.skus, to: &skus)
        add(scope.tags, to: &tags)
    }

    func terms(of scope: LineScope) -> [Int] {
        (scope.categories ?? []).compactMap { categories[$0] } + (scope.skus ?? []).compactMap { skus[$0] } + (scope.tags ?? []).compactMap { tags[$0] }
    }

    /// The numbers of a line's category, SKU and tags that some scope names.
    func terms(of line: ReceiptLine) -> [Int] {
        var terms: [Int] = []
        if let category = line.category, let term = categories[category] { terms.append(term) }
        if let term = skus[line.sku] { terms.append(term) }
        for tag in line.tags { if let term = tags[tag] { terms.append(term) } }
        return terms
    }
}

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
        guard from != nil || until != nil || weekdays != nil || hours != nil else { return nil }
        guard let time else { return ("outside_schedule", "the receipt's local time is unknown") }
        if let from, time.date < from { return ("not_started", "starts on \(from)") }
        if let until, time.date > until { return ("ended", "ended on \(until)") }
        if let weekdays, !weekdays.contains(time.weekday) {
            return ("outside_days", "not on \(Self.weekdayNames[time.weekday - 1]) (days \(weekdays.map(String.init).joined(separator: ",")))")
        }
        if let hours, !hours.contains(minute: time.minute) {
            return ("outside_hours", "\(ClockTime(minute: time.minute)) is outside \(hours.description)")
        }
        return nil
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
}

extension Schedule {
    /// The schedule as the engine tests it per receipt: weekdays as a bit set, and the refusal messages written once.
    struct Compiled: Sendable {
        let schedule: Schedule
        let weekdays: UInt8
        let notStarted: String
        let ended: String
        let outsideDays: String
        let outsideHours: String

        init(_ schedule: Schedule) {
            self.schedule = schedule
            weekdays = (schedule.weekdays ?? []).reduce(0) { $0 | UInt8(1) << UInt8($1) }
            notStarted = "starts on \(schedule.from.map(\.description) ?? "")"
            ended = "ended on \(schedule.until.map(\.description) ?? "")"
            outsideDays = "only on " + (schedule.weekdays ?? []).map { Schedule.weekdayNames[$0 - 1] }.joined(separator: ", ")
            outsideHours = "outside \(schedule.hours?.description ?? "")"
        }

        /// Why the schedule does not hold at `time` (a `promotion_…` code and a message), or nil when it holds.
        func miss(at time: LocalTime?) -> (code: String, message: String)? {
            if schedule.from == nil, schedule.until == nil, schedule.weekdays == nil, schedule.hours == nil { return nil }
            guard let time else { return ("promotion_outside_schedule", "the receipt's local time is unknown") }
            if let from = schedule.from, time.date < from { return ("promotion_not_started", notStarted) }
            if let until = schedule.until, time.date > until { return ("promotion_ended", ended) }
            if weekdays != 0, weekdays & (UInt8(1) << UInt8(time.weekday)) == 0 { return ("promotion_outside_days", outsideDays) }
            if let hours = schedule.hours, !hours.contains(minute: time.minute) { return ("promotion_outside_hours", outsideHours) }
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
