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
        // One query per period, the level kept so far riding along (the commit path asks twice per receipt).
        func qualifying(from start: UnixSeconds, until: UnixSeconds) throws -> (amount: Int64, reached: Int?) {
            let from = max(start, streakStart == .min ? .min : streakStart - 1)
            if rules.basis != .purchases, !rules.itemCategories.isEmpty {
                // Lines of the counted categories: whole items ("every 10th cup"), or what they cost ("paint bought this
                // quarter"); returns taken off. A line's refunds so far are `payable × returned / quantity` rounded
                // down (ReturnCalculator), written as quotient and remainder so that no product overflows 64 bits.
                let marks = Array(repeating: "?", count: rules.itemCategories.count).joined(separator: ", ")
                let row = try db.row(
                    """
                    SELECT COALESCE(SUM(l.quantity - l.returned_quantity), 0) AS items,
                           COALESCE(SUM(l.payable - (l.payable / l.quantity) * l.returned_quantity
                                        - (l.payable % l.quantity) * l.returned_quantity / l.quantity), 0) AS spend,
                           (SELECT tier_reached FROM customers WHERE merchant_id = ? AND id = ?) AS reached
                    FROM receipts r JOIN receipt_lines l ON l.merchant_id = r.merchant_id AND l.receipt_id = r.id
                    WHERE r.merchant_id = ? AND r.customer_id = ? AND r.created_at > ? AND r.created_at <= ? AND l.category IN (\(marks))
                    """, [merchantId, customerId, merchantId, customerId, from, until] + rules.itemCategories.map { $0 as (any SQLBindable)? })
                return (rules.basis == .items ? (row?["items"] ?? 0) / 1000 : row?["spend"] ?? 0, row?["reached"])
            }
            let row = try db.row(
                """
                SELECT COALESCE(SUM(payable - refunded_kopecks), 0) AS spend,
                       COALESCE(SUM(CASE WHEN payable >= ?5 THEN 1 - returned_in_full ELSE 0 END), 0) AS purchases,
                       (SELECT tier_reached FROM customers WHERE merchant_id = ?1 AND id = ?2) AS reached
                FROM receipts WHERE merchant_id = ?1 AND customer_id = ?2 AND created_at > ?3 AND created_at <= ?4
                """, [merchantId, customerId, from, until, rules.minPurchaseKopecks])
            return (rules.basis == .spend ? row?["spend"] ?? 0 : row?["purchases"] ?? 0, row?["reached"])
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
                // One query per month, newest first; the best month is what qualifies.
                var best: Int64 = 0, reached: Int?, until = Int64.max
                for month in TierRules.Period.monthStarts(of: local.date, count: rules.bestOfMonths).map(start) {
                    let counted = try qualifying(from: month - 1, until: until)
                    (best, reached, until) = (max(best, counted.amount), counted.reached, month - 1)
                }
                inputs = LevelInputs(qualifying: best, reached: reached)
            } else {
                guard let bounds = rules.period.bounds(of: local.date) else { return nil }
                let current = start(bounds.current), previous = start(bounds.previous)
                let (amount, reached) = try qualifying(from: current - 1, until: Int64.max)
                inputs = LevelInputs(
                    qualifying: amount, previousPeriod: try qualifying(from: previous - 1, until: current - 1).amount, reached: reached)
            }
        } else {
            let since = rules.windowDays > 0 ? now - Int64(rules.windowDays) * 86_400 : Int64.min
            let (amount, reached) = try qualifying(from: since, until: Int64.max)
            inputs = LevelInputs(qualifying: amount, reached: reached)
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
