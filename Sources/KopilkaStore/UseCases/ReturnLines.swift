import Foundation
import KopilkaCore

/// Lines to return: all that is left when `lines` is nil.
public struct ReturnCommand: Sendable, Equatable {
    public var receiptId: Int64
    /// Restricts the return to receipts of this store (register keys); nil for any store of the merchant.
    public var storeId: Int64?
    public var lines: [ReturnCalculator.Request]?

    public init(receiptId: Int64, storeId: Int64?, lines: [ReturnCalculator.Request]?) {
        self.receiptId = receiptId
        self.storeId = storeId
        self.lines = lines
    }
}

/// What deciding a return needs, read in one snapshot.
struct ReturnSnapshot: Sendable {
    /// The receipt, nil when the merchant (or the register's store) has none with this id.
    var receipt: ReturnDecision.Receipt?
    /// The receipt's customer's account, nil for an anonymous receipt.
    var account: LedgerAccount?
    var rules = ProgramRules()
}

extension SQLStore {
    /// A till's or the console's return, as one use case in three steps (the shape of `commitReceipt`):
    ///
    /// 1. **prefetch** (`returnSnapshot`): on a read snapshot — the receipt and its lines with what is already returned,
    ///    the customer's account and the program;
    /// 2. **decide** (the core's pure `ReturnDecision.decide`): what each line gives back and the ledger's postings, or
    ///    a refusal; the answer is rendered from it before the writer is asked;
    /// 3. **apply** (`writeReturn`): in the writer's transaction, only guarded writes — every line still returned as
    ///    far as was read, the customer still at the version read — and the answer under its key (`runUseCase`).
    ///
    /// Reverses the points the lines earned and restores the points spent on them, in proportion to the quantity; a
    /// line cannot be returned beyond what was bought.
    public func returnLines(
        merchantId: Int64, _ command: ReturnCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReturnMade>
    ) async throws -> StoredResponse {
        let returnId = nextID()
        return try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in try self.returnSnapshot(db, merchantId: merchantId, command) },
            decide: { self.decideReturn(command, $0, returnId: returnId, now: now) },
            apply: { db, snapshot, outcome in
                try self.writeReturn(db, merchantId: merchantId, command, snapshot, outcome, returnId: returnId, now: now)
            },
            refusalHolds: { db, snapshot in
                // Decided on lines returned as far as was read (a receipt that is not there stays not there).
                guard let receipt = snapshot.receipt else { return true }
                return try Self.returnedQuantities(db, merchantId: merchantId, receiptId: receipt.id) == receipt.lines.map(\.returnedQuantity)
            })
    }

    /// Prefetch: everything the decision reads, in one snapshot.
    func returnSnapshot(_ db: any SQLConnection, merchantId: Int64, _ command: ReturnCommand) throws -> ReturnSnapshot {
        var snapshot = ReturnSnapshot()
        guard let row = try db.row(
            "SELECT store_id, customer_id, earn_lot_id, restore_expires_at FROM receipts WHERE merchant_id = ? AND id = ?",
            [merchantId, command.receiptId]),
            command.storeId == nil || command.storeId == row["store_id"]
        else { return snapshot }
        let lines = try db.rows(
            "SELECT quantity, returned_quantity, payable, redeemed_points, earned_points FROM receipt_lines WHERE merchant_id = ? AND receipt_id = ? ORDER BY line",
            [merchantId, command.receiptId]
        ).map {
            ReturnableLine(
                quantity: $0["quantity"], returnedQuantity: $0["returned_quantity"], payable: $0["payable"],
                redeemedPoints: $0["redeemed_points"], earnedPoints: $0["earned_points"])
        }
        snapshot.receipt = ReturnDecision.Receipt(
            id: command.receiptId, storeId: row["store_id"], lines: lines, earnLotId: row["earn_lot_id"],
            restoreExpiresAt: row["restore_expires_at"])
        if let customerId: Int64 = row["customer_id"] {
            snapshot.account = try Ledger.readAccount(db, merchantId: merchantId, customerId: customerId)
            snapshot.rules = try program(db, merchantId: merchantId).rules
        }
        return snapshot
    }

    /// Decide: the core's decision, and the answer it makes.
    func decideReturn(
        _ command: ReturnCommand, _ snapshot: ReturnSnapshot, returnId: Int64, now: UnixSeconds
    ) -> Result<(answer: ReturnMade, outcome: ReturnDecision.Outcome), KopilkaError> {
        guard let receipt = snapshot.receipt else { return .failure(.notFound("receipt")) }
        let decided = ReturnDecision.decide(
            receipt, requests: command.lines, account: snapshot.account, rules: snapshot.rules, returnId: returnId, now: now,
            nextID: { [self] in nextID() })
        switch decided {
        case .failure(let refusal):
            return .failure(.returnRefused(refusal))
        case .success(let outcome):
            let answer = ReturnMade(
                id: String(returnId), receiptId: String(command.receiptId), lines: outcome.lines, refundKopecks: outcome.refund,
                reversedPoints: outcome.reversed - outcome.unrecovered, restoredPoints: outcome.restored,
                unrecoveredPoints: outcome.unrecovered, entries: (outcome.book?.entries(outcome.entryIds) ?? []).map(LedgerEntryView.init),
                balance: outcome.book?.account.snapshot(at: now) ?? BalanceSnapshot(spendable: 0, pending: 0, debt: 0),
                createdAt: Instant(now))
            return .success((answer, outcome))
        }
    }

    /// The writes of a decided return: the lines' returned quantities (each guarded by what was read), the receipt's
    /// refund, the ledger's postings (guarded by the customer's version), stamps taken back and the return itself.
    func writeReturn(
        _ db: any SQLConnection, merchantId: Int64, _ command: ReturnCommand, _ snapshot: ReturnSnapshot, _ outcome: ReturnDecision.Outcome,
        returnId: Int64, now: UnixSeconds
    ) throws {
        guard let receipt = snapshot.receipt else { throw KopilkaError.notFound("receipt") }
        for item in outcome.lines {
            let read = receipt.lines[item.line - 1].returnedQuantity
            let changed = try db.run(
                """
                UPDATE receipt_lines SET returned_quantity = ?
                WHERE merchant_id = ? AND receipt_id = ? AND line = ? AND returned_quantity = ?
                """, [read + item.quantity, merchantId, receipt.id, item.line, read])
            guard changed == 1 else { throw Ledger.Stale() }
        }
        try db.run(
            "UPDATE receipts SET refunded_kopecks = refunded_kopecks + ?, returned_in_full = ? WHERE merchant_id = ? AND id = ?",
            [outcome.refund, outcome.inFull, merchantId, receipt.id])
        if let book = outcome.book, let account = snapshot.account {
            // The customer's standing changes with the refund (the version moves on) whether or not points move.
            try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(book, expectedVersion: account.version)
            if outcome.inFull {
                try reverseStamps(db, merchantId: merchantId, customerId: account.customerId, receiptId: receipt.id, returnId: returnId, now: now)
            }
        }
        try db.run(
            """
            INSERT INTO returns (merchant_id, id, receipt_id, lines, refund_kopecks, reversed_points, restored_points,
                                 unrecovered_points, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [merchantId, returnId, receipt.id, String(decoding: JSONWriter.bytes(of: outcome.lines), as: UTF8.self), outcome.refund,
             outcome.reversed, outcome.restored, outcome.unrecovered, now])
    }

    /// How much of each line of the receipt is returned, in line order.
    static func returnedQuantities(_ db: any SQLConnection, merchantId: Int64, receiptId: Int64) throws -> [Thousandths] {
        try db.rows(
            "SELECT returned_quantity FROM receipt_lines WHERE merchant_id = ? AND receipt_id = ? ORDER BY line", [merchantId, receiptId]
        ).map { $0["returned_quantity"] }
    }
}
