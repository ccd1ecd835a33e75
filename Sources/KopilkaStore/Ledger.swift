import Foundation
import KopilkaCore

/// The points ledger inside one write transaction of one merchant: entries, lots, lot movements and the
/// cached balance always change together here, and nowhere else.
struct Ledger {
    let db: any SQLConnection
    let merchantId: Int64
    let now: UnixSeconds
    let store: SQLStore
    /// The entries this transaction made, as the API shows them (so a response needs no read-back).
    let made = EntryLog()

    final class EntryLog {
        var entries: [Int64: LedgerEntryView] = [:]
    }

    /// A customer's account as the transaction sees it.
    struct Account {
        var customerId: Int64
        var balance: Points
        var debt: Points
        var lots: [Lot]
        /// What loading the account expired: lots and points.
        var expiredOnLoad: (lots: Int, points: Points) = (0, 0)

        func snapshot(at now: UnixSeconds) -> BalanceSnapshot { Lots.balance(of: lots, debt: debt, at: now) }
        /// The lots a receipt of `store` may spend: all of them, unless the program keeps a balance per store.
        func lots(for store: Int64?, _ rules: ProgramRules) -> [Lot] {
            rules.balancePerStore ? lots.filter { $0.isUsable(in: store) } : lots
        }
    }

    /// Loads a customer's account with its open lots, after expiring what is due. Nil when there is no such customer.
    func account(_ customerId: Int64) throws -> Account? {
        guard let row = try db.row(
            "SELECT balance, debt FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])
        else { return nil }
        var account = Account(customerId: customerId, balance: row["balance"], debt: row["debt"], lots: try openLots(customerId))
        account.expiredOnLoad = try expireDue(&account)
        return account
    }

    func openLots(_ customerId: Int64) throws -> [Lot] { try Self.openLots(db, merchantId: merchantId, customerId: customerId) }

    /// The customer's lots that still hold points.
    static func openLots(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws -> [Lot] {
        try db.rows(
            "SELECT id, remaining, activates_at, expires_at, store_id FROM lots WHERE merchant_id = ? AND customer_id = ? AND remaining > 0",
            [merchantId, customerId]
        ).map {
            Lot(id: $0["id"], remaining: $0["remaining"], activatesAt: $0["activates_at"], expiresAt: $0["expires_at"], storeId: $0["store_id"])
        }
    }

    /// "The welcome bonus pays only for the next purchase": after a purchase, what is left of it burns now.
    func burnWelcomeBonus(_ account: inout Account) throws {
        let welcome = Set(try db.column(
            """
            SELECT l.id FROM lots l JOIN ledger_entries e ON e.merchant_id = l.merchant_id AND e.id = l.entry_id
            WHERE l.merchant_id = ? AND l.customer_id = ? AND l.remaining > 0 AND e.kind = 'welcome'
            """, [merchantId, account.customerId], as: Int64.self))
        guard !welcome.isEmpty else { return }
        try db.run(
            "UPDATE lots SET expires_at = ? WHERE merchant_id = ? AND customer_id = ? AND remaining > 0 AND id IN (\(welcome.map(String.init).joined(separator: ", ")))",
            [now, merchantId, account.customerId])
        for index in account.lots.indices where welcome.contains(account.lots[index].id) { account.lots[index].expiresAt = now }
        try expireDue(&account)
    }

    /// "Points burn after N days without a purchase": a purchase moves every open lot's expiry to `deadline`.
    func extendExpiry(_ account: inout Account, to deadline: UnixSeconds) throws {
        try db.run(
            "UPDATE lots SET expires_at = ? WHERE merchant_id = ? AND customer_id = ? AND remaining > 0",
            [deadline, merchantId, account.customerId])
        for index in account.lots.indices { account.lots[index].expiresAt = deadline }
    }

    /// Expires the account's lots whose time has come; idempotent (an expired lot holds nothing more to expire).
    @discardableResult
    func expireDue(_ account: inout Account) throws -> (lots: Int, points: Points) {
        let due = Lots.expired(account.lots, at: now)
        guard !due.isEmpty else { return (0, 0) }
        var total: Points = 0
        for take in due {
            let entryId = try appendEntry(account.customerId, .expiry, -take.points, lotId: take.lotId)
            try takeFromLot(take, kind: "expiry", entryId: entryId)
            total += take.points
        }
        try addToBalance(&account, -total)
        account.lots.removeAll { lot in due.contains { $0.lotId == lot.id } }
        return (due.count, total)
    }

    /// Appends one immutable entry and returns its id.
    func appendEntry(
        _ customerId: Int64, _ kind: EntryKind, _ amount: Points, receiptId: Int64? = nil, returnId: Int64? = nil,
        holdId: Int64? = nil, lotId: Int64? = nil, activatesAt: UnixSeconds? = nil, expiresAt: UnixSeconds? = nil
    ) throws -> Int64 {
        let id = store.nextID()
        made.entries[id] = LedgerEntryView(
            id: String(id), kind: kind, amount: amount, receiptId: idString(receiptId), returnId: idString(returnId),
            holdId: idString(holdId), lotId: idString(lotId), activatesAt: lotId == nil ? nil : activatesAt.map(Instant.init),
            expiresAt: expiresAt.map(Instant.init), createdAt: Instant(now))
        try db.run(
            """
            INSERT INTO ledger_entries (merchant_id, id, customer_id, kind, amount, receipt_id, return_id, hold_id, lot_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [merchantId, id, customerId, kind.rawValue, amount, receiptId, returnId, holdId, lotId, now])
        return id
    }

    /// Credits points as a new lot (entry + lot + balance); any debt is paid from the new lot first.
    func credit(
        _ account: inout Account, _ kind: EntryKind, _ points: Points, activatesAt: UnixSeconds, expiresAt: UnixSeconds?,
        receiptId: Int64? = nil, returnId: Int64? = nil, storeId: Int64? = nil
    ) throws -> (entryId: Int64, lotId: Int64) {
        precondition(points > 0)
        let lotId = store.nextID()
        let entryId = try appendEntry(
            account.customerId, kind, points, receiptId: receiptId, returnId: returnId, lotId: lotId, activatesAt: activatesAt,
            expiresAt: expiresAt)
        try db.run(
            """
            INSERT INTO lots (merchant_id, id, customer_id, earned, remaining, activates_at, expires_at, activated_at, entry_id, store_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [merchantId, lotId, account.customerId, points, points, activatesAt, expiresAt, activatesAt <= now ? now : nil, entryId, storeId])
        var lot = Lot(id: lotId, remaining: points, activatesAt: activatesAt, expiresAt: expiresAt, storeId: storeId)
        try addToBalance(&account, points)
        if account.debt > 0 {
            // The debt is owed from returns of spent points: the new lot pays it first.
            let paid = min(account.debt, points)
            try takeFromLot(LotTake(lotId: lotId, points: paid), kind: "debt", entryId: entryId)
            try db.run("UPDATE customers SET debt = debt - ? WHERE merchant_id = ? AND id = ?", [paid, merchantId, account.customerId])
            account.debt -= paid
            lot.remaining -= paid
        }
        if lot.remaining > 0 { account.lots.append(lot) }
        return (entryId, lotId)
    }

    /// Debits points from the given lots as one entry.
    func debit(
        _ account: inout Account, _ kind: EntryKind, _ takes: [LotTake], receiptId: Int64? = nil, returnId: Int64? = nil,
        holdId: Int64? = nil
    ) throws -> Int64? {
        let total = takes.reduce(0) { $0 + $1.points }
        guard total > 0 else { return nil }
        let entryId = try appendEntry(account.customerId, kind, -total, receiptId: receiptId, returnId: returnId, holdId: holdId)
        for take in takes {
            try takeFromLot(take, kind: kind.rawValue, entryId: entryId)
            if let index = account.lots.firstIndex(where: { $0.id == take.lotId }) { account.lots[index].remaining -= take.points }
        }
        account.lots.removeAll { $0.remaining == 0 }
        try addToBalance(&account, -total)
        return entryId
    }

    /// Records a debt (policy `allowNegative`): the balance goes down by points no lot holds any more.
    func incurDebt(_ account: inout Account, _ points: Points, returnId: Int64, receiptId: Int64) throws -> Int64 {
        let entryId = try appendEntry(account.customerId, .reversal, -points, receiptId: receiptId, returnId: returnId)
        try db.run("UPDATE customers SET debt = debt + ? WHERE merchant_id = ? AND id = ?", [points, merchantId, account.customerId])
        account.debt += points
        try addToBalance(&account, -points)
        return entryId
    }

    /// Puts points back into lots they were taken from (a released hold).
    func giveBack(_ account: inout Account, _ takes: [LotTake], holdId: Int64) throws -> Int64? {
        let total = takes.reduce(0) { $0 + $1.points }
        guard total > 0 else { return nil }
        let entryId = try appendEntry(account.customerId, .holdRelease, total, holdId: holdId)
        for take in takes {
            try db.run(
                "UPDATE lots SET remaining = remaining + ? WHERE merchant_id = ? AND id = ?", [take.points, merchantId, take.lotId])
            try recordMovement(lotId: take.lotId, kind: "hold_release", amount: take.points, entryId: entryId)
        }
        try addToBalance(&account, total)
        account.lots = try openLots(account.customerId)
        try expireDue(&account)
        return entryId
    }

    func takeFromLot(_ take: LotTake, kind: String, entryId: Int64) throws {
        try db.run("UPDATE lots SET remaining = remaining - ? WHERE merchant_id = ? AND id = ?", [take.points, merchantId, take.lotId])
        try recordMovement(lotId: take.lotId, kind: kind, amount: -take.points, entryId: entryId)
    }

    func recordMovement(lotId: Int64, kind: String, amount: Points, entryId: Int64) throws {
        try db.run(
            "INSERT INTO lot_movements (merchant_id, id, lot_id, entry_id, kind, amount, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [merchantId, store.nextID(), lotId, entryId, kind, amount, now])
    }

    func addToBalance(_ account: inout Account, _ delta: Points) throws {
        try db.run("UPDATE customers SET balance = balance + ? WHERE merchant_id = ? AND id = ?", [delta, merchantId, account.customerId])
        account.balance += delta
    }

    /// The entries with these ids, as the API shows them.
    func entries(_ ids: [Int64]) throws -> [LedgerEntryView] {
        try ids.compactMap { id in
            if let view = made.entries[id] { return view }
            return try db.row(
                """
                SELECT e.*, l.activates_at, l.expires_at FROM ledger_entries e
                LEFT JOIN lots l ON l.merchant_id = e.merchant_id AND l.id = e.lot_id
                WHERE e.merchant_id = ? AND e.id = ?
                """, [merchantId, id]
            ).map(LedgerEntryView.init(row:))
        }
    }
}

extension LedgerEntryView {
    init(row: SQLRow) {
        self.init(
            id: String(row["id"] as Int64), kind: EntryKind(rawValue: row["kind"]) ?? .accrual, amount: row["amount"],
            receiptId: idString(row["receipt_id"]), returnId: idString(row["return_id"]), holdId: idString(row["hold_id"]),
            lotId: idString(row["lot_id"]), activatesAt: (row["activates_at"] as UnixSeconds?).map(Instant.init),
            expiresAt: (row["expires_at"] as UnixSeconds?).map(Instant.init), createdAt: Instant(row["created_at"]))
    }
}
