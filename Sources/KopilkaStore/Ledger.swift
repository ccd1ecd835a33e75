import Foundation
import KopilkaCore

/// The points ledger inside one write transaction of one merchant: loads accounts, and writes what a `LedgerBook`
/// decided. The other use cases call its operations, which decide and write at once; the till's commit decides on a
/// snapshot first and writes the book's postings with `apply`.
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

    /// A decision was made on a reading that has changed since: a lot no longer holds what it took, or the customer's
    /// version moved. Nothing of it may be written; decide again.
    struct Stale: Error {}

    /// Loads a customer's account with its open lots, after expiring what is due. Nil when there is no such customer.
    func account(_ customerId: Int64) throws -> LedgerAccount? { try accountExpiring(customerId)?.account }

    /// `account`, with what loading it expired: lots and points.
    func accountExpiring(_ customerId: Int64) throws -> (account: LedgerAccount, expired: (lots: Int, points: Points))? {
        guard var account = try Self.readAccount(db, merchantId: merchantId, customerId: customerId) else { return nil }
        let expired = try write(&account) { $0.expireDue() }
        return (account, expired)
    }

    /// The customer's account as stored, nothing expired (a snapshot for a decision made off the writer).
    static func readAccount(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws -> LedgerAccount? {
        guard let row = try db.row(
            "SELECT balance, debt, version FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])
        else { return nil }
        return LedgerAccount(
            customerId: customerId, balance: row["balance"], debt: row["debt"],
            lots: try openLots(db, merchantId: merchantId, customerId: customerId), version: row["version"])
    }

    func openLots(_ customerId: Int64) throws -> [Lot] { try Self.openLots(db, merchantId: merchantId, customerId: customerId) }

    /// The customer's lots that still hold points.
    static func openLots(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws -> [Lot] {
        try db.rows(
            "SELECT id, remaining, activates_at, expires_at, store_id FROM lots WHERE merchant_id = ? AND customer_id = ? AND remaining > 0",
            [merchantId, customerId]
        ).map(Lot.init(row:))
    }

    /// The customer's lots with these ids, emptied ones too.
    static func lots(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, ids: Set<Int64>) throws -> [Lot] {
        guard !ids.isEmpty else { return [] }
        return try db.rows(
            """
            SELECT id, remaining, activates_at, expires_at, store_id FROM lots
            WHERE merchant_id = ? AND customer_id = ? AND id IN (\(ids.sorted().map(String.init).joined(separator: ", ")))
            """, [merchantId, customerId]
        ).map(Lot.init(row:))
    }

    /// The customer's online orders still held past their expiry, which maintenance has not released yet: their points
    /// count as released from that moment. The lots those holds emptied are added to `lots`, so the points can go back.
    static func dueHolds(
        _ db: any SQLConnection, merchantId: Int64, customerId: Int64, now: UnixSeconds, lots: inout [Lot]
    ) throws -> [CommitDecision.DueHold] {
        let rows = try db.rows(
            "SELECT id, request FROM holds WHERE merchant_id = ? AND status = 'held' AND expires_at <= ? AND customer_id = ?",
            [merchantId, now, customerId])
        guard !rows.isEmpty else { return [] }
        let holds = try rows.map { row in
            let order = try JSONDecoder().decode(HeldOrder.self, from: Data((row["request"] as String).utf8))
            return CommitDecision.DueHold(holdId: row["id"], takes: order.takes.map { LotTake(lotId: $0.lotId, points: $0.points) })
        }
        let emptied = Set(holds.flatMap { $0.takes.map(\.lotId) }).subtracting(lots.map(\.id))
        lots += try Self.lots(db, merchantId: merchantId, customerId: customerId, ids: emptied)
        return holds
    }

    /// The customer's open lots as they count now, for reading a balance: with the points of holds past their expiry
    /// back in them (a write gives them back for real, `CommitDecision.Customer.dueHolds`).
    static func countedLots(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, now: UnixSeconds) throws -> [Lot] {
        var lots = try openLots(db, merchantId: merchantId, customerId: customerId)
        for hold in try dueHolds(db, merchantId: merchantId, customerId: customerId, now: now, lots: &lots) {
            for take in hold.takes {
                if let index = lots.firstIndex(where: { $0.id == take.lotId }) { lots[index].remaining += take.points }
            }
        }
        return lots
    }

    /// The customer's open lots that hold what is left of the welcome bonus.
    static func welcomeLots(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws -> Set<Int64> {
        Set(try db.column(
            """
            SELECT l.id FROM lots l JOIN ledger_entries e ON e.merchant_id = l.merchant_id AND e.id = l.entry_id
            WHERE l.merchant_id = ? AND l.customer_id = ? AND l.remaining > 0 AND e.kind = 'welcome'
            """, [merchantId, customerId], as: Int64.self))
    }

    /// A book over `account` whose new ids come from the store.
    func book(_ account: LedgerAccount) -> LedgerBook {
        LedgerBook(account, now: now, nextID: { [store] in store.nextID() })
    }

    /// Decides with a book over `account`, writes what it decided, and leaves `account` as written.
    func write<T>(_ account: inout LedgerAccount, _ decide: (inout LedgerBook) -> T) throws -> T {
        var book = book(account)
        let result = decide(&book)
        try apply(book)
        account = book.account
        return result
    }

    /// Credits points as a new lot (entry + lot + balance); any debt is paid from the new lot first.
    func credit(
        _ account: inout LedgerAccount, _ kind: EntryKind, _ points: Points, activatesAt: UnixSeconds, expiresAt: UnixSeconds?,
        receiptId: Int64? = nil, returnId: Int64? = nil, storeId: Int64? = nil
    ) throws -> (entryId: Int64, lotId: Int64) {
        try write(&account) {
            $0.credit(kind, points, activatesAt: activatesAt, expiresAt: expiresAt, receiptId: receiptId, returnId: returnId, storeId: storeId)
        }
    }

    /// Debits points from the given lots as one entry.
    func debit(
        _ account: inout LedgerAccount, _ kind: EntryKind, _ takes: [LotTake], receiptId: Int64? = nil, returnId: Int64? = nil,
        holdId: Int64? = nil
    ) throws -> Int64? {
        try write(&account) { $0.debit(kind, takes, receiptId: receiptId, returnId: returnId, holdId: holdId) }
    }

    /// Records a debt (policy `allowNegative`): the balance goes down by points no lot holds any more.
    func incurDebt(_ account: inout LedgerAccount, _ points: Points, returnId: Int64, receiptId: Int64) throws -> Int64 {
        try write(&account) { $0.incurDebt(points, returnId: returnId, receiptId: receiptId) }
    }

    /// Puts points back into lots they were taken from (a released hold).
    func giveBack(_ account: inout LedgerAccount, _ takes: [LotTake], holdId: Int64) throws -> Int64? {
        let entryId = try write(&account) { $0.giveBack(takes, holdId: holdId) }
        guard entryId != nil else { return nil }
        account.lots = try openLots(account.customerId)
        try write(&account) { $0.expireDue() }
        return entryId
    }

    /// Expires the account's lots whose time has come; idempotent (an expired lot holds nothing more to expire).
    func expireDue(_ account: inout LedgerAccount) throws {
        try write(&account) { $0.expireDue() }
    }

    /// Writes what a book decided, and the customer's balance, debt and version in one statement. With `expectedVersion`
    /// nothing is written unless the customer is still at that version (throws `Stale`); every take is guarded by the
    /// lot's remaining points either way. `unguardedLot` is the broken variant's lot that exists nowhere: its takes are
    /// not written.
    func apply(_ book: LedgerBook, expectedVersion: Int64? = nil, unguardedLot: Int64? = nil) throws {
        let customerId = book.account.customerId
        if let expectedVersion {
            try touch(customerId, balance: book.balanceDelta, debt: book.debtDelta, expectedVersion: expectedVersion)
        }
        for posting in book.postings {
            switch posting {
            case .entry(let entry):
                made.entries[entry.id] = LedgerEntryView(entry)
                try insert(entries: [(customerId, entry)])
            case .lot(let lot):
                try insert(lots: [(customerId, lot)])
            case .take(let take, _, _) where take.lotId == unguardedLot:
                continue
            case .take(let take, let movement, let entryId):
                let changed = try db.run(
                    "UPDATE lots SET remaining = remaining - ? WHERE merchant_id = ? AND id = ? AND remaining >= ?",
                    [take.points, merchantId, take.lotId, take.points])
                guard changed == 1 else { throw Stale() }
                try recordMovement(lotId: take.lotId, kind: movement, amount: -take.points, entryId: entryId)
            case .giveBack(let take, let entryId):
                try db.run("UPDATE lots SET remaining = remaining + ? WHERE merchant_id = ? AND id = ?", [take.points, merchantId, take.lotId])
                try recordMovement(lotId: take.lotId, kind: "hold_release", amount: take.points, entryId: entryId)
            case .expiry(let at, let lots):
                if let lots {
                    try db.run(
                        "UPDATE lots SET expires_at = ? WHERE merchant_id = ? AND customer_id = ? AND remaining > 0 AND id IN (\(lots.map(String.init).joined(separator: ", ")))",
                        [at, merchantId, customerId])
                } else {
                    try db.run(
                        "UPDATE lots SET expires_at = ? WHERE merchant_id = ? AND customer_id = ? AND remaining > 0", [at, merchantId, customerId])
                }
            }
        }
        if expectedVersion == nil, !book.postings.isEmpty {
            try touch(customerId, balance: book.balanceDelta, debt: book.debtDelta)
        }
    }

    /// Writes the credits of many new customers' books in multi-row statements (registering a list of customers with a
    /// welcome bonus: a few statements per thousand, not several per customer). The customers' rows were inserted with
    /// their books' balances, so only the entries and lots are written here.
    func insertCredits(of books: [LedgerBook]) throws {
        var entries: [(customerId: Int64, LedgerEntry)] = [], lots: [(customerId: Int64, NewLot)] = []
        for book in books {
            for posting in book.postings {
                switch posting {
                case .entry(let entry):
                    made.entries[entry.id] = LedgerEntryView(entry)
                    entries.append((book.account.customerId, entry))
                case .lot(let lot):
                    lots.append((book.account.customerId, lot))
                default:
                    preconditionFailure("a new customer's book only credits")
                }
            }
        }
        try insert(entries: entries)
        try insert(lots: lots)
    }

    /// Ledger entries, 500 a statement.
    private func insert(entries: [(customerId: Int64, LedgerEntry)]) throws {
        for chunk in entries.chunks(of: 500) {
            try db.run(
                """
                INSERT INTO ledger_entries (merchant_id, id, customer_id, kind, amount, receipt_id, return_id, hold_id, lot_id, created_at)
                VALUES \(Placeholders.rows(chunk.count, columns: 10))
                """,
                chunk.flatMap { customerId, entry -> SQLArguments in
                    [merchantId, entry.id, customerId, entry.kind.rawValue, entry.amount, entry.receiptId, entry.returnId, entry.holdId,
                     entry.lotId, entry.createdAt]
                })
        }
    }

    /// New lots, 500 a statement; one active from the start is marked activated now.
    private func insert(lots: [(customerId: Int64, NewLot)]) throws {
        for chunk in lots.chunks(of: 500) {
            try db.run(
                """
                INSERT INTO lots (merchant_id, id, customer_id, earned, remaining, activates_at, expires_at, activated_at, entry_id, store_id)
                VALUES \(Placeholders.rows(chunk.count, columns: 10))
                """,
                chunk.flatMap { customerId, lot -> SQLArguments in
                    [merchantId, lot.id, customerId, lot.points, lot.points, lot.activatesAt, lot.expiresAt,
                     lot.activatesAt <= now ? now : nil, lot.entryId, lot.storeId]
                })
        }
    }

    /// Adds to the customer's cached balance and debt and moves their version on; with `expectedVersion`, only from that
    /// version (throws `Stale` otherwise).
    func touch(_ customerId: Int64, balance: Points = 0, debt: Points = 0, expectedVersion: Int64? = nil) throws {
        let sql = "UPDATE customers SET balance = balance + ?, debt = debt + ?, version = version + 1 WHERE merchant_id = ? AND id = ?"
        let changed = try expectedVersion.map { try db.run(sql + " AND version = ?", [balance, debt, merchantId, customerId, $0]) }
            ?? db.run(sql, [balance, debt, merchantId, customerId])
        guard changed == 1 else { throw Stale() }
    }

    func recordMovement(lotId: Int64, kind: String, amount: Points, entryId: Int64) throws {
        try db.run(
            "INSERT INTO lot_movements (merchant_id, id, lot_id, entry_id, kind, amount, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [merchantId, store.nextID(), lotId, entryId, kind, amount, now])
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

extension SQLStore {
    /// Moves the customer's version on: decisions made on an earlier reading of their points, stamps or receipts are
    /// then refused by the use cases' guards (`UseCase`) and made again.
    func touchCustomer(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws {
        try db.run("UPDATE customers SET version = version + 1 WHERE merchant_id = ? AND id = ?", [merchantId, customerId])
    }
}

extension LedgerEntryView {
    /// The entry as decided.
    init(_ entry: LedgerEntry) {
        self.init(
            id: String(entry.id), kind: entry.kind, amount: entry.amount, receiptId: idString(entry.receiptId), returnId: idString(entry.returnId),
            holdId: idString(entry.holdId), lotId: idString(entry.lotId), activatesAt: entry.activatesAt.map(Instant.init),
            expiresAt: entry.expiresAt.map(Instant.init), createdAt: Instant(entry.createdAt))
    }

    init(row: SQLRow) {
        self.init(
            id: String(row["id"] as Int64), kind: EntryKind(rawValue: row["kind"]) ?? .accrual, amount: row["amount"],
            receiptId: idString(row["receipt_id"]), returnId: idString(row["return_id"]), holdId: idString(row["hold_id"]),
            lotId: idString(row["lot_id"]), activatesAt: (row["activates_at"] as UnixSeconds?).map(Instant.init),
            expiresAt: (row["expires_at"] as UnixSeconds?).map(Instant.init), createdAt: Instant(row["created_at"]), note: row["note"])
    }
}

extension Lot {
    /// A lot from a row of `id, remaining, activates_at, expires_at, store_id`.
    init(row: SQLRow) {
        self.init(
            id: row["id"], remaining: row["remaining"], activatesAt: row["activates_at"], expiresAt: row["expires_at"], storeId: row["store_id"])
    }
}
