import Foundation
import KopilkaCore

/// A manual adjustment of a customer's points, with its reason (recorded in the audit log).
public struct AdjustmentCommand: Sendable, Equatable {
    public var customerId: Int64
    /// Positive to credit (a new lot), negative to debit (oldest lots first, never below zero).
    public var points: Points
    public var reason: String
    /// The owner confirms an adjustment above the program's caps (`Protection.maxManualAdjustment`, `…PerDay`).
    public var confirmed: Bool

    public init(customerId: Int64, points: Points, reason: String, confirmed: Bool = false) {
        self.customerId = customerId
        self.points = points
        self.reason = reason
        self.confirmed = confirmed
    }
}

/// The outcome of a manual adjustment.
public struct AdjustmentMade: Codable, Sendable, Equatable {
    public var customerId: String
    public var points: Points
    public var reason: String
    public var entries: [LedgerEntryView]
    public var balance: BalanceSnapshot
    /// True when the adjustment broke the merchant's limit and was let through with a flag.
    public var flagged: Bool
}

/// What deciding an adjustment needs, read in one snapshot.
struct AdjustmentSnapshot: Sendable {
    var rules: ProgramRules
    /// Nil when the merchant has no such customer.
    var account: LedgerAccount?
    /// Points adjusted by hand, either way, for all the merchant's customers over the last 24 hours.
    var adjustedToday: Points
}

extension SQLStore {
    /// A manual adjustment by merchant staff, as one use case (`runUseCase`): **prefetch** the program and the
    /// customer's account; **decide** in the core (`AdjustmentDecision`: a credit as a new lot, or a debit of the
    /// soonest-expiring lots, never below zero; above the program's `maxManualAdjustment` blocked or flagged); **apply**
    /// the postings while the customer is still at the version read, the flag, and the audit record with its reason.
    /// Exactly once per idempotency key; the API and the console call it.
    public func adjustPoints(
        merchantId: Int64, _ command: AdjustmentCommand, actor: AuditActor, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<AdjustmentMade>
    ) async throws -> StoredResponse {
        try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in
                AdjustmentSnapshot(
                    rules: try self.compiledProgram(db, merchantId: merchantId).0.rules,
                    account: try Ledger.readAccount(db, merchantId: merchantId, customerId: command.customerId),
                    adjustedToday: try Self.adjustedToday(db, merchantId: merchantId, now: now))
            },
            decide: { self.decideAdjustment(command, $0, now: now) },
            apply: { db, snapshot, outcome in
                try self.writeAdjustment(db, merchantId: merchantId, command, snapshot, outcome, actor: actor, now: now)
            })
    }

    /// Decide: the core's decision, and the answer it makes.
    func decideAdjustment(
        _ command: AdjustmentCommand, _ snapshot: AdjustmentSnapshot, now: UnixSeconds
    ) -> Result<(answer: AdjustmentMade, outcome: AdjustmentDecision.Outcome), KopilkaError> {
        guard let account = snapshot.account else { return .failure(.notFound("customer")) }
        let decided = AdjustmentDecision.decide(
            points: command.points, account: account, protection: snapshot.rules.protection, adjustedToday: snapshot.adjustedToday,
            confirmed: command.confirmed, expiresAt: snapshot.rules.expiry(from: now), now: now, nextID: { [self] in nextID() })
        switch decided {
        case .failure(.blocked(let limit, let dayLimit, let adjustedToday)):
            return .failure(.cashierLimit(
                rule: "manual_adjustment",
                detail: "adjustments above \(formatHundredths(limit)) points at once or \(formatHundredths(dayLimit)) in 24 hours "
                    + "(\(formatHundredths(adjustedToday)) so far) need the owner's confirmation"))
        case .failure(.insufficientPoints(let requested, let spendable)):
            return .failure(.insufficientPoints(requested: requested, spendable: spendable))
        case .success(let outcome):
            let entries = outcome.book.entries([outcome.entryId]).map { entry in
                var view = LedgerEntryView(entry)
                view.note = command.reason
                return view
            }
            let answer = AdjustmentMade(
                customerId: String(command.customerId), points: command.points, reason: command.reason, entries: entries,
                balance: outcome.book.account.snapshot(at: now), flagged: outcome.flagged)
            return .success((answer, outcome))
        }
    }

    /// The writes of a decided adjustment: the postings (guarded by the customer's version), the flag and the audit record.
    func writeAdjustment(
        _ db: any SQLConnection, merchantId: Int64, _ command: AdjustmentCommand, _ snapshot: AdjustmentSnapshot,
        _ outcome: AdjustmentDecision.Outcome, actor: AuditActor, now: UnixSeconds
    ) throws {
        guard let account = snapshot.account else { throw KopilkaError.notFound("customer") }
        let protection = snapshot.rules.protection
        // The day's sum was read on a snapshot: decided again if another adjustment came meanwhile. Two racing on
        // PostgreSQL both write the merchant's row (the audit record's number, below), so one of them reads again.
        if protection.maxManualAdjustmentPerDay > 0, !command.confirmed,
            try Self.adjustedToday(db, merchantId: merchantId, now: now) != snapshot.adjustedToday
        {
            throw Ledger.Stale()
        }
        try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(outcome.book, expectedVersion: account.version)
        // The reason goes with the entry: the customer's history says why.
        try db.run("UPDATE ledger_entries SET note = ? WHERE merchant_id = ? AND id = ?", [command.reason, merchantId, outcome.entryId])
        if outcome.flagged {
            try flag(
                db, merchantId: merchantId, rule: "manual_adjustment", customerId: command.customerId, registerId: nil, cashier: nil,
                receiptId: nil,
                detail: "\(actor) adjusted \(formatHundredths(command.points)) points (limits \(formatHundredths(protection.maxManualAdjustment)) "
                    + "at once, \(formatHundredths(protection.maxManualAdjustmentPerDay)) in 24 hours)",
                now: now)
        }
        let balance = outcome.book.account.balance
        try audit(
            db, merchantId: merchantId, actor: actor, "customer.adjust", subject: "customer:\(command.customerId)",
            before: ["balance": balance - command.points],
            after: AdjustmentAudit(balance: balance, points: command.points, reason: command.reason, confirmed: command.confirmed ? true : nil),
            now: now)
    }

    /// Points adjusted by hand, either way, for all the merchant's customers in the 24 hours before `now`.
    public func adjustedToday(merchantId: Int64, now: UnixSeconds) async throws -> Points {
        try await backend.read { db in try Self.adjustedToday(db, merchantId: merchantId, now: now) }
    }

    /// Points adjusted by hand, either way, for all the merchant's customers in the 24 hours before `now` (a partial index
    /// holds only manual entries, so receipts pay nothing for it).
    static func adjustedToday(_ db: any SQLConnection, merchantId: Int64, now: UnixSeconds) throws -> Points {
        try db.row(
            """
            SELECT COALESCE(SUM(ABS(amount)), 0) AS points FROM ledger_entries
            WHERE merchant_id = ? AND kind IN ('manual_credit', 'manual_debit') AND created_at > ?
            """, [merchantId, now - 86_400])?["points"] ?? 0
    }
}

/// What the audit log keeps of a manual adjustment.
private struct AdjustmentAudit: Encodable {
    var balance: Points
    var points: Points
    var reason: String
    /// Present when the owner confirmed an adjustment above the caps.
    var confirmed: Bool?
}
