import KopilkaCore

/// A text owed to a member before their points burn (`ProgramRules.expiryReminderDays`).
public struct ExpiryReminder: Sendable, Equatable {
    public var merchantId: Int64
    public var customerId: Int64
    /// Where the text goes (E.164).
    public var phone: String
    /// Who the text is from.
    public var merchantName: String
    /// The merchant's time zone, for the dates in the text.
    public var timeZone: String
    /// The points burning from `firstExpiresAt` to `lastExpiresAt`, in hundredths.
    public var points: Points
    /// When the first of them burns.
    public var firstExpiresAt: UnixSeconds
    /// When the last of them burns; the reminder covers the lots burning up to this moment.
    public var lastExpiresAt: UnixSeconds

    public init(
        merchantId: Int64, customerId: Int64, phone: String, merchantName: String, timeZone: String, points: Points, firstExpiresAt: UnixSeconds,
        lastExpiresAt: UnixSeconds
    ) {
        self.merchantId = merchantId
        self.customerId = customerId
        self.phone = phone
        self.merchantName = merchantName
        self.timeZone = timeZone
        self.points = points
        self.firstExpiresAt = firstExpiresAt
        self.lastExpiresAt = lastExpiresAt
    }
}

extension SQLStore {
    /// Claims the reminders due now, at most `limit`, and returns them to be sent. A member who agreed to messages and
    /// has a phone is due one when spendable points no earlier reminder covered burn within the program's
    /// `expiryReminderDays`, at least `expiryReminderMinPoints` of them. The reminder covers the points burning from
    /// the first of those until `expiryReminderDays` later, so someone who buys every day gets one text a window, not
    /// one a day.
    ///
    /// A claim is kept: a process that stops between the claim and the text sends nothing (a reminder is never sent
    /// twice); a text the provider refused is given back with `releaseExpiryReminder` and claimed again later.
    public func claimExpiryReminders(now: UnixSeconds, limit: Int = 500) async throws -> [ExpiryReminder] {
        var claimed: [ExpiryReminder] = []
        for merchantId in try await merchantIds() where claimed.count < limit {
            // Most programs send no reminders: they cost a cached read, not a write transaction, every run.
            let rules = try await program(merchantId: merchantId).rules
            guard rules.expiryReminderDays > 0 else { continue }
            let room = limit - claimed.count
            claimed += try await backend.write { db in
                try self.claimExpiryReminders(db, merchantId: merchantId, rules: rules, now: now, limit: room)
            }
        }
        return claimed
    }

    /// Gives a claimed reminder back, so that a later run sends it (the provider refused it).
    public func releaseExpiryReminder(_ reminder: ExpiryReminder) async throws {
        _ = try await backend.write { db in
            try db.run(
                "DELETE FROM expiry_reminders WHERE merchant_id = ? AND customer_id = ? AND last_expires_at = ?",
                [reminder.merchantId, reminder.customerId, reminder.lastExpiresAt])
        }
    }

    private func claimExpiryReminders(
        _ db: any SQLConnection, merchantId: Int64, rules: ProgramRules, now: UnixSeconds, limit: Int
    ) throws -> [ExpiryReminder] {
        let window = Int64(rules.expiryReminderDays) * 86_400
        let covered = """
            l.merchant_id = ? AND l.customer_id = c.id AND l.remaining > 0 AND l.expires_at IS NOT NULL AND l.activates_at <= ?
            AND l.expires_at > COALESCE((SELECT MAX(r.last_expires_at) FROM expiry_reminders r
                                         WHERE r.merchant_id = l.merchant_id AND r.customer_id = l.customer_id), 0)
            """
        // PostgreSQL's SUM of BIGINT is NUMERIC, and a bare parameter beside it would be taken for one: hence the cast.
        let rows = try db.rows(
            """
            SELECT c.id, c.phone, MIN(l.expires_at) AS first_at
            FROM customers c JOIN lots l ON l.merchant_id = c.merchant_id AND \(covered) AND l.expires_at > ? AND l.expires_at <= ?
            WHERE c.merchant_id = ? AND c.marketing_consent = 1 AND c.phone IS NOT NULL AND c.erased_at IS NULL
            GROUP BY c.id, c.phone
            HAVING SUM(l.remaining) >= CAST(? AS BIGINT)
            ORDER BY c.id
            LIMIT ?
            """, [merchantId, now, now, now + window, merchantId, max(1, rules.expiryReminderMinPoints), Int64(limit)])
        guard !rows.isEmpty else { return [] }
        let name: String = try db.row("SELECT name FROM merchants WHERE merchant_id = ?", [merchantId])?["name"] ?? ""
        let zone = try reportingZone(db, merchantId: merchantId).identifier
        return try rows.compactMap { row in
            let customerId: Int64 = row["id"], first: UnixSeconds = row["first_at"]
            guard let lots = try db.row(
                """
                SELECT SUM(l.remaining) AS points, MAX(l.expires_at) AS last_at FROM lots l, customers c
                WHERE c.merchant_id = ? AND c.id = ? AND \(covered) AND l.expires_at <= ?
                """, [merchantId, customerId, merchantId, now, first + window])
            else { return nil }
            let reminder = ExpiryReminder(
                merchantId: merchantId, customerId: customerId, phone: row["phone"], merchantName: name, timeZone: zone,
                points: lots["points"], firstExpiresAt: first, lastExpiresAt: lots["last_at"])
            // Another process that claimed it first keeps it.
            let inserted = try db.run(
                """
                INSERT INTO expiry_reminders (merchant_id, customer_id, last_expires_at, first_expires_at, points, sent_at)
                VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """, [merchantId, customerId, reminder.lastExpiresAt, reminder.firstExpiresAt, reminder.points, now])
            return inserted == 1 ? reminder : nil
        }
    }
}
