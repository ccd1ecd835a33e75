import KopilkaCore

/// Stamps on one of a customer's stamp cards, as the till and the cabinet show them.
public struct StampBalance: Codable, Sendable, Equatable {
    /// The card's id.
    public var card: String
    public var name: String
    /// Stamps on the card now.
    public var stamps: Int
    /// Stamps for a reward: the next qualifying item or visit after them is the reward.
    public var stampsForReward: Int
    /// When the stamps burn if no new one comes (nil: never, or no stamps).
    public var expiresAt: Instant?
}

extension SQLStore {
    /// The customer's stamps on each card of the program, burnt stamps left out.
    func stampBalances(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, cards: [StampCard], now: UnixSeconds) throws -> [StampBalance] {
        guard !cards.isEmpty else { return [] }
        var stored: [String: (stamps: Int, lastStampAt: UnixSeconds)] = [:]
        for row in try db.rows("SELECT card_id, stamps, last_stamp_at FROM stamp_balances WHERE merchant_id = ? AND customer_id = ?", [merchantId, customerId]) {
            stored[row["card_id"]] = (Int(row["stamps"] as Int64), row["last_stamp_at"])
        }
        return cards.map { card in
            var stamps = stored[card.id]?.stamps ?? 0
            var expiresAt: UnixSeconds?
            if card.lifetimeDays > 0, stamps > 0, let last = stored[card.id]?.lastStampAt {
                expiresAt = last + Int64(card.lifetimeDays) * 86_400
                if now >= expiresAt! { (stamps, expiresAt) = (0, nil) }
            }
            return StampBalance(
                card: card.id, name: card.name, stamps: stamps, stampsForReward: card.stampsForReward, expiresAt: expiresAt.map(Instant.init))
        }
    }

    /// Writes what a calculation did on the customer's stamp cards, burning first what a card's lifetime burnt. The
    /// calculation saw the same balances: both happen in one write transaction.
    func recordStamps(
        _ db: any SQLConnection, merchantId: Int64, customerId: Int64, _ outcomes: [StampOutcome], receiptId: Int64?,
        holdId: Int64?, now: UnixSeconds
    ) throws {
        if !outcomes.isEmpty { try touchCustomer(db, merchantId: merchantId, customerId: customerId) }
        for outcome in outcomes {
            let row = try db.row(
                "SELECT stamps, last_stamp_at FROM stamp_balances WHERE merchant_id = ? AND customer_id = ? AND card_id = ?",
                [merchantId, customerId, outcome.card])
            let stored = Int(row?["stamps"] as Int64? ?? 0)
            if stored != outcome.before {
                // Only burnt stamps differ from what the calculation saw.
                try addStampEntry(db, merchantId: merchantId, customerId: customerId, card: outcome.card, .expiry, outcome.before - stored, now: now)
            }
            if outcome.earned > 0 {
                try addStampEntry(
                    db, merchantId: merchantId, customerId: customerId, card: outcome.card, .earn, outcome.earned, receiptId: receiptId,
                    holdId: holdId, now: now)
            }
            if outcome.spent > 0 {
                try addStampEntry(
                    db, merchantId: merchantId, customerId: customerId, card: outcome.card, .reward, -outcome.spent, receiptId: receiptId,
                    holdId: holdId, now: now)
            }
            let lastStampAt: UnixSeconds = outcome.earned > 0 ? now : row?["last_stamp_at"] ?? now
            try db.run(
                """
                INSERT INTO stamp_balances (merchant_id, customer_id, card_id, stamps, last_stamp_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (merchant_id, customer_id, card_id) DO UPDATE SET stamps = excluded.stamps, last_stamp_at = excluded.last_stamp_at
                """, [merchantId, customerId, outcome.card, outcome.after, lastStampAt])
        }
    }

    /// Takes back what a returned receipt or a released order did on the stamp cards: the stamps it earned come off
    /// (as far as the card still holds them) and the stamps its rewards used come back.
    func reverseStamps(
        _ db: any SQLConnection, merchantId: Int64, customerId: Int64, receiptId: Int64? = nil, holdId: Int64? = nil, returnId: Int64? = nil,
        now: UnixSeconds
    ) throws {
        let (column, id) = receiptId.map { ("receipt_id", $0) } ?? ("hold_id", holdId!)
        for row in try db.rows(
            """
            SELECT card_id, SUM(stamps) AS net FROM stamp_entries
            WHERE merchant_id = ? AND \(column) = ? AND kind IN ('earn', 'reward') GROUP BY card_id ORDER BY card_id
            """, [merchantId, id])
        {
            let card: String = row["card_id"]
            let stored = Int(try db.row(
                "SELECT stamps FROM stamp_balances WHERE merchant_id = ? AND customer_id = ? AND card_id = ?", [merchantId, customerId, card])?["stamps"]
                as Int64? ?? 0)
            let change = max(-stored, -Int(row["net"] as Int64))
            guard change != 0 else { continue }
            try touchCustomer(db, merchantId: merchantId, customerId: customerId)
            try addStampEntry(
                db, merchantId: merchantId, customerId: customerId, card: card, .reversal, change, receiptId: receiptId, holdId: holdId,
                returnId: returnId, now: now)
            try db.run(
                "UPDATE stamp_balances SET stamps = ? WHERE merchant_id = ? AND customer_id = ? AND card_id = ?",
                [stored + change, merchantId, customerId, card])
        }
    }

    /// Kinds of stamp entries.
    enum StampEntryKind: String {
        case earn, reward, expiry, reversal
    }

    private func addStampEntry(
        _ db: any SQLConnection, merchantId: Int64, customerId: Int64, card: String, _ kind: StampEntryKind, _ stamps: Int,
        receiptId: Int64? = nil, holdId: Int64? = nil, returnId: Int64? = nil, now: UnixSeconds
    ) throws {
        try db.run(
            """
            INSERT INTO stamp_entries (merchant_id, id, customer_id, card_id, kind, stamps, receipt_id, hold_id, return_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [merchantId, nextID(), customerId, card, kind.rawValue, Int64(stamps), receiptId, holdId, returnId, now])
    }
}
