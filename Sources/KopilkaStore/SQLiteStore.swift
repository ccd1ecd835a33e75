import Foundation
import GRDB
import KopilkaCore
import Synchronization

/// The embedded store: one SQLite file in WAL mode, writes through the group-commit writer.
public final class SQLiteStore: Sendable {
    /// How hard SQLite works to make a commit durable.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync on every commit: an acknowledged write survives power loss (the default).
        case full = "FULL"
        /// fsync at checkpoints only: survives a process crash, may lose the last commits on power loss.
        case normal = "NORMAL"
        /// No fsync: for tests of the durability harness only.
        case off = "OFF"
    }

    let pool: DatabasePool
    let writer: GroupCommitWriter
    let ids = IDGenerator()
    /// Decoded programs by merchant, with the stored text they were decoded from.
    let programs = Mutex<[Int64: (text: String, program: ProgramView, compiled: CompiledProgram)]>([:])
    /// Stores' time zones by store id (a store's zone does not change).
    let timeZones = Mutex<[Int64: TimeZone]>([:])
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String, synchronous: Synchronous = .full, busyTimeoutSeconds: Double = 10) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            // Keep the page cache small: an idle server should stay well under 50 MB.
            try db.execute(sql: "PRAGMA cache_size = -4000")
            // Savepoints (one per write in a group commit) keep their undo pages in memory, not in a temp file.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        writer = GroupCommitWriter(pool: pool)
        try Migrations.migrator.migrate(pool)
    }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// Checks the file's structure (`PRAGMA integrity_check`); returns the problems, empty when sound.
    public func integrityCheck() throws -> [String] {
        try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }.filter { $0 != "ok" }
    }

    /// Reads in a snapshot on the calling thread. SQLite reads take microseconds, so this is cheaper than
    /// GRDB's async read, whose hops to a reader queue and back cost more than the read itself (measured:
    /// 3,100 calculations with a balance read per second async, 19,700 on the calling thread, `kopilka bench`).
    func reading<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func nextID() -> Int64 { ids.next(nowMillis: Int64(Date().timeIntervalSince1970 * 1000)) }

    /// Runs a points-moving use case exactly once per idempotency key, storing its response in the
    /// same transaction as its effect.
    func idempotent<T: Sendable>(
        merchantId: Int64, key: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<T>,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws -> StoredResponse {
        try await writer.write { db in
            if let key {
                if let stored = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT request_hash, status, body FROM idempotency_keys WHERE merchant_id = ? AND key = ?"),
                    arguments: [merchantId, key.key])
                {
                    let hash: [UInt8] = Array(stored["request_hash"] as Data)
                    guard hash == key.requestHash else { return render(.failure(.idempotencyKeyReused)) }
                    return StoredResponse(status: stored["status"], body: Array(stored["body"] as Data), replayed: true)
                }
            }
            var response: StoredResponse
            do {
                var value: T?
                try db.inSavepoint {
                    value = try body(db)
                    return .commit
                }
                response = render(.success(value!))
            } catch let error as KopilkaError {
                response = render(.failure(error))
            }
            if let key {
                try db.run(
                    "INSERT INTO idempotency_keys (merchant_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [merchantId, key.key, Data(key.requestHash), response.status, Data(response.body), now])
            }
            return response
        }
    }

    /// Deletes idempotency records older than `cutoff` (keys are kept at least 30 days).
    public func pruneIdempotencyKeys(olderThan cutoff: UnixSeconds) async throws -> Int {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM idempotency_keys WHERE created_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }
}

extension Database {
    /// Executes a cached statement with bound arguments.
    func run(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws {
        try cachedStatement(sql: sql).execute(arguments: StatementArguments(arguments))
    }

    /// Fetches one row through a cached statement.
    func row(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: StatementArguments(arguments))
    }

    /// Fetches rows through a cached statement.
    func rows(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?]) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: StatementArguments(arguments))
    }
}

/// Ids travel as decimal strings in JSON (JavaScript cannot hold 63-bit integers).
func idString(_ id: Int64?) -> String? { id.map { String($0) } }

/// Parses an id from a path or body; nil when it is not one.
public func parseID(_ text: String) -> Int64? {
    guard text.count <= 19, let value = Int64(text), value > 0 else { return nil }
    return value
}
