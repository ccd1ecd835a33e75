import Foundation
import KopilkaCore

extension SQLStore {
    /// Expires due lots, marks activated lots, releases expired holds, pays referral rewards whose return window is over,
    /// gives birthday gifts and drops day-old spending codes, for every merchant.
    /// Idempotent: a second run at the same moment finds nothing to do. Works in batches so writes keep flowing.
    public func holdsMaintenanceLease() async throws -> Bool { try await backend.holdsLease("maintenance") }

    public func runMaintenance(now: UnixSeconds, batchSize: Int = 500) async throws -> MaintenanceReport {
        var report = MaintenanceReport()
        for merchantId in try await merchantIds() {
            while true {
                let done = try await backend.write { db -> (MaintenanceReport, Bool) in
                    try self.maintainBatch(db, merchantId: merchantId, now: now, limit: batchSize)
                }
                report.expiredLots += done.0.expiredLots
                report.expiredPoints += done.0.expiredPoints
                report.activatedLots += done.0.activatedLots
                report.releasedHolds += done.0.releasedHolds
                report.settledReferrals += done.0.settledReferrals
                report.birthdaysChecked += done.0.birthdaysChecked
                if done.1 { break }
            }
        }
        return report
    }

    /// One batch of one merchant's maintenance; returns what it did and whether nothing is left.
    private func maintainBatch(_ db: any SQLConnection, merchantId: Int64, now: UnixSeconds, limit: Int) throws -> (MaintenanceReport, Bool) {
        var report = MaintenanceReport()
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        let expiring = try db.column(
            """
            SELECT DISTINCT customer_id FROM lots
            WHERE merchant_id = ? AND remaining > 0 AND expires_at IS NOT NULL AND expires_at <= ? LIMIT ?
            """, [merchantId, now, limit], as: Int64.self)
        for customerId in expiring {
            // Loading an account expires what is due: the same path every write takes.
            guard let (_, expired) = try ledger.accountExpiring(customerId) else { continue }
            report.expiredLots += expired.lots
            report.expiredPoints += expired.points
        }
        report.activatedLots = try db.run(
            """
            UPDATE lots SET activated_at = ? WHERE merchant_id = ? AND id IN (
                SELECT id FROM lots WHERE merchant_id = ? AND activated_at IS NULL AND activates_at <= ? LIMIT ?)
            """, [now, merchantId, merchantId, now, limit])
        let holds = try db.rows(
            "SELECT id FROM holds WHERE merchant_id = ? AND status = 'held' AND expires_at <= ? LIMIT ?", [merchantId, now, limit])
        for hold in holds {
            // The cancellation's decision, made and written inside the writer.
            let snapshot = try releaseHoldSnapshot(db, merchantId: merchantId, holdId: hold["id"])
            try writeRelease(db, merchantId: merchantId, snapshot, decideRelease(snapshot, now: now), status: "expired", now: now)
        }
        report.releasedHolds = holds.count
        report.settledReferrals = try payDueReferrals(db, merchantId: merchantId, now: now, limit: limit)
        report.birthdaysChecked = try giveBirthdayGifts(db, merchantId: merchantId, rules: try program(db, merchantId: merchantId).rules, now: now, limit: limit)
        // Spending codes are of no use a day after they were sent (the longest lifetime, and the hourly count's window).
        let prunedCodes = try db.run(
            """
            DELETE FROM spend_codes WHERE merchant_id = ? AND id IN (
                SELECT id FROM spend_codes WHERE merchant_id = ? AND created_at < ? LIMIT ?)
            """, [merchantId, merchantId, now - 86_400, limit])
        // Join codes hold the phone of someone who may never have joined: gone a day after they were sent.
        let prunedJoinCodes = try db.run(
            """
            DELETE FROM join_codes WHERE merchant_id = ? AND id IN (
                SELECT id FROM join_codes WHERE merchant_id = ? AND created_at < ? LIMIT ?)
            """, [merchantId, merchantId, now - 86_400, limit])
        let finished = expiring.count < limit && report.activatedLots < limit && holds.count < limit && prunedCodes < limit
            && prunedJoinCodes < limit
            && report.settledReferrals < limit && report.birthdaysChecked < limit
        return (report, finished)
    }
}
