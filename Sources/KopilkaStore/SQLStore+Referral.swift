import KopilkaCore

/// A customer's "bring a friend" standing, for the cabinet and the console.
public struct ReferralSummary: Codable, Sendable, Equatable {
    /// Customers who named this one when they joined.
    public var friends: Int
    /// Points paid to this customer for friends' purchases.
    public var paidPoints: Points
    /// Points waiting out their purchases' return window.
    public var pendingPoints: Points
}

extension SQLStore {
    /// Who brought the customer, who brought them, … up to `levels` levels; nearest first.
    func referrers(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, levels: Int) throws -> [Int64] {
        var chain: [Int64] = []
        var current = customerId
        while chain.count < levels,
            let referrer: Int64 = try db.row("SELECT referrer_id FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, current])?["referrer_id"]
        {
            chain.append(referrer)
            current = referrer
        }
        return chain
    }

    /// The id of the member a new customer names as who brought them; refuses someone naming themselves or no member.
    func referrerId(_ db: any SQLConnection, merchantId: Int64, _ key: CustomerKey, newPhone: String) throws -> Int64 {
        if case .phone(let phone) = key, phone == newPhone {
            throw KopilkaError.validation([FieldError(field: "referrer", message: "a customer cannot refer themselves")])
        }
        guard let id = try Self.customerId(db, merchantId: merchantId, key: key) else {
            throw KopilkaError.validation([FieldError(field: "referrer", message: "no member has this phone or card")])
        }
        return id
    }

    /// Plans the referral rewards of a purchase paid `paid` in money: the simple rewards on the buyer's first qualifying
    /// purchase, and each level's share. They wait until the purchase's return window is over (`payDueReferrals`).
    func recordReferral(
        _ db: any SQLConnection, merchantId: Int64, rules: ProgramRules, customerId: Int64, receiptId: Int64, paid: Kopecks, now: UnixSeconds
    ) throws {
        guard let referral = rules.referral, paid > 0 else { return }
        let chain = try referrers(db, merchantId: merchantId, customerId: customerId, levels: max(1, referral.levelRatesBp.count))
        guard let first = chain.first else { return }
        let dueAt = now + Int64(referral.waitDays) * 86_400
        func plan(_ beneficiary: Int64, _ kind: String, level: Int, _ points: Points) throws {
            guard points > 0 else { return }
            try db.run(
                """
                INSERT INTO referral_rewards (merchant_id, id, receipt_id, buyer_id, beneficiary_id, kind, level, points, status, due_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                """, [merchantId, nextID(), receiptId, customerId, beneficiary, kind, Int64(level), points, dueAt, now])
        }
        if referral.referrerPoints > 0 || referral.friendPoints > 0, paid >= referral.minPurchaseKopecks,
            // The first qualifying purchase: no earlier one has a reward that still stands.
            try db.row(
                "SELECT 1 FROM referral_rewards WHERE merchant_id = ? AND buyer_id = ? AND kind = 'referrer' AND status <> 'cancelled'",
                [merchantId, customerId]) == nil
        {
            try plan(first, "referrer", level: 1, referral.referrerPoints)
            try plan(customerId, "friend", level: 0, referral.friendPoints)
        }
        for (index, beneficiary) in chain.enumerated() {
            var points = referral.share(level: index + 1, paid: paid, step: rules.pointsStep)
            if referral.maxPointsPerCustomer > 0, points > 0 {
                let given: Points = try db.row(
                    """
                    SELECT COALESCE(SUM(points), 0) AS total FROM referral_rewards
                    WHERE merchant_id = ? AND beneficiary_id = ? AND buyer_id = ? AND kind = 'share' AND status <> 'cancelled'
                    """, [merchantId, beneficiary, customerId])?["total"] ?? 0
                points = min(points, max(0, referral.maxPointsPerCustomer - given))
            }
            try plan(beneficiary, "share", level: index + 1, points)
        }
    }

    /// Pays the referral rewards whose return window is over, as `referral` ledger entries, or cancels those whose
    /// receipt was returned in full; a partly returned purchase pays its share on what was kept. Returns how many
    /// rewards it settled.
    func payDueReferrals(_ db: any SQLConnection, merchantId: Int64, now: UnixSeconds, limit: Int) throws -> Int {
        let due = try db.rows(
            """
            SELECT r.id, r.beneficiary_id, r.kind, r.points, t.payable, t.refunded_kopecks, t.returned_in_full
            FROM referral_rewards r JOIN receipts t ON t.merchant_id = r.merchant_id AND t.id = r.receipt_id
            WHERE r.merchant_id = ? AND r.status = 'pending' AND r.due_at <= ? ORDER BY r.due_at, r.id LIMIT ?
            """, [merchantId, now, limit])
        guard !due.isEmpty else { return 0 }
        let rules = try program(db, merchantId: merchantId).rules
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        for reward in due {
            let id: Int64 = reward["id"]
            var points: Points = reward["points"]
            let payable: Kopecks = reward["payable"], refunded: Kopecks = reward["refunded_kopecks"]
            if (reward["kind"] as String) == "share", refunded > 0, payable > 0 {
                points = Arithmetic.mulDiv(points, max(0, payable - refunded), payable)
                points -= points % rules.pointsStep
            }
            guard !(reward["returned_in_full"] as Bool), points > 0, var account = try ledger.account(reward["beneficiary_id"]) else {
                try db.run("UPDATE referral_rewards SET status = 'cancelled' WHERE merchant_id = ? AND id = ?", [merchantId, id])
                continue
            }
            let credit = try ledger.credit(&account, .referral, points, activatesAt: now, expiresAt: rules.expiry(from: now))
            try db.run(
                "UPDATE referral_rewards SET status = 'paid', points = ?, entry_id = ? WHERE merchant_id = ? AND id = ?",
                [points, credit.entryId, merchantId, id])
        }
        return due.count
    }

    /// How many friends the customer brought and what they were paid for them.
    public func referralSummary(merchantId: Int64, customerId: Int64) async throws -> ReferralSummary {
        try await backend.read { db in
            let friends: Int64 = try db.row(
                "SELECT COUNT(*) AS n FROM customers WHERE merchant_id = ? AND referrer_id = ?", [merchantId, customerId])?["n"] ?? 0
            var summary = ReferralSummary(friends: Int(friends), paidPoints: 0, pendingPoints: 0)
            for row in try db.rows(
                """
                SELECT status, COALESCE(SUM(points), 0) AS total FROM referral_rewards
                WHERE merchant_id = ? AND beneficiary_id = ? AND kind <> 'friend' GROUP BY status
                """, [merchantId, customerId])
            {
                switch row["status"] as String {
                case "paid": summary.paidPoints = row["total"]
                case "pending": summary.pendingPoints = row["total"]
                default: break
                }
            }
            return summary
        }
    }
}
