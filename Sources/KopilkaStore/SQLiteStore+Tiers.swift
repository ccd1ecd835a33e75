import GRDB
import KopilkaCore

extension SQLiteStore {
    /// The customer's level under `rules` at `now`: qualifying spend (payable less refunds) or purchases
    /// (receipts not returned in full) over the window, kept at the highest level reached if the program says so.
    func standing(_ db: Database, merchantId: Int64, customerId: Int64, rules: TierRules, now: UnixSeconds) throws -> TierStanding? {
        let since = rules.windowDays > 0 ? now - Int64(rules.windowDays) * 86_400 : Int64.min
        let row = try db.row(
            """
            SELECT COALESCE(SUM(payable - refunded_kopecks), 0) AS spend, COALESCE(SUM(1 - returned_in_full), 0) AS purchases,
                   (SELECT tier_reached FROM customers WHERE merchant_id = ?1 AND id = ?2) AS reached
            FROM receipts WHERE merchant_id = ?1 AND customer_id = ?2 AND created_at > ?3
            """, [merchantId, customerId, since])
        let qualifying: Int64 = rules.basis == .spend ? row?["spend"] ?? 0 : row?["purchases"] ?? 0
        return TierStanding(rules: rules, qualifying: qualifying, reached: row?["reached"])
    }

    /// The level that applies to the customer's next receipt, if the program has levels.
    func tier(_ db: Database, merchantId: Int64, customerId: Int64, rules: ProgramRules, now: UnixSeconds) throws -> Tier? {
        guard let tiers = rules.tiers, let standing = try standing(db, merchantId: merchantId, customerId: customerId, rules: tiers, now: now)
        else { return nil }
        return tiers.tiers[standing.level]
    }

    /// Records the level a purchase reached, for programs that keep a level once reached (upgrade at once).
    func recordReachedLevel(_ db: Database, merchantId: Int64, customerId: Int64, rules: ProgramRules, now: UnixSeconds) throws {
        guard let tiers = rules.tiers, tiers.keepReachedLevel,
            let standing = try standing(db, merchantId: merchantId, customerId: customerId, rules: tiers, now: now)
        else { return }
        try db.run(
            "UPDATE customers SET tier_reached = MAX(COALESCE(tier_reached, 0), ?) WHERE merchant_id = ? AND id = ?",
            [standing.level, merchantId, customerId])
    }
}
