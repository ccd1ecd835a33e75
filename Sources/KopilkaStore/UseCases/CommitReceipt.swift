import Foundation
import KopilkaCore

/// What deciding a commit needs, read in one snapshot.
struct CommitSnapshot: Sendable {
    /// The receipt already registered under this store's fiscal number.
    var registered: ReceiptView?
    var program: ProgramView
    var compiled: CompiledProgram
    var context: ReceiptContext
    /// The named customer, nil when anonymous or not found.
    var customer: CommitDecision.Customer?
    /// A customer was named and none has that key.
    var customerMissing: Bool
}

extension SQLStore {
    /// The till's commit, as one use case in three steps:
    ///
    /// 1. **prefetch** (`commitSnapshot`): on a read snapshot, off the writer — a receipt already registered under the
    ///    fiscal number, the program, the customer's account, level, groups, codes, counters and the store's local time;
    /// 2. **decide** (`decideCommit`, around the core's pure `CommitDecision.decide`): the calculation and the ledger's
    ///    postings, or a refusal; the answer's bytes are rendered from it before the writer is asked;
    /// 3. **apply** (`writeCommit`): in the writer's transaction, only guarded writes — the customer still at the version
    ///    read, every lot still holding what is taken, the promotions' counters within their limits, the fiscal number
    ///    still free — and the idempotency record with the rendered answer (`runUseCase`: a failed guard means prefetch
    ///    and decide again).
    ///
    /// The till's API, offline batches, the web cashier, the demo and the benchmark all call `SQLStore.commitReceipt`.
    ///
    /// Spends points from the soonest-expiring lots and records what the receipt earns as a new lot; exactly once per
    /// idempotency key and per (store, externalId). Returns the answer stored with the key.
    public func commitReceipt(
        merchantId: Int64, _ command: ReceiptCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReceiptCommitted>
    ) async throws -> StoredResponse {
        // The same rules for every caller; a receipt that breaks them changes nothing and is not kept under its key.
        if let errors = command.violations { return render(.failure(.validation(errors))) }
        let receiptId = nextID()
        return try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in try self.commitSnapshot(db, merchantId: merchantId, command, now: now) },
            decide: { self.decideCommit(command, $0, receiptId: receiptId, now: now) },
            // A wrong confirmation code stays counted when the commit is refused.
            before: { db in
                try self.checkSpendCode(db, merchantId: merchantId, customer: command.customer, code: command.confirmationCode, now: now)
            },
            apply: { db, snapshot, outcome in
                try self.writeCommit(db, merchantId: merchantId, command, snapshot, outcome, receiptId: receiptId, now: now)
            },
            finish: { db, snapshot, answer in
                try self.finishReceipt(
                    db, merchantId: merchantId, rules: snapshot.program.rules, customerId: snapshot.customer?.account.customerId, answer, now: now)
            },
            hotRows: { snapshot, outcome in
                Self.hotRows(merchantId: merchantId, rules: snapshot.program.rules, calculation: outcome.calculation, context: snapshot.context)
            },
            // Decided on the customer's points, level and counters as they still are.
            refusalHolds: { db, snapshot in try self.customerUnchanged(db, merchantId: merchantId, snapshot.customer?.account) })
    }

    /// Prefetch: everything the decision reads, in one snapshot.
    func commitSnapshot(_ db: any SQLConnection, merchantId: Int64, _ command: ReceiptCommand, now: UnixSeconds) throws -> CommitSnapshot {
        // The customer's row once: id, points, version and groups, with the program's version.
        let row = try command.customer.flatMap { key in
            try Self.customerRow(db, merchantId: merchantId, key: key, columns: "id, balance, debt, version, groups, \(Self.programVersionColumn)")
        }
        let (program, compiled) = try compiledProgram(db, merchantId: merchantId, version: row?["program_version"])
        var snapshot = CommitSnapshot(
            program: program, compiled: compiled, context: ReceiptContext(), customer: nil, customerMissing: false)
        if let existing = try Self.receiptId(db, merchantId: merchantId, storeId: command.storeId, externalId: command.externalId) {
            snapshot.registered = try Self.receiptView(db, merchantId: merchantId, receiptId: existing)
            return snapshot
        }
        var customerId: Int64?
        if command.customer != nil {
            guard let row else {
                snapshot.customerMissing = true
                return snapshot
            }
            let id: Int64 = row["id"]
            customerId = id
            let rules = program.rules
            var customer = CommitDecision.Customer(
                account: LedgerAccount(
                    customerId: id, balance: row["balance"], debt: row["debt"],
                    lots: try Ledger.openLots(db, merchantId: merchantId, customerId: id), version: row["version"]),
                tier: try tier(db, merchantId: merchantId, customerId: id, rules: rules, now: now),
                groups: Set((row["groups"] as String).split(separator: ",").map(String.init)))
            customer.dueHolds = try Ledger.dueHolds(db, merchantId: merchantId, customerId: id, now: now, lots: &customer.account.lots)
            if rules.welcomeBonusNextOrderOnly { customer.welcomeLots = try Ledger.welcomeLots(db, merchantId: merchantId, customerId: id) }
            customer.creditsInWindow = try creditsInWindow(db, merchantId: merchantId, protection: rules.protection, command, customerId: id, now: now)
            snapshot.customer = customer
        }
        snapshot.context = try receiptContext(
            db, merchantId: merchantId, program: compiled, storeId: command.storeId, customerId: customerId, codes: command.codes, now: now)
        snapshot.context.payments = command.payments
        return snapshot
    }

    /// Decide: the core's decision, and the answer it makes.
    func decideCommit(
        _ command: ReceiptCommand, _ snapshot: CommitSnapshot, receiptId: Int64, now: UnixSeconds
    ) -> Result<(answer: ReceiptCommitted, outcome: CommitDecision.Outcome), KopilkaError> {
        if let registered = snapshot.registered { return .failure(.receiptAlreadyRegistered(registered)) }
        if snapshot.customerMissing { return .failure(.notFound("customer")) }
        let receipt = CommitDecision.Receipt(
            id: receiptId, storeId: command.storeId, lines: command.lines, redeem: command.redeem, offline: command.offline,
            countsForVelocity: command.registerId != nil || command.cashier != nil)
        let rules = snapshot.program.rules
        let decided = CommitDecision.decide(
            receipt, program: snapshot.compiled, context: snapshot.context, customer: snapshot.customer, now: now,
            expiresAt: { rules.expiry(from: $0) }, nextID: { [self] in nextID() },
            spendAnyway: unsafeVariants.contains(.commitWithoutBalanceCondition))
        switch decided {
        case .failure(let refusal):
            return .failure(KopilkaError(refusal) { Self.velocityDetail(command, credits: $0, rules.protection) })
        case .success(let outcome):
            let entries = outcome.book.map { $0.entries(outcome.entryIds).map(LedgerEntryView.init) }
            let answer = ReceiptCommitted(
                receipt: Self.receiptView(
                    receiptId: receiptId, command, programVersion: snapshot.program.version, outcome.calculation,
                    customerId: snapshot.customer?.account.customerId, now: now),
                calculation: outcome.calculation, entries: entries ?? [], balance: outcome.book?.account.snapshot(at: now))
            return .success((answer, outcome))
        }
    }

    /// The writes of a decided commit: the ledger's postings, the receipt and its lines, promotions, codes, stamps and
    /// referral (the level reached follows in `finishReceipt`).
    func writeCommit(
        _ db: any SQLConnection, merchantId: Int64, _ command: ReceiptCommand, _ snapshot: CommitSnapshot, _ outcome: CommitDecision.Outcome,
        receiptId: Int64, now: UnixSeconds
    ) throws {
        let rules = snapshot.program.rules
        let customerId = snapshot.customer?.account.customerId
        if let customer = snapshot.customer, let book = outcome.book {
            if outcome.calculation.redeemedPoints > 0 {
                try consumeSpendCode(
                    db, merchantId: merchantId, protection: rules.protection, customer: command.customer, customerId: customer.account.customerId,
                    code: command.confirmationCode, now: now)
            }
            if let credits = outcome.velocityFlag {
                try flag(
                    db, merchantId: merchantId, rule: "velocity", customerId: customer.account.customerId, registerId: command.registerId,
                    cashier: command.cashier, receiptId: receiptId, detail: Self.velocityDetail(command, credits: credits, rules.protection),
                    now: now)
            }
            try closeDueHolds(db, merchantId: merchantId, customer, now: now)
            let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
            try ledger.apply(
                book, expectedVersion: customer.account.version,
                unguardedLot: unsafeVariants.contains(.commitWithoutBalanceCondition) ? CommitDecision.overdraftLot : nil)
        }
        try insertReceipt(
            db, merchantId: merchantId, receiptId: receiptId, command, programVersion: snapshot.program.version, outcome.calculation,
            explanation: outcome.explanation, customerId: customerId, earnLotId: outcome.earnLotId, restoreExpiresAt: outcome.restoreExpiresAt, holdId: nil, now: now)
        try recordPromotions(
            db, merchantId: merchantId, receiptId: receiptId, customerId: customerId, rules: rules, calculation: outcome.calculation,
            context: snapshot.context, guarded: true, now: now)
        if let customerId {
            try recordStamps(db, merchantId: merchantId, customerId: customerId, outcome.calculation.stamps, receiptId: receiptId, holdId: nil, now: now)
            try recordReferral(db, merchantId: merchantId, rules: rules, customerId: customerId, receiptId: receiptId, paid: outcome.calculation.payable, now: now)
            try recordPurchaseRules(
                db, merchantId: merchantId, rules: rules, customerId: customerId, receiptId: receiptId, calculation: outcome.calculation,
                entryId: outcome.book?.entries(outcome.entryIds).first { $0.kind == .accrual }?.id, usage: snapshot.context.purchaseRules?.usage ?? [:], now: now)
        }
    }

    /// How many receipts credited the customer from this register or cashier within the velocity window (0 when the
    /// program sets no limit or the receipt names neither).
    func creditsInWindow(
        _ db: any SQLConnection, merchantId: Int64, protection: Protection, _ command: ReceiptCommand, customerId: Int64, now: UnixSeconds
    ) throws -> Int64 {
        guard protection.maxCreditsPerCustomer > 0, command.registerId != nil || command.cashier != nil else { return 0 }
        return try db.row(
            """
            SELECT COUNT(*) AS n FROM receipts
            WHERE merchant_id = ? AND customer_id = ? AND created_at > ? AND earned_points > 0 AND (register_id = ? OR cashier = ?)
            """, [merchantId, customerId, now - Int64(protection.velocityWindowMinutes) * 60, command.registerId, command.cashier])!["n"]
    }

    /// What a velocity flag or refusal says.
    static func velocityDetail(_ command: ReceiptCommand, credits: Int64, _ protection: Protection) -> String {
        let who = command.cashier.map { "cashier \($0)" } ?? "register \(command.registerId!)"
        return "\(who) credited this customer \(credits) times in \(protection.velocityWindowMinutes) minutes (limit \(protection.maxCreditsPerCustomer))"
    }
}

extension KopilkaError {
    /// A commit's refusal, in the store's terms; `velocity` says who credited the customer how often.
    init(_ refusal: CommitDecision.Refusal, velocity: (Int64) -> String = { "\($0) credits" }) {
        switch refusal {
        case .offlineRedemption: self = .offlineRedemption
        case .anonymousRedemption:
            self = .validation([FieldError(field: "redeem", message: "an anonymous receipt cannot be paid with points")])
        case .redemptionLimitExceeded(let requested, let limit, let because):
            self = .redemptionLimitExceeded(requested: requested, limit: limit, because: because)
        case .insufficientPoints(let requested, let spendable): self = .insufficientPoints(requested: requested, spendable: spendable)
        case .offStep(let redeemable):
            self = .validation([FieldError(field: "redeem", message: "cannot be spent exactly under the program's step; \(redeemable) can")])
        case .velocity(let credits):
            self = .cashierLimit(rule: "velocity", detail: velocity(credits))
        case .codeNotApplicable(let index, let code, let status):
            self = .codeNotApplicable(field: "promoCodes[\(index)]", code: code, status: status.rawValue)
        }
    }
}
