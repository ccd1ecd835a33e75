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
    /// Decisions made on a snapshot whose guards failed (something changed between prefetch and apply) before the last
    /// attempt runs the three steps inside one write transaction, where nothing can change between them.
    static let snapshotAttempts = 3
}
