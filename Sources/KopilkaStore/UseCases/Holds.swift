import Foundation
import KopilkaCore

/// A hold as read: its row and the order it keeps.
struct HoldSnapshot: Sendable {
    var id: Int64
    var storeId: Int64
    var registerId: Int64?
    var customerId: Int64
    var externalId: String
    var status: String
    var points: Points
    var expiresAt: UnixSeconds
    var receiptId: Int64?
    var createdAt: UnixSeconds
    var order: HeldOrder

    /// The hold as the API shows it, with `status`.
    func view(status: String? = nil, receiptId: Int64? = nil) -> HoldView {
        HoldView(
            id: String(id), externalId: externalId, storeId: String(storeId), customerId: String(customerId), status: status ?? self.status,
            points: points, expiresAt: Instant(expiresAt), receiptId: idString(receiptId ?? self.receiptId), createdAt: Instant(createdAt))
    }
}

/// What placing a hold needs, read in one snapshot.
struct PlaceHoldSnapshot: Sendable {
    /// The hold already placed under this store's order number.
    var existing: HoldView?
    var program: ProgramView
    var compiled: CompiledProgram
    var context = ReceiptContext()
    /// The named customer, nil when not found.
    var customer: CommitDecision.Customer?
}

/// What confirming a hold needs, read in one snapshot.
struct ConfirmHoldSnapshot: Sendable {
    var hold: HoldSnapshot?
    /// The receipt already registered under the fiscal number the order would take.
    var registered: ReceiptView?
    var rules = ProgramRules()
    var account: LedgerAccount?
    /// Open lots of a welcome bonus that pays for the next purchase alone.
    var welcomeLots: Set<Int64> = []
    /// The store's local time, for the promotions' counters.
    var time: LocalTime?
}

/// What releasing a hold needs, read in one snapshot.
struct ReleaseHoldSnapshot: Sendable {
    var hold: HoldSnapshot?
    /// The customer's account with the lots the hold took from, emptied ones too.
    var account: LedgerAccount?
}

/// Online orders (`POST /v1/orders`, `…/confirm`, `…/cancel`) as use cases in three steps (`runUseCase`): prefetch the
/// hold, the program and the customer's account on a snapshot; decide in the core (`HoldDecision`); write guarded by
/// the hold's status (`… WHERE status = 'held'`) and the customer's version.
extension SQLStore {
    /// Reserves points for an online order; they stay reserved until confirm, cancel or the hold's expiry. Refused as a
    /// commit would be; a wrong confirmation code stays counted.
    public func placeHold(
        merchantId: Int64, _ command: HoldCommand, idempotency: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<HoldPlaced>
    ) async throws -> StoredResponse {
        let holdId = nextID()
        return try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in try self.placeHoldSnapshot(db, merchantId: merchantId, command, now: now) },
            decide: { self.decidePlaceHold(command, $0, holdId: holdId, now: now) },
            before: { db in
                try self.checkSpendCode(db, merchantId: merchantId, customer: command.customer, code: command.confirmationCode, now: now)
            },
            apply: { db, snapshot, placed in
                try self.writeHold(db, merchantId: merchantId, command, snapshot, placed, holdId: holdId, now: now)
            },
            refusalHolds: { db, snapshot in try self.customerUnchanged(db, merchantId: merchantId, snapshot.customer?.account) })
    }

    func placeHoldSnapshot(_ db: any SQLConnection, merchantId: Int64, _ command: HoldCommand, now: UnixSeconds) throws -> PlaceHoldSnapshot {
        let (program, compiled) = try compiledProgram(db, merchantId: merchantId)
        var snapshot = PlaceHoldSnapshot(program: program, compiled: compiled)
        if let existing = try holdId(db, merchantId: merchantId, storeId: command.storeId, externalId: command.externalId) {
            snapshot.existing = try Self.holdView(db, merchantId: merchantId, holdId: existing, now: now)
            return snapshot
        }
        guard let row = try Self.customerRow(db, merchantId: merchantId, key: command.customer, columns: "id, balance, debt, version, groups")
        else { return snapshot }
        let id: Int64 = row["id"]
        var customer = CommitDecision.Customer(
            account: LedgerAccount(
                customerId: id, balance: row["balance"], debt: row["debt"], lots: try Ledger.openLots(db, merchantId: merchantId, customerId: id),
                version: row["version"]),
            tier: try tier(db, merchantId: merchantId, customerId: id, rules: program.rules, now: now),
            groups: Set((row["groups"] as String).split(separator: ",").map(String.init)))
        customer.dueHolds = try Ledger.dueHolds(db, merchantId: merchantId, customerId: id, now: now, lots: &customer.account.lots)
        snapshot.customer = customer
        // An online order has no codes (yet); promotions see the store's local time.
        snapshot.context = try receiptContext(
            db, merchantId: merchantId, program: compiled, storeId: command.storeId, customerId: id, codes: [], now: now)
        return snapshot
    }

    func decidePlaceHold(
        _ command: HoldCommand, _ snapshot: PlaceHoldSnapshot, holdId: Int64, now: UnixSeconds
    ) -> Result<(answer: HoldPlaced, outcome: HoldDecision.Placed), KopilkaError> {
        if let existing = snapshot.existing { return .failure(.orderAlreadyExists(existing)) }
        guard let customer = snapshot.customer else { return .failure(.notFound("customer")) }
        let decided = HoldDecision.place(
            lines: command.lines, redeem: command.redeem, storeId: command.storeId, holdId: holdId, program: snapshot.compiled,
            context: snapshot.context, customer: customer, now: now, nextID: { [self] in nextID() })
        switch decided {
        case .failure(let refusal): return .failure(KopilkaError(refusal))
        case .success(let placed):
            let hold = HoldView(
                id: String(holdId), externalId: command.externalId, storeId: String(command.storeId), customerId: String(customer.account.customerId),
                status: "held", points: placed.calculation.redeemedPoints,
                expiresAt: Instant(now + Int64(command.ttlSeconds ?? snapshot.program.rules.holdTtlSeconds)), receiptId: nil,
                createdAt: Instant(now))
            return .success((HoldPlaced(hold: hold, calculation: placed.calculation, balance: placed.book.account.snapshot(at: now)), placed))
        }
    }

    /// The writes of a placed hold: the code spent, the points taken into the hold, the order's stamps and the hold.
    func writeHold(
        _ db: any SQLConnection, merchantId: Int64, _ command: HoldCommand, _ snapshot: PlaceHoldSnapshot, _ placed: HoldDecision.Placed,
        holdId: Int64, now: UnixSeconds
    ) throws {
        guard let customer = snapshot.customer else { throw KopilkaError.notFound("customer") }
        let customerId = customer.account.customerId
        // The order number was free in the snapshot; another request may have taken it since.
        if try self.holdId(db, merchantId: merchantId, storeId: command.storeId, externalId: command.externalId) != nil { throw Ledger.Stale() }
        let rules = snapshot.program.rules
        if placed.calculation.redeemedPoints > 0 {
            try consumeSpendCode(
                db, merchantId: merchantId, protection: rules.protection, customer: command.customer, customerId: customerId,
                code: command.confirmationCode, now: now)
        }
        try closeDueHolds(db, merchantId: merchantId, customer, now: now)
        try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(placed.book, expectedVersion: customer.account.version)
        try recordStamps(db, merchantId: merchantId, customerId: customerId, placed.calculation.stamps, receiptId: nil, holdId: holdId, now: now)
        let order = HeldOrder(
            lines: command.lines, calculation: placed.calculation, programVersion: snapshot.program.version,
            restoreExpiresAt: placed.restoreExpiresAt, takes: placed.takes.map { .init(lotId: $0.lotId, points: $0.points) })
        try db.run(
            """
            INSERT INTO holds (merchant_id, id, store_id, register_id, customer_id, external_id, status, points, request, expires_at, created_at)
            VALUES (?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?)
            """,
            [merchantId, holdId, command.storeId, command.registerId, customerId, command.externalId, placed.calculation.redeemedPoints,
             String(decoding: try JSONEncoder().encode(order), as: UTF8.self),
             now + Int64(command.ttlSeconds ?? rules.holdTtlSeconds), now])
    }

    /// Turns a held order into a receipt (under `externalId`, or the order's number): the reserved points stay spent,
    /// the order earns its points as calculated when it was placed.
    public func confirmHold(
        merchantId: Int64, holdId: Int64, storeId: Int64?, externalId: String?, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReceiptCommitted>
    ) async throws -> StoredResponse {
        let receiptId = nextID()
        return try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in
                try self.confirmHoldSnapshot(db, merchantId: merchantId, holdId: holdId, storeId: storeId, externalId: externalId, now: now)
            },
            decide: { self.decideConfirmHold($0, externalId: externalId, receiptId: receiptId, now: now) },
            apply: { db, snapshot, decided in
                try self.writeConfirmedHold(db, merchantId: merchantId, snapshot, decided, receiptId: receiptId, now: now)
            },
            finish: { db, snapshot, answer in
                try self.finishReceipt(db, merchantId: merchantId, rules: snapshot.rules, customerId: snapshot.hold?.customerId, answer, now: now)
            },
            hotRows: { snapshot, decided in
                Self.hotRows(merchantId: merchantId, rules: snapshot.rules, calculation: decided.calculation, context: ReceiptContext())
            })
    }

    func confirmHoldSnapshot(
        _ db: any SQLConnection, merchantId: Int64, holdId: Int64, storeId: Int64?, externalId: String?, now: UnixSeconds
    ) throws -> ConfirmHoldSnapshot {
        var snapshot = ConfirmHoldSnapshot()
        guard let hold = try holdSnapshot(db, merchantId: merchantId, holdId: holdId), storeId == nil || storeId == hold.storeId else {
            return snapshot
        }
        snapshot.hold = hold
        if let existing = try Self.receiptId(db, merchantId: merchantId, storeId: hold.storeId, externalId: externalId ?? hold.externalId) {
            snapshot.registered = try Self.receiptView(db, merchantId: merchantId, receiptId: existing)
        }
        snapshot.rules = try program(db, merchantId: merchantId).rules
        snapshot.account = try Ledger.readAccount(db, merchantId: merchantId, customerId: hold.customerId)
        if snapshot.rules.welcomeBonusNextOrderOnly {
            snapshot.welcomeLots = try Ledger.welcomeLots(db, merchantId: merchantId, customerId: hold.customerId)
        }
        snapshot.time = try localTime(db, merchantId: merchantId, storeId: hold.storeId, now: now)
        return snapshot
    }

    /// A confirmation's decision: the receipt the order becomes and what it earns.
    struct ConfirmedHold: Sendable {
        var command: ReceiptCommand
        var calculation: ReceiptCalculation
        /// The explanation's JSON as the receipt stores it, written before the writer is asked.
        var explanation: String
        var confirmed: HoldDecision.Confirmed
    }

    func decideConfirmHold(
        _ snapshot: ConfirmHoldSnapshot, externalId: String?, receiptId: Int64, now: UnixSeconds
    ) -> Result<(answer: ReceiptCommitted, outcome: ConfirmedHold), KopilkaError> {
        guard let hold = snapshot.hold else { return .failure(.notFound("order")) }
        if let closed = HoldDecision.closedStatus(status: hold.status, expiresAt: hold.expiresAt, now: now) {
            return .failure(.holdClosed(status: closed))
        }
        if let registered = snapshot.registered { return .failure(.receiptAlreadyRegistered(registered)) }
        guard let account = snapshot.account else { return .failure(.notFound("customer")) }
        let calculation = hold.order.calculation.recorded
        let command = ReceiptCommand(
            storeId: hold.storeId, registerId: hold.registerId, customer: .id(hold.customerId), externalId: externalId ?? hold.externalId,
            lines: hold.order.lines, redeem: .points(calculation.redeemedPoints))
        let confirmed = HoldDecision.confirm(
            calculation, account: account, rules: snapshot.rules, receiptId: receiptId, storeId: hold.storeId, welcomeLots: snapshot.welcomeLots,
            now: now, expiresAt: { [rules = snapshot.rules] in rules.expiry(from: $0) }, nextID: { [self] in nextID() })
        let answer = ReceiptCommitted(
            receipt: Self.receiptView(
                receiptId: receiptId, command, programVersion: hold.order.programVersion, calculation, customerId: hold.customerId, now: now),
            calculation: calculation, entries: confirmed.book.entries(confirmed.entryIds).map(LedgerEntryView.init),
            balance: confirmed.book.account.snapshot(at: now))
        return .success((answer, ConfirmedHold(
            command: command, calculation: calculation, explanation: ReceiptCalculation.storedExplanation(calculation), confirmed: confirmed)))
    }

    /// The writes of a confirmed hold: the hold closed (while still held), the order's points, the receipt, its
    /// promotions, level, referral and stamps.
    func writeConfirmedHold(
        _ db: any SQLConnection, merchantId: Int64, _ snapshot: ConfirmHoldSnapshot, _ decided: ConfirmedHold, receiptId: Int64, now: UnixSeconds
    ) throws {
        guard let hold = snapshot.hold, let account = snapshot.account else { throw KopilkaError.notFound("order") }
        try closeHold(db, merchantId: merchantId, holdId: hold.id, status: "confirmed", receiptId: receiptId, now: now)
        try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(decided.confirmed.book, expectedVersion: account.version)
        let rules = snapshot.rules
        try insertReceipt(
            db, merchantId: merchantId, receiptId: receiptId, decided.command, programVersion: hold.order.programVersion, decided.calculation,
            explanation: decided.explanation, customerId: hold.customerId, earnLotId: decided.confirmed.earnLotId, restoreExpiresAt: hold.order.restoreExpiresAt, holdId: hold.id,
            now: now)
        try recordPromotions(
            db, merchantId: merchantId, receiptId: receiptId, customerId: hold.customerId, rules: rules, calculation: decided.calculation,
            context: ReceiptContext(time: snapshot.time), guarded: false, now: now)
        // The order's rules were decided when it was placed: recorded now, as its promotions are.
        try recordPurchaseRules(
            db, merchantId: merchantId, rules: rules, customerId: hold.customerId, receiptId: receiptId, calculation: decided.calculation,
            entryId: decided.confirmed.book.entries(decided.confirmed.entryIds).first { $0.kind == .accrual }?.id, usage: nil, now: now)
        try recordReferral(
            db, merchantId: merchantId, rules: rules, customerId: hold.customerId, receiptId: receiptId, paid: decided.calculation.payable, now: now)
        // The order's stamps were recorded when it was placed; a return of the receipt now takes them back.
        try db.run("UPDATE stamp_entries SET receipt_id = ? WHERE merchant_id = ? AND hold_id = ?", [receiptId, merchantId, hold.id])
    }

    /// Cancels a hold and gives its points back.
    public func cancelHold(
        merchantId: Int64, holdId: Int64, storeId: Int64?, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<HoldView>
    ) async throws -> StoredResponse {
        try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in
                var snapshot = try self.releaseHoldSnapshot(db, merchantId: merchantId, holdId: holdId)
                if let storeId, snapshot.hold?.storeId != storeId { snapshot.hold = nil }
                return snapshot
            },
            decide: { snapshot in
                guard let hold = snapshot.hold else { return .failure(.notFound("order")) }
                if let closed = HoldDecision.closedStatus(status: hold.status, expiresAt: hold.expiresAt, now: now) {
                    return .failure(.holdClosed(status: closed))
                }
                return .success((hold.view(status: "cancelled"), self.decideRelease(snapshot, now: now)))
            },
            apply: { db, snapshot, book in
                try self.writeRelease(db, merchantId: merchantId, snapshot, book, status: "cancelled", now: now)
            })
    }

    func releaseHoldSnapshot(_ db: any SQLConnection, merchantId: Int64, holdId: Int64) throws -> ReleaseHoldSnapshot {
        guard let hold = try holdSnapshot(db, merchantId: merchantId, holdId: holdId) else { return ReleaseHoldSnapshot() }
        guard var account = try Ledger.readAccount(db, merchantId: merchantId, customerId: hold.customerId) else {
            return ReleaseHoldSnapshot(hold: hold)
        }
        // The lots the hold emptied are not among the open ones; the points go back into them.
        let emptied = Set(hold.order.takes.map(\.lotId)).subtracting(account.lots.map(\.id))
        account.lots += try Ledger.lots(db, merchantId: merchantId, customerId: hold.customerId, ids: emptied)
        return ReleaseHoldSnapshot(hold: hold, account: account)
    }

    /// The points of the snapshot's hold given back, nil when its customer is gone.
    func decideRelease(_ snapshot: ReleaseHoldSnapshot, now: UnixSeconds) -> LedgerBook? {
        guard let hold = snapshot.hold, let account = snapshot.account else { return nil }
        return HoldDecision.release(
            hold.order.takes.map { LotTake(lotId: $0.lotId, points: $0.points) }, holdId: hold.id, account: account, now: now,
            nextID: { [self] in nextID() })
    }

    /// The writes of a released hold (cancelled, or expired by maintenance): the hold closed while still held, its points
    /// back in their lots while the customer is at the version read, its stamps taken back.
    func writeRelease(
        _ db: any SQLConnection, merchantId: Int64, _ snapshot: ReleaseHoldSnapshot, _ book: LedgerBook?, status: String, now: UnixSeconds
    ) throws {
        guard let hold = snapshot.hold else { throw KopilkaError.notFound("order") }
        try closeHold(db, merchantId: merchantId, holdId: hold.id, status: status, receiptId: nil, now: now)
        if let book, let account = snapshot.account {
            try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(book, expectedVersion: account.version)
            try reverseStamps(db, merchantId: merchantId, customerId: hold.customerId, holdId: hold.id, now: now)
        }
    }

    /// Closes the holds past their expiry that a decision gave back (`CommitDecision.Customer.dueHolds`), as maintenance
    /// would: while still held, their stamps taken back.
    func closeDueHolds(_ db: any SQLConnection, merchantId: Int64, _ customer: CommitDecision.Customer, now: UnixSeconds) throws {
        for hold in customer.dueHolds {
            try closeHold(db, merchantId: merchantId, holdId: hold.holdId, status: "expired", receiptId: nil, now: now)
            try reverseStamps(db, merchantId: merchantId, customerId: customer.account.customerId, holdId: hold.holdId, now: now)
        }
    }

    /// Closes a hold that is still held; throws `Ledger.Stale` when another request closed it meanwhile.
    func closeHold(_ db: any SQLConnection, merchantId: Int64, holdId: Int64, status: String, receiptId: Int64?, now: UnixSeconds) throws {
        let changed = try db.run(
            "UPDATE holds SET status = ?, receipt_id = ?, closed_at = ? WHERE merchant_id = ? AND id = ? AND status = 'held'",
            [status, receiptId, now, merchantId, holdId])
        guard changed == 1 else { throw Ledger.Stale() }
    }

    /// The hold placed under the store's order number, if any.
    func holdId(_ db: any SQLConnection, merchantId: Int64, storeId: Int64, externalId: String) throws -> Int64? {
        try db.row(
            "SELECT id FROM holds WHERE merchant_id = ? AND store_id = ? AND external_id = ?", [merchantId, storeId, externalId]
        )?["id"]
    }

    func holdSnapshot(_ db: any SQLConnection, merchantId: Int64, holdId: Int64) throws -> HoldSnapshot? {
        guard let row = try db.row("SELECT * FROM holds WHERE merchant_id = ? AND id = ?", [merchantId, holdId]) else { return nil }
        return HoldSnapshot(
            id: holdId, storeId: row["store_id"], registerId: row["register_id"], customerId: row["customer_id"], externalId: row["external_id"],
            status: row["status"], points: row["points"], expiresAt: row["expires_at"], receiptId: row["receipt_id"],
            createdAt: row["created_at"], order: try JSONDecoder().decode(HeldOrder.self, from: Data((row["request"] as String).utf8)))
    }
}
