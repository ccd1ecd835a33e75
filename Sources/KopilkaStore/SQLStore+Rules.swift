import Foundation
import KopilkaCore

/// What the program's rules need to know of a customer, read on one snapshot.
struct RuleSubject: Sendable {
    var customerId: Int64
    var facts: RuleFacts
    /// The customer's level now, by name (nil without levels).
    var level: String?
    var lastPurchaseAt: UnixSeconds?
}

/// One grant a rule decided, before it is written.
struct RuleGrant: Sendable {
    var rule: Rule
    var points: Points
    /// What makes it once only: an action's id, a birthday's year, a level's name.
    var ref: String
    var expiresAt: UnixSeconds?
}

extension SQLStore {
    /// The customer's facts for the rules, or nil when the merchant has no such customer (or it was erased). With
    /// `level: false` the level is not read (a receipt's calculation has it already).
    func ruleSubject(
        _ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: ProgramRules, now: UnixSeconds, level readsLevel: Bool = true
    ) throws -> RuleSubject? {
        guard
            let row = try db.row(
                """
                SELECT c.created_at, c.birthday, c.name, c.email, c.marketing_consent,
                       (SELECT MAX(created_at) FROM receipts WHERE merchant_id = c.merchant_id AND customer_id = c.id) AS last,
                       (SELECT COALESCE(SUM(1 - returned_in_full), 0) FROM receipts WHERE merchant_id = c.merchant_id AND customer_id = c.id) AS purchases
                FROM customers c WHERE c.merchant_id = ? AND c.id = ? AND c.erased_at IS NULL
                """, [merchantId, customerId])
        else { return nil }
        var facts = RuleFacts()
        let joined: Int64 = row["created_at"]
        let last: Int64? = row["last"]
        let birthday: String? = row["birthday"], name: String? = row["name"], email: String? = row["email"]
        facts[.daysSinceJoined] = (now - joined) / 86_400
        facts[.purchases] = row["purchases"]
        facts[.daysSinceLastPurchase] = last.map { (now - $0) / 86_400 }
        // A birthday is given when the customer joins and is not changed later: it is known since then.
        facts[.birthdayKnownDays] = birthday == nil ? nil : (now - joined) / 86_400
        facts[.hasName] = (name ?? "").isEmpty ? 0 : 1
        facts[.hasEmail] = (email ?? "").isEmpty ? 0 : 1
        facts[.hasBirthday] = birthday == nil ? 0 : 1
        facts[.marketingConsent] = (row["marketing_consent"] as Bool) ? 1 : 0
        let level = readsLevel ? try tier(db, merchantId: merchantId, customerId: customerId, rules: rules, now: now)?.name : nil
        return RuleSubject(customerId: customerId, facts: facts, level: level, lastPurchaseAt: last)
    }

    /// Each of the rule's caps' grants so far in its period (the program's `expiryTimeZone` says where days, weeks,
    /// months and years end).
    func ruleUsage(
        _ db: any SQLConnection, merchantId: Int64, rule: Rule, customerId: Int64, lastPurchaseAt: UnixSeconds?, rules: ProgramRules,
        now: UnixSeconds
    ) throws -> [RuleCapUsage] {
        try rule.caps.map { cap in
            let since: UnixSeconds
            switch cap.per {
            case .ever: since = Int64.min
            case .purchase: since = lastPurchaseAt ?? Int64.min
            case .day, .week, .month, .year: since = rules.periodStart(cap.per, at: now)
            }
            let customer = cap.of == .customer ? "AND customer_id = ?" : ""
            let arguments: [(any SQLBindable)?] = cap.of == .customer ? [merchantId, rule.id, since, customerId] : [merchantId, rule.id, since]
            let row = try db.row(
                """
                SELECT COUNT(*) AS times, COALESCE(SUM(points), 0) AS points FROM rule_grants
                WHERE merchant_id = ? AND rule_id = ? AND created_at >= ? \(customer)
                """, arguments)
            return RuleCapUsage(times: row?["times"] ?? 0, points: row?["points"] ?? 0)
        }
    }

    /// The caps' usage of each rule on `purchase` that has caps, by rule id.
    func purchaseRuleUsage(
        _ db: any SQLConnection, merchantId: Int64, program: CompiledProgram, subject: RuleSubject, now: UnixSeconds
    ) throws -> [String: [RuleCapUsage]] {
        var usage: [String: [RuleCapUsage]] = [:]
        for rule in program.purchaseRules where !rule.caps.isEmpty {
            usage[rule.id] = try ruleUsage(
                db, merchantId: merchantId, rule: rule, customerId: subject.customerId, lastPurchaseAt: subject.lastPurchaseAt, rules: program.rules,
                now: now)
        }
        return usage
    }

    /// Records the grants of the rules on `purchase` a receipt's calculation applied, their points being in the
    /// receipt's accrual entry `entryId`. With `usage` (a commit), each rule's caps must still be as the calculation
    /// read them.
    func recordPurchaseRules(
        _ db: any SQLConnection, merchantId: Int64, rules: ProgramRules, customerId: Int64, receiptId: Int64, calculation: ReceiptCalculation,
        entryId: Int64?, usage: [String: [RuleCapUsage]]?, now: UnixSeconds
    ) throws {
        guard let applied = calculation.rules, let entryId else { return }
        for applied in applied {
            guard let rule = rules.rules.first(where: { $0.id == applied.id }) else { continue }
            if let usage, !rule.caps.isEmpty {
                // Caps per purchase are refused for these rules, so the last purchase is not needed to count.
                let current = try ruleUsage(db, merchantId: merchantId, rule: rule, customerId: customerId, lastPurchaseAt: nil, rules: rules, now: now)
                guard current == usage[rule.id] ?? rule.caps.map({ _ in RuleCapUsage() }) else { throw Ledger.Stale() }
            }
            let grant = RuleGrant(rule: rule, points: applied.points, ref: "receipt:\(receiptId)", expiresAt: nil)
            try recordGrant(db, merchantId: merchantId, customerId: customerId, grant, entryId: entryId, now: now)
        }
    }

    /// The rule's decision for the customer: a grant, or why none. `ref` makes the grant once only.
    func decideRule(
        _ db: any SQLConnection, merchantId: Int64, rule: Rule, subject: RuleSubject, facts: RuleFacts, ref: String, rules: ProgramRules,
        now: UnixSeconds
    ) throws -> Result<RuleGrant, RuleDecision.Refusal> {
        let usage = try ruleUsage(
            db, merchantId: merchantId, rule: rule, customerId: subject.customerId, lastPurchaseAt: subject.lastPurchaseAt, rules: rules, now: now)
        return RuleDecision.points(rule, facts: facts, level: subject.level, usage: usage, step: rules.pointsStep).map {
            RuleGrant(rule: rule, points: $0, ref: ref, expiresAt: rules.expiry(of: rule, from: now))
        }
    }

    /// Whether the rule already gave the customer a grant under `ref`.
    func ruleGranted(_ db: any SQLConnection, merchantId: Int64, ruleId: String, customerId: Int64, ref: String) throws -> Bool {
        try db.row(
            "SELECT 1 FROM rule_grants WHERE merchant_id = ? AND rule_id = ? AND customer_id = ? AND ref = ?", [merchantId, ruleId, customerId, ref])
            != nil
    }

    /// Records a grant whose points were credited as `entryId`; a second grant under the same `ref` fails the primary key.
    /// A grant of a rule capped over everyone also counts itself in the rule's row, which every such grant writes: the
    /// customer's version guards a customer's caps, this row the caps of everyone.
    func recordGrant(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, _ grant: RuleGrant, entryId: Int64, now: UnixSeconds) throws {
        try db.run(
            """
            INSERT INTO rule_grants (merchant_id, rule_id, customer_id, ref, id, points, entry_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, [merchantId, grant.rule.id, customerId, grant.ref, nextID(), grant.points, entryId, now])
        if grant.rule.caps.contains(where: { $0.of == .everyone }) {
            try db.run(
                """
                INSERT INTO rule_counters (merchant_id, rule_id, grants) VALUES (?, ?, 1)
                ON CONFLICT (merchant_id, rule_id) DO UPDATE SET grants = rule_counters.grants + 1
                """, [merchantId, grant.rule.id])
        }
    }

    /// Gives what the enabled rules on `trigger` decide for the customer, inside the writer's transaction (a
    /// registration, a level reached, a birthday in maintenance); rules that already gave under their `ref` are
    /// skipped. Returns the ledger entries written.
    @discardableResult
    func giveRules(_ db: any SQLConnection, ledger: Ledger, rules: ProgramRules, customerId: Int64, matching: (Rule) -> String?) throws -> [Int64] {
        let merchantId = ledger.merchantId, now = ledger.now
        let candidates = rules.rules.compactMap { rule in rule.enabled ? matching(rule).map { (rule, $0) } : nil }
        guard !candidates.isEmpty, let subject = try ruleSubject(db, merchantId: merchantId, customerId: customerId, rules: rules, now: now)
        else { return [] }
        var entries: [Int64] = []
        for (rule, ref) in candidates where try !ruleGranted(db, merchantId: merchantId, ruleId: rule.id, customerId: customerId, ref: ref) {
            guard case .success(let grant) = try decideRule(
                db, merchantId: merchantId, rule: rule, subject: subject, facts: subject.facts, ref: ref, rules: rules, now: now),
                var account = try ledger.account(customerId)
            else { continue }
            let entryId = try ledger.credit(&account, .rule, grant.points, activatesAt: now, expiresAt: grant.expiresAt).entryId
            // An answer that shows the entry names its rule.
            ledger.made.entries[entryId]?.rule = rule.id
            try recordGrant(db, merchantId: merchantId, customerId: customerId, grant, entryId: entryId, now: now)
            entries.append(entryId)
        }
        return entries
    }

    /// The rules on reaching a level, after a purchase lifted the customer to `level` (an index into the levels):
    /// each gives once, for its level or one above it. Returns the ledger entries written.
    func giveLevelRules(
        _ db: any SQLConnection, ledger: Ledger, rules: ProgramRules, customerId: Int64, level: Int
    ) throws -> [Int64] {
        guard let tiers = rules.tiers?.tiers, rules.rules.contains(where: { $0.on == .levelReached }) else { return [] }
        return try giveRules(db, ledger: ledger, rules: rules, customerId: customerId) { rule in
            guard rule.on == .levelReached, let name = rule.level, let index = tiers.firstIndex(where: { $0.name == name }), index <= level
            else { return nil }
            return "level"
        }
    }

    /// Birthday gifts due at `now`: for every customer whose birthday window (of a rule on `birthday`) holds today in
    /// the program's zone, once per birthday. Runs in maintenance; returns how many customers it looked at.
    func giveBirthdayGifts(_ db: any SQLConnection, merchantId: Int64, rules: ProgramRules, now: UnixSeconds, limit: Int) throws -> Int {
        let birthdayRules = rules.rules.filter { $0.enabled && $0.on == .birthday }
        guard !birthdayRules.isEmpty else { return 0 }
        let today = rules.localDate(at: now)
        // The month-days whose window holds today: up to 31 days on either side.
        let widest = birthdayRules.map { ($0.birthday?.daysBefore ?? 0, $0.birthday?.daysAfter ?? 0) }
        let back = Int64(widest.map(\.1).max() ?? 0), ahead = Int64(widest.map(\.0).max() ?? 0)
        var monthDays = Set((today.day - back...today.day + ahead).map { String(LocalDate(day: $0).description.dropFirst(5)) })
        // 29 February is celebrated on 28 February in other years.
        if monthDays.contains("02-28") { monthDays.insert("02-29") }
        let marks = Placeholders.list(monthDays.count)
        let due = try db.rows(
            """
            SELECT id, birthday FROM customers
            WHERE merchant_id = ? AND substr(birthday, 6) IN (\(marks)) AND erased_at IS NULL
              AND (birthday_checked_day IS NULL OR birthday_checked_day < ?)
            LIMIT ?
            """, [merchantId] + monthDays.sorted().map { $0 as (any SQLBindable)? } + [today.day, limit])
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        for row in due {
            let customerId: Int64 = row["id"]
            guard let birthday = LocalDate(row["birthday"] as String) else { continue }
            try giveRules(db, ledger: ledger, rules: rules, customerId: customerId) { rule in
                guard rule.on == .birthday, let anniversary = (rule.birthday ?? BirthdayWindow(daysBefore: 0, daysAfter: 0))
                    .anniversary(around: today, birthday: birthday)
                else { return nil }
                // One gift per birthday, whichever day of its window it is given on.
                return "birthday:\(anniversary.description.prefix(4))"
            }
            // Looked at today: later runs today skip the customer.
            try db.run("UPDATE customers SET birthday_checked_day = ? WHERE merchant_id = ? AND id = ?", [today.day, merchantId, customerId])
        }
        return due.count
    }
}

extension ProgramRules {
    /// When a rule's points expire: its own lifetime from `start`, or as the program's other points.
    func expiry(of rule: Rule, from start: UnixSeconds) -> UnixSeconds? {
        guard let lifetime = rule.lifetime else { return expiry(from: start) }
        if let days = lifetime.days { return start + Int64(days) * 86_400 }
        let date = calendar.date(byAdding: .month, value: lifetime.months ?? 0, to: Date(timeIntervalSince1970: TimeInterval(start)))
        return date.map { UnixSeconds($0.timeIntervalSince1970) }
    }

    /// The first moment of the program's local day, week (from Monday), month or year holding `now`.
    func periodStart(_ period: RuleCap.Period, at now: UnixSeconds) -> UnixSeconds {
        let component: Calendar.Component
        switch period {
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        case .year: component = .year
        case .purchase, .ever: return Int64.min
        }
        let start = calendar.dateInterval(of: component, for: Date(timeIntervalSince1970: TimeInterval(now)))?.start
        return start.map { UnixSeconds($0.timeIntervalSince1970) } ?? now
    }

    /// The program's local date at `now`.
    func localDate(at now: UnixSeconds) -> LocalDate {
        let offset = calendar.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now)))
        return LocalTime(now, offsetSeconds: Int64(offset)).date
    }

    /// A Gregorian calendar in the program's zone, weeks from Monday.
    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: expiryTimeZone) ?? TimeZone(identifier: "Europe/Moscow")!
        calendar.firstWeekday = 2
        return calendar
    }
}
