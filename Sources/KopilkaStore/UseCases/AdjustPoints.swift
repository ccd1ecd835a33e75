import Foundation
import KopilkaCore

/// A manual adjustment of a customer's points, with its reason (recorded in the audit log).
public struct AdjustmentCommand: Sendable, Equatable {
    public var customerId: Int64
    /// Positive to credit (a new lot), negative to debit (oldest lots first, never below zero).
    public var points: Points
    public var reason: String

    public init(customerId: Int64, points: Points, reason: String) {
        self.customerId = customerId
        self.points = points
        self.reason = reason
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
                    account: try Ledger.readAccount(db, merchantId: merchantId, customerId: command.customerId))
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
            points: command.points, account: account, protection: snapshot.rules.protection, expiresAt: snapshot.rules.expiry(from: now),
            now: now, nextID: { [self] in nextID() })
        switch decided {
        case .failure(.blocked(let limit)):
            return .failure(.cashierLimit(rule: "manual_adjustment", detail: "adjustments above \(formatHundredths(limit)) points are blocked by the program"))
        case .failure(.insufficientPoints(let requested, let spendable)):
            return .failure(.insufficientPoints(requested: requested, spendable: spendable))
        case .success(let outcome):
            let entries = outcome.book.entries([outcome.entryId]).map(LedgerEntryView.init)
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
        try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(outcome.book, expectedVersion: account.version)
        let limit = snapshot.rules.protection.maxManualAdjustment
        if outcome.flagged {
            try flag(
                db, merchantId: merchantId, rule: "manual_adjustment", customerId: command.customerId, registerId: nil, cashier: nil,
                receiptId: nil, detail: "\(actor) adjusted \(formatHundredths(command.points)) points (limit \(formatHundredths(limit)))",
                now: now)
        }
        let balance = outcome.book.account.balance
        try audit(
            db, merchantId: merchantId, actor: actor, "customer.adjust", subject: "customer:\(command.customerId)",
            before: ["balance": balance - command.points],
            after: AdjustmentAudit(balance: balance, points: command.points, reason: command.reason), now: now)
    }
}

/// What the audit log keeps of a manual adjustment.
private struct AdjustmentAudit: Encodable {
    var balance: Points
    var points: Points
    var reason: String
}
