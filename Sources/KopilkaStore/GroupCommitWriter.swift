import Foundation
import GRDB
import Synchronization

/// The single writer: every write waits in one queue, and whatever has gathered while the previous
/// transaction was committing goes into the next one, each write in its own savepoint.
///
/// So N concurrent commits cost one transaction and one fsync instead of N, and a request is
/// answered only after the transaction holding it is durable. A write that throws rolls back its
/// savepoint alone; the others in the batch still commit.
final class GroupCommitWriter: Sendable {
    /// Runs one write inside the batch's transaction and returns how to answer it once the batch has committed (or failed).
    private typealias Execute = @Sendable (Database) -> @Sendable ((any Error)?) -> Void
    private struct Job: Sendable {
        let execute: Execute
        let abandon: @Sendable (any Error) -> Void
    }

    private let pool: DatabasePool
    private let queue = DispatchQueue(label: "kopilka.group-commit")
    private let pending = Mutex<(jobs: [Job], draining: Bool)>(([], false))
    /// Upper bound on writes per transaction, so one transaction never grows without limit.
    private let maxBatch: Int

    /// Asks, now and then, for the write-ahead log to start again (`WALCheckpointer`).
    private let checkpointer: WALCheckpointer?

    /// The writer's usual wait for a lock, restored after a restart of the log.
    private let busyTimeoutMilliseconds: Int

    init(pool: DatabasePool, checkpointer: WALCheckpointer? = nil, busyTimeoutMilliseconds: Int = 10_000, maxBatch: Int = 512) {
        self.pool = pool
        self.checkpointer = checkpointer
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.maxBatch = maxBatch
    }

    /// Runs `body` in a write transaction shared with other concurrent writes; returns after the commit is durable.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job(
                execute: { db in
                    let result: Result<T, any Error>
                    do {
                        result = .success(try db.savepoint { try body(db) })
                    } catch {
                        result = .failure(error)
                    }
                    return { commitError in
                        if let commitError { continuation.resume(throwing: commitError) } else { continuation.resume(with: result) }
                    }
                },
                abandon: { continuation.resume(throwing: $0) })
            let startDraining = pending.withLock { state in
                state.jobs.append(job)
                if state.draining { return false }
                state.draining = true
                return true
            }
            if startDraining { queue.async { self.drain() } }
        }
    }

    private func drain() {
        while true {
            let batch = pending.withLock { state -> [Job] in
                guard !state.jobs.isEmpty else {
                    state.draining = false
                    return []
                }
                let batch = Array(state.jobs.prefix(maxBatch))
                state.jobs.removeFirst(batch.count)
                return batch
            }
            if batch.isEmpty { return }
            commit(batch)
        }
    }

    private func commit(_ batch: [Job]) {
        var answers: [@Sendable ((any Error)?) -> Void] = []
        answers.reserveCapacity(batch.count)
        do {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for job in batch {
                        answers.append(job.execute(db))
                        // Some errors (disk full, I/O) make SQLite roll back the whole transaction; the rest
                        // of the batch must not then run outside one.
                        if !db.isInsideTransaction { throw TransactionAborted() }
                    }
                    return .commit
                }
            }
            for answer in answers { answer(nil) }
            restartLogIfAsked()
        } catch {
            let failure: any Error = (error as? DatabaseError)?.resultCode == .SQLITE_FULL ? KopilkaError.storageFull : error
            for answer in answers { answer(failure) }
            for job in batch.dropFirst(answers.count) { job.abandon(failure) }
        }
    }

    /// Between two batches, once the checkpointer has copied nearly all of a long log: copies the rest, and the log
    /// starts again from its beginning. A restart waits for readers still on the log; the writer gives them 10 ms
    /// (a long report must not hold the tills up), and when they are not done, asks again after the next batch.
    private func restartLogIfAsked() {
        guard let checkpointer, checkpointer.restartRequested.exchange(false, ordering: .relaxed) else { return }
        let restarted = try? pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA busy_timeout = 10")
            defer { _ = try? db.execute(sql: "PRAGMA busy_timeout = \(busyTimeoutMilliseconds)") }
            return try db.checkpoint(.restart)
        }
        if restarted == nil { checkpointer.restartRequested.store(true, ordering: .relaxed) }
    }

    struct TransactionAborted: Error {}
}

extension Database {
    /// Runs `body` in a savepoint: if it throws, what it wrote is undone and the error goes on. The savepoint's
    /// statements are cached: GRDB's `inSavepoint` prepares them anew on every call, and a commit takes two savepoints
    /// (its own in the batch, and its apply's).
    func savepoint<T>(_ body: () throws -> T) throws -> T {
        try cachedStatement(sql: "SAVEPOINT kopilka").execute()
        do {
            let value = try body()
            try cachedStatement(sql: "RELEASE SAVEPOINT kopilka").execute()
            return value
        } catch {
            // Some errors (disk full, I/O) have rolled the whole transaction back already.
            if isInsideTransaction {
                try? cachedStatement(sql: "ROLLBACK TO SAVEPOINT kopilka").execute()
                try? cachedStatement(sql: "RELEASE SAVEPOINT kopilka").execute()
            }
            throw error
        }
    }
}
