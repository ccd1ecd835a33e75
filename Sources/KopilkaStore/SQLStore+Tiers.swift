import Foundation
import KopilkaCore

extension SQLStore {
    /// What a customer's level is found from: what qualifies now (and in the previous calendar period), the level kept
    /// so far and when it was reached, and the last purchase.
    struct LevelInputs {
        var qualifying: Int64
        var previousPeriod: Int64?
        var reached: Int?
        var reachedAt: UnixSeconds?
        var lastPurchaseAt: UnixSeconds?

        /// The standing these make at `now`; `ownLevel` is the level qualifying alone reaches, nothing kept.
        func standing(_ rules: TierRules, now: UnixSeconds) -> TierStanding? {
            TierStanding(
                rules: rules, qualifying: qualifying, previousPeriod: previousPeriod, reached: reached,
                reachedDaysAgo: reachedAt.map { (now - $0) / 86_400 }, daysWithoutPurchase: lastPurchaseAt.map { (now - $0) / 86_400 })
        }

        func ownLevel(_ rules: TierRules) -> Int? { rules.level(for: qualifying, previousPeriod: previousPeriod) }
    }

    /// The customer's level under `rules` at `now`: qualifying spend (payable less refunds, of the counted categories'
    /// lines if the levels name some), purchases (receipts not returned in full, from `minPurchaseKopecks`) or items,
    /// over the rolling window, over the current and the previous calendar period, or in the best of the last calendar
    /// months; kept at the highest level reached if the program says so (for good, or for `keepReachedDays`); the
    /// first level after `resetAfterDaysWithoutPurchase` days without a purchase.
    func standing(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: TierRules, now: UnixSeconds) throws -> TierStanding? {
        try levelInputs(db, merchantId: merchantId, customerId: customerId, rules: rules, now: now)?.standing(rules, now: now)
    }

    func levelInputs(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: TierRules, now: UnixSeconds) throws -> LevelInputs? {
        // After a gap of `resetAfterDaysWithoutPurchase` days, what came before it no longer counts: purchases count
        // from the first one after the last such gap, and a level kept from before the gap is forgotten.
        var streakStart = Int64.min
        if rules.resetAfterDaysWithoutPurchase > 0 {
            streakStart = try db.row(
                """
                SELECT MAX(r.created_at) AS start FROM receipts r
                WHERE r.merchant_id = ?1 AND r.customer_id = ?2 AND NOT EXISTS (
                    SELECT 1 FROM receipts p WHERE p.merchant_id = ?1 AND p.customer_id = ?2
                    AND p.created_at < r.created_at AND p.created_at > r.created_at - ?3)
                """, [merchantId, customerId, Int64(rules.resetAfterDaysWithoutPurchase) * 86_400])?["start"] ?? Int64.min
        }
        // Every period in one query (each after its `from`, up to and including its `until`), the level kept so far
        // riding along: a calendar period and the one before it, or the best of the last months, in one round trip.
        func qualifying(_ periods: [(from: UnixSeconds, until: UnixSeconds)]) throws -> (amounts: [Int64], reached: Int?) {
            let periods = periods.map { (from: max($0.from, streakStart == .min ? .min : streakStart - 1), until: $0.until) }
            let lower = periods.map(\.from).min()!, upper = periods.map(\.until).max()!
            let bounds = periods.flatMap { [$0.from, $0.until] as SQLArguments }
            if rules.basis != .purchases, !rules.itemCategories.isEmpty {
                // Lines of the counted categories: whole items ("every 10th cup"), or what they cost ("paint bought this
                // quarter"); returns taken off. A line's refunds so far are `payable × returned / quantity` rounded
                // down (ReturnCalculator), written as quotient and remainder so that no product overflows 64 bits.
                let counted = rules.basis == .items
                    ? "l.quantity - l.returned_quantity"
                    : "l.payable - (l.payable / l.quantity) * l.returned_quantity - (l.payable % l.quantity) * l.returned_quantity / l.quantity"
                let sums = periods.indices.map { "COALESCE(SUM(CASE WHEN r.created_at > ? AND r.created_at <= ? THEN \(counted) ELSE 0 END), 0) AS a\($0)" }
                let row = try db.row(
                    """
                    SELECT \(sums.joined(separator: ", ")), (SELECT tier_reached FROM customers WHERE merchant_id = ? AND id = ?) AS reached
                    FROM receipts r JOIN receipt_lines l ON l.merchant_id = r.merchant_id AND l.receipt_id = r.id
                    WHERE r.merchant_id = ? AND r.customer_id = ? AND r.created_at > ? AND r.created_at <= ?
                      AND l.category IN (\(Placeholders.list(rules.itemCategories.count)))
                    """,
                    bounds + [merchantId, customerId, merchantId, customerId, lower, upper] + rules.itemCategories.map { $0 as (any SQLBindable)? })
                let amounts = periods.indices.map { row?["a\($0)"] ?? Int64(0) }
                return (rules.basis == .items ? amounts.map { $0 / 1000 } : amounts, row?["reached"])
            }
            let counted = rules.basis == .spend ? "payable - refunded_kopecks" : "CASE WHEN payable >= ? THEN 1 - returned_in_full ELSE 0 END"
            let sums = periods.indices.map { "COALESCE(SUM(CASE WHEN created_at > ? AND created_at <= ? THEN \(counted) ELSE 0 END), 0) AS a\($0)" }
            let row = try db.row(
                """
                SELECT \(sums.joined(separator: ", ")), (SELECT tier_reached FROM customers WHERE merchant_id = ? AND id = ?) AS reached
                FROM receipts WHERE merchant_id = ? AND customer_id = ? AND created_at > ? AND created_at <= ?
                """,
                periods.flatMap { [$0.from, $0.until] + (rules.basis == .spend ? [] : [rules.minPurchaseKopecks]) as SQLArguments }
                    + [merchantId, customerId, merchantId, customerId, lower, upper])
            return (periods.indices.map { row?["a\($0)"] ?? Int64(0) }, row?["reached"])
        }
        var inputs: LevelInputs
        if rules.period != .rolling, let zone = TimeZone(identifier: rules.timeZone) {
            let local = LocalTime(now, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now)))))
            // A period starts at local midnight of its first day.
            func start(_ date: LocalDate) -> UnixSeconds {
                let midnight = date.day * 86_400
                return midnight - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(midnight))))
            }
            if rules.period == .bestMonth {
                // Each month, newest first; the best month is what qualifies.
                let starts = TierRules.Period.monthStarts(of: local.date, count: rules.bestOfMonths).map(start)
                let ends = [Int64.max] + starts.dropLast().map { $0 - 1 }
                let counted = try qualifying(zip(starts, ends).map { (from: $0 - 1, until: $1) })
                inputs = LevelInputs(qualifying: counted.amounts.max() ?? 0, reached: counted.reached)
            } else {
                guard let bounds = rules.period.bounds(of: local.date) else { return nil }
                let current = start(bounds.current), previous = start(bounds.previous)
                let counted = try qualifying([(from: current - 1, until: Int64.max), (from: previous - 1, until: current - 1)])
                inputs = LevelInputs(qualifying: counted.amounts[0], previousPeriod: counted.amounts[1], reached: counted.reached)
            }
        } else {
            let since = rules.windowDays > 0 ? now - Int64(rules.windowDays) * 86_400 : Int64.min
            let counted = try qualifying([(from: since, until: Int64.max)])
            inputs = LevelInputs(qualifying: counted.amounts[0], reached: counted.reached)
        }
        if rules.keepReachedDays > 0 || rules.resetAfterDaysWithoutPurchase > 0 {
            let row = try db.row(
                """
                SELECT tier_reached_at, (SELECT MAX(created_at) FROM receipts WHERE merchant_id = ?1 AND customer_id = ?2) AS last
                FROM customers WHERE merchant_id = ?1 AND id = ?2
                """, [merchantId, customerId])
            inputs.reachedAt = row?["tier_reached_at"]
            inputs.lastPurchaseAt = row?["last"]
            if streakStart != .min, (inputs.reachedAt ?? .min) < streakStart { inputs.reached = nil }
        }
        return inputs
    }

    /// The level that applies to the customer's next receipt, if the program has levels.
    func tier(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: ProgramRules, now: UnixSeconds) throws -> Tier? {
        guard let tiers = rules.tiers, let standing = try standing(db, merchantId: merchantId, customerId: customerId, rules: tiers, now: now)
        else { return nil }
        return tiers.tiers[standing.level]
    }

    /// Records the level a purchase reached, for programs that keep a level once reached (upgrade at once; a level kept
    /// for days starts its days again each time purchases reach it anew), and gives the rules on reaching a level.
    /// Returns the ledger entries of the bonuses given.
    func recordReachedLevel(_ db: any SQLConnection, ledger: Ledger, customerId: Int64, rules: ProgramRules) throws -> [Int64] {
        let merchantId = ledger.merchantId, now = ledger.now
        let rewardsLevels = rules.rules.contains { $0.enabled && $0.on == .levelReached }
        guard let tiers = rules.tiers, tiers.remembersReachedLevel || rewardsLevels,
            let inputs = try levelInputs(db, merchantId: merchantId, customerId: customerId, rules: tiers, now: now),
            let standing = inputs.standing(tiers, now: now), let own = inputs.ownLevel(tiers)
        else { return [] }
        if tiers.keepReachedLevel, own > (inputs.reached ?? -1) {
            // Higher than kept so far (or a level kept from before a reset gap, which `levelInputs` forgot).
            try db.run(
                "UPDATE customers SET tier_reached = ?, tier_reached_at = ? WHERE merchant_id = ? AND id = ?", [own, now, merchantId, customerId])
            try touchCustomer(db, merchantId: merchantId, customerId: customerId)
        } else if tiers.keepReachedDays > 0, own >= standing.level {
            // Reached on its own (again, or higher, or the kept level lapsed): kept for its days from now.
            try db.run(
                "UPDATE customers SET tier_reached = ?, tier_reached_at = ? WHERE merchant_id = ? AND id = ?", [own, now, merchantId, customerId])
            try touchCustomer(db, merchantId: merchantId, customerId: customerId)
        }
        return try giveLevelRules(db, ledger: ledger, rules: rules, customerId: customerId, level: standing.level)
    }

    /// Finishes a receipt (a commit, an order confirmed) once it counts: records the level it reached and gives the
    /// level's bonus; a bonus given joins the answer, with the balance after it (nil: the answer stands).
    func finishReceipt(
        _ db: any SQLConnection, merchantId: Int64, rules: ProgramRules, customerId: Int64?, _ answer: ReceiptCommitted, now: UnixSeconds
    ) throws -> ReceiptCommitted? {
        guard let customerId else { return nil }
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        let given = try recordReachedLevel(db, ledger: ledger, customerId: customerId, rules: rules)
        guard !given.isEmpty else { return nil }
        var answer = answer
        answer.entries += try ledger.entries(given)
        answer.balance = try ledger.account(customerId)?.snapshot(at: now)
        return answer
    }
}
