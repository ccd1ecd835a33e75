import KopilkaCore

/// The operations that change a customer's points, each as one use case in three steps, in this folder:
///
/// 1. **prefetch**: on a read snapshot, off the single writer — what the decision needs, and the stored answer of a
///    repeated idempotency key;
/// 2. **decide**: the core's pure decision from the command, the snapshot and `now` — what to write, or a refusal —
///    and the answer's bytes rendered from it;
/// 3. **apply**: in the writer's transaction, only the decision's writes under guards (a customer's version, the lots'
///    points, counters) and the answer under its key, so a replay is the first answer byte for byte.
///
/// The till's API, the web cashier, the demo, the CLI and the benchmark call the same use case.
enum UseCase {
    /// Decisions made on a snapshot before the three steps run inside one write transaction, where nothing can change
    /// between them. One: a guard fails when another request changed the same customer or receipt meanwhile, and racing
    /// it again on a new snapshot mostly fails again — five returns of one receipt at once went through at 2,566–2,855 a
    /// second with three snapshot attempts and at 3,357–3,989 with one (`kopilka bench`, returns over HTTP at 16 and 64
    /// connections; commits, which rarely collide, the same either way).
    static let snapshotAttempts = 1
}

/// The apply step refused without a savepoint to roll back to: the transaction is made again with one.
private struct RefusedWhileApplying: Error {}

extension SQLStore {
    /// Runs a use case's three steps, exactly once per idempotency key:
    ///
    /// - on a read snapshot, the answer already stored under the key (replayed as it is), else `prefetch`;
    /// - `decide`, and the answer rendered from its decision (or refusal) before the writer is asked;
    /// - in the writer's transaction: `before` (what stays written even when the operation is refused: a counted code
    ///   attempt) and its refusal; then `apply`'s guarded writes, or for a refusal `refusalHolds` (it must have been decided
    ///   on what is still true); then `finish`, writes that follow from the applied ones and may add to the answer (a
    ///   level's bonus once the receipt counts: it returns the answer with them, or nil for none); and the answer under
    ///   its key.
    ///
    /// A guard that fails (`Ledger.Stale`) means prefetch and decide again; after `UseCase.snapshotAttempts`, and always
    /// under the reliability suites' broken variants of idempotency (which live in `idempotent`), the three steps run
    /// inside one write transaction.
    ///
    /// `hotRows` names the rows many receipts write that the decision's writes include (a promotion's budget, a code
    /// batch's counters): the writer takes them one transaction at a time (`SQLBackend.write(serializing:)`).
    func runUseCase<Snapshot: Sendable, Outcome: Sendable, Answer: Sendable>(
        merchantId: Int64, idempotency: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<Answer>,
        prefetch: @escaping @Sendable (any SQLConnection) throws -> Snapshot,
        decide: @escaping @Sendable (Snapshot) -> Result<(answer: Answer, outcome: Outcome), KopilkaError>,
        before: (@Sendable (any SQLConnection) throws -> KopilkaError?)? = nil,
        apply: @escaping @Sendable (any SQLConnection, Snapshot, Outcome) throws -> Void,
        finish: (@Sendable (any SQLConnection, Snapshot, Answer) throws -> Answer?)? = nil,
        hotRows: @escaping @Sendable (Snapshot, Outcome) -> [String] = { _, _ in [] },
        refusalHolds: @escaping @Sendable (any SQLConnection, Snapshot) throws -> Bool = { _, _ in true }
    ) async throws -> StoredResponse {
        var keys: [String] = []
        if unsafeVariants.isDisjoint(with: [.acknowledgeBeforeCommit, .replaysExecuteAgain]) {
            for _ in 0..<UseCase.snapshotAttempts {
                let (stored, read) = try await backend.read { db -> (StoredReply?, Snapshot?) in
                    if let key = idempotency, let stored = try self.storedReply(db, merchantId: merchantId, key: key) { return (stored, nil) }
                    return (nil, try prefetch(db))
                }
                if let stored { return stored.response(render) }
                guard let snapshot = read else { continue }
                let decided = decide(snapshot)
                let rendered = render(decided.map(\.answer))
                if case .success(let decision) = decided { keys = hotRows(snapshot, decision.outcome) }
                // A refusal found while applying (a code used up meanwhile) must undo the apply's writes but keep
                // `before`'s and the refusal under its key: the first try runs without a savepoint (two round trips on
                // PostgreSQL) and, refused, the transaction is made again with one.
                for withSavepoint in [false, true] {
                    do {
                        return try await backend.write(serializing: keys) { db in
                            var response = rendered
                            if let refusal = try before?(db) {
                                response = render(.failure(refusal))
                            } else {
                                switch decided {
                                case .success(let decision):
                                    func applied() throws -> Answer? {
                                        try apply(db, snapshot, decision.outcome)
                                        return try finish?(db, snapshot, decision.answer)
                                    }
                                    do {
                                        let finished = try withSavepoint ? db.savepoint(applied) : applied()
                                        // Rare (a level's bonus): rendered again, in the writer, only when it adds to the answer.
                                        if let finished { response = render(.success(finished)) }
                                    } catch let error as KopilkaError {
                                        guard withSavepoint else { throw RefusedWhileApplying() }
                                        response = render(.failure(error))
                                    }
                                case .failure:
                                    guard try refusalHolds(db, snapshot) else { throw Ledger.Stale() }
                                }
                            }
                            if let key = idempotency, try self.storeReply(db, merchantId: merchantId, key: key, response, now: now, ifAbsent: true) == 0 {
                                // The same key was answered meanwhile (another process): the next snapshot replays that answer.
                                throw Ledger.Stale()
                            }
                            return response
                        }
                    } catch is RefusedWhileApplying {
                        continue
                    } catch is Ledger.Stale {
                        break
                    }
                }
            }
        }
        // Decided again inside: mostly on the same hot rows as the attempt before.
        return try await idempotent(merchantId: merchantId, key: idempotency, now: now, render: render, before: before, serializing: keys) { db in
            let snapshot = try prefetch(db)
            let decided = try decide(snapshot).get()
            try apply(db, snapshot, decided.outcome)
            return try finish?(db, snapshot, decided.answer) ?? decided.answer
        }
    }

    /// Whether the customer is still at the version of `account` as read (true without a customer).
    func customerUnchanged(_ db: any SQLConnection, merchantId: Int64, _ account: LedgerAccount?) throws -> Bool {
        guard let account else { return true }
        let version: Int64? = try db.row(
            "SELECT version FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, account.customerId])?["version"]
        return version == account.version
    }
}
