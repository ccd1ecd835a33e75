import Foundation
import KopilkaCore

extension SQLStore {
    /// The customer's level under `rules` at `now`: qualifying spend (payable less refunds, of the counted categories'
    /// lines if the levels name some), purchases (receipts not returned in full) or items, over the rolling window,
    /// over the current and the previous calendar period, or in the best of the last calendar months; kept at the
    /// highest level reached if the program says so.
    func standing(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: TierRules, now: UnixSeconds) throws -> TierStanding? {
        // One query per period, the level kept so far riding along (the commit path asks twice per receipt).
        func qualifying(from: UnixSeconds, until: UnixSeconds) throws -> (amount: Int64, reached: Int?) {
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
                SELECT COALESCE(SUM(payable - refunded_kopecks), 0) AS spend, COALESCE(SUM(1 - returned_in_full), 0) AS purchases,
                       (SELECT tier_reached FROM customers WHERE merchant_id = ?1 AND id = ?2) AS reached
                FROM receipts WHERE merchant_id = ?1 AND customer_id = ?2 AND created_at > ?3 AND created_at <= ?4
                """, [merchantId, customerId, from, until])
            return (rules.basis == .spend ? row?["spend"] ?? 0 : row?["purchases"] ?? 0, row?["reached"])
        }
        guard rules.period != .rolling, let zone = TimeZone(identifier: rules.timeZone) else {
            let since = rules.windowDays > 0 ? now - Int64(rules.windowDays) * 86_400 : Int64.min
            let (amount, reached) = try qualifying(from: since, until: Int64.max)
            return TierStanding(rules: rules, qualifying: amount, reached: reached)
        }
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
            return TierStanding(rules: rules, qualifying: best, reached: reached)
        }
        guard let bounds = rules.period.bounds(of: local.date) else { return nil }
        let current = start(bounds.current), previous = start(bounds.previous)
        let (amount, reached) = try qualifying(from: current - 1, until: Int64.max)
        return TierStanding(
            rules: rules, qualifying: amount, previousPeriod: try qualifying(from: previous - 1, until: current - 1).amount, reached: reached)
    }

    /// The level that applies to the customer's next receipt, if the program has levels.
    func tier(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: ProgramRules, now: UnixSeconds) throws -> Tier? {
        guard let tiers = rules.tiers, let standing = try standing(db, merchantId: merchantId, customerId: customerId, rules: tiers, now: now)
        else { return nil }
        return tiers.tiers[standing.level]
    }

    /// Records the level a purchase reached, for programs that keep a level once reached (upgrade at once).
    func recordReachedLevel(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, rules: ProgramRules, now: UnixSeconds) throws {
        guard let tiers = rules.tiers, tiers.keepReachedLevel,
            let standing = try standing(db, merchantId: merchantId, customerId: customerId, rules: tiers, now: now)
        else { return }
        try db.run(
            "UPDATE customers SET tier_reached = CASE WHEN COALESCE(tier_reached, 0) >= ?1 THEN tier_reached ELSE ?1 END WHERE merchant_id = ?2 AND id = ?3",
            [standing.level, merchantId, customerId])
        try touchCustomer(db, merchantId: merchantId, customerId: customerId)
    }
}
