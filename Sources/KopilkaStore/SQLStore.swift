import Foundation
import KopilkaCore
import Synchronization

/// The store on either database: the use cases are written once over `SQLConnection`, and the backend decides
/// how a snapshot is read and a transaction committed (SQLite: one writer with group commit; PostgreSQL: pooled
/// connections, snapshot transactions retried on conflict).
public final class SQLStore: Sendable {
    /// How hard SQLite works to make a commit durable.
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync on every commit: an acknowledged write survives power loss (the default).
        case full = "FULL"
        /// fsync at checkpoints only: survives a process crash, may lose the last commits on power loss.
        case normal = "NORMAL"
        /// No fsync: for tests of the durability harness only.
        case off = "OFF"
    }

    let backend: any SQLBackend
    let ids: IDGenerator
    /// Decoded programs by merchant, with the stored text they were decoded from.
    let programs = Mutex<[Int64: CachedProgram]>([:])
    /// Stores' time zones (a store's zone does not change).
    let timeZones = Mutex<[StoreKey: TimeZone]>([:])
    /// Where the data is: the SQLite file's path, or the PostgreSQL URL without its password.
    public let location: String
    #if KOPILKA_FAULTS
    /// `UnsafeVariants` switched on, as raw bits.
    let unsafe = Atomic<Int>(0)
    #endif

    /// Opens (creating if needed) the SQLite database at `path` and brings its schema up to date.
    public convenience init(path: String, synchronous: Synchronous = .full, busyTimeoutSeconds: Double = 10) throws {
        self.init(
            backend: try SQLiteBackend(path: path, synchronous: synchronous, busyTimeoutSeconds: busyTimeoutSeconds), location: path,
            ids: IDGenerator())
    }

    /// Connects to PostgreSQL and brings its schema up to date.
    public static func postgres(_ location: PostgresLocation) async throws -> SQLStore {
        let backend = try await PostgresBackend(location)
        // Each process takes its own id tag from the database, so processes sharing it never hand out the same id.
        let tag = try await backend.write { db in try db.column("SELECT nextval('process_tags') % 1024 AS tag", [], as: Int64.self)[0] }
        return SQLStore(backend: backend, location: location.description, ids: IDGenerator(tag: tag))
    }

    /// Opens a `postgres://` URL or an SQLite file path.
    public static func open(_ database: String, synchronous: Synchronous = .full) async throws -> SQLStore {
        if let location = PostgresLocation(url: database) { return try await postgres(location) }
        if database.hasPrefix("postgres") { throw KopilkaError.validation([FieldError(field: "database", message: "not a valid postgres:// URL")]) }
        return try SQLStore(path: database, synchronous: synchronous)
    }

    init(backend: any SQLBackend, location: String, ids: IDGenerator) {
        self.backend = backend
        self.location = location
        self.ids = ids
    }

    /// The migrations applied so far, oldest first.
    public func appliedMigrations() async throws -> [String] { try await backend.appliedMigrations() }

    /// Checks the database's structure (SQLite's `PRAGMA integrity_check`); returns the problems, empty when sound.
    public func integrityCheck() async throws -> [String] { try await backend.integrityCheck() }

    /// Closes the database.
    public func close() async throws { try await backend.close() }

    /// Drops the schema of its own that a PostgreSQL store was opened on (`?schema=`), with everything in it, and closes
    /// the store: for benchmarks and tests. Refused for any other store.
    public func dropSchema() async throws {
        guard let postgres = backend as? PostgresBackend, let schema = postgres.location.schema else {
            throw KopilkaError.forbidden("only a PostgreSQL store opened on a schema of its own can drop it")
        }
        try await postgres.withSession { try $0.execute("DROP SCHEMA \(PostgresLocation.quoted(schema)) CASCADE") }
        try await close()
    }

    /// SQLite's single writer has no conflicts; PostgreSQL's transactions run side by side.
    public var writeConflicts: Int { (backend as? PostgresBackend)?.conflicts.load(ordering: .relaxed) ?? 0 }

    func nextID() -> Int64 { ids.next(nowMillis: Int64(Date().timeIntervalSince1970 * 1000)) }

    /// Runs a points-moving use case exactly once per idempotency key, storing its response in the
    /// same transaction as its effect.
    func idempotent<T: Sendable>(
        merchantId: Int64, key: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<T>,
        before: (@Sendable (any SQLConnection) throws -> KopilkaError?)? = nil, serializing keys: [String] = [],
        _ body: @escaping @Sendable (any SQLConnection) throws -> T
    ) async throws -> StoredResponse {
        if unsafeVariants.contains(.acknowledgeBeforeCommit) {
            return try await acknowledgeBeforeCommit(merchantId: merchantId, key: key, now: now, render: render, body)
        }
        let again = unsafeVariants.contains(.replaysExecuteAgain)
        return try await backend.write(serializing: keys) { db in
            if let key, !again, let stored = try self.storedReply(db, merchantId: merchantId, key: key) { return stored.response(render) }
            var response: StoredResponse
            do {
                // `before` writes what must stay even when the operation is refused (a counted attempt).
                if let refusal = try before?(db) { throw refusal }
                response = render(.success(try db.savepoint { try body(db) }))
            } catch let error as KopilkaError {
                response = render(.failure(error))
            }
            if let key { try self.storeReply(db, merchantId: merchantId, key: key, response, now: now, ifAbsent: again) }
            return response
        }
    }

    /// What is stored under the key: the answer to replay, or nil when there is none.
    func storedReply(_ db: any SQLConnection, merchantId: Int64, key: IdempotencyKey) throws -> StoredReply? {
        guard let stored = try db.row(
            "SELECT request_hash, status, body FROM idempotency_keys WHERE merchant_id = ? AND key = ?", [merchantId, key.key])
        else { return nil }
        guard Array(stored["request_hash"] as Data) == key.requestHash else { return .reused }
        return .replay(StoredResponse(status: stored["status"], body: Array(stored["body"] as Data), replayed: true))
    }

    /// Keeps the reply under its key for replays; with `ifAbsent`, not over one stored meanwhile. Returns the rows written.
    @discardableResult
    func storeReply(
        _ db: any SQLConnection, merchantId: Int64, key: IdempotencyKey, _ reply: StoredResponse, now: UnixSeconds, ifAbsent: Bool = false
    ) throws -> Int {
        try db.run(
            """
            INSERT INTO idempotency_keys (merchant_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)
            \(ifAbsent ? "ON CONFLICT (merchant_id, key) DO NOTHING" : "")
            """,
            [merchantId, key.key, Data(key.requestHash), reply.status, Data(reply.body), now])
    }

    /// The broken variant: works the answer out in a transaction it rolls back, answers, and writes for real half a
    /// second later — a kill in between loses an acknowledged write.
    private func acknowledgeBeforeCommit<T: Sendable>(
        merchantId: Int64, key: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<T>,
        _ body: @escaping @Sendable (any SQLConnection) throws -> T
    ) async throws -> StoredResponse {
        let response: StoredResponse
        do {
            try await backend.write { db in
                throw DryRun(response: render(Result { try body(db) }.mapError { $0 as? KopilkaError ?? .busy }))
            }
            return StoredResponse(status: 500, body: [])
        } catch let dry as DryRun {
            response = dry.response
        }
        Task {
            try await Task.sleep(for: .milliseconds(500))
            _ = try await self.backend.write { db in
                if let key, try db.row("SELECT 1 FROM idempotency_keys WHERE merchant_id = ? AND key = ?", [merchantId, key.key]) != nil { return }
                let stored = render(Result { try db.savepoint { try body(db) } }.mapError { $0 as? KopilkaError ?? .busy })
                if let key { try self.storeReply(db, merchantId: merchantId, key: key, stored, now: now) }
            }
        }
        return response
    }

    /// Deletes idempotency records older than `cutoff` (keys are kept at least 30 days), merchant by merchant, so each
    /// delete uses the `(merchant_id, created_at)` index and stays on one shard.
    public func pruneIdempotencyKeys(olderThan cutoff: UnixSeconds) async throws -> Int {
        var deleted = 0
        for merchantId in try await merchantIds() {
            deleted += try await backend.write { db in
                try db.run("DELETE FROM idempotency_keys WHERE merchant_id = ? AND created_at < ?", [merchantId, cutoff])
            }
        }
        return deleted
    }
}

/// What an idempotency key already holds.
enum StoredReply: Sendable {
    /// The first request's answer, to return byte for byte.
    case replay(StoredResponse)
    /// The key was used with another request body.
    case reused

    func response<T>(_ render: ResponseRenderer<T>) -> StoredResponse {
        switch self {
        case .replay(let stored): stored
        case .reused: render(.failure(.idempotencyKeyReused))
        }
    }
}

/// The answer `acknowledgeBeforeCommit` works out, thrown to roll its transaction back.
private struct DryRun: Error {
    let response: StoredResponse
}

/// A merchant's program as decoded and compiled, with the text it came from. `committed` when it was read in a snapshot,
/// which sees committed data only: such an entry is good for its version, which no other text can ever have.
struct CachedProgram {
    var text: String
    var program: ProgramView
    var compiled: CompiledProgram
    var committed: Bool
}

/// A store of a merchant (store ids are unique, but the merchant is part of every key).
struct StoreKey: Hashable {
    let merchantId: Int64
    let storeId: Int64
}

/// Ids travel as decimal strings in JSON (JavaScript cannot hold 63-bit integers).
func idString(_ id: Int64?) -> String? { id.map { String($0) } }

/// Parses an id from a path or body; nil when it is not one.
public func parseID(_ text: String) -> Int64? {
    guard text.count <= 19, let value = Int64(text), value > 0 else { return nil }
    return value
}
