import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// The server database: a pool of PostgreSQL connections, each used by one thread at a time.
///
/// The store's use cases are written once, as synchronous code over `SQLConnection`; here each runs on a thread
/// of a pool as large as the connection pool, waiting on postgres-nio for each statement. Writes are REPEATABLE READ
/// (snapshot) transactions retried on a write conflict, a deadlock or a unique-key race. Every decision a write
/// makes is guarded by a write to a row that any conflicting decision also writes (the customer's cached balance,
/// a promotion's counter, a code's uses, the receipt, the merchant for plan limits), so two conflicting writes
/// cannot both commit, and several Kopilka processes on one database give the answers of one process on SQLite,
/// where the single writer serializes everything (docs/decisions/0006).
final class PostgresBackend: SQLBackend {
    let location: PostgresLocation
    private let configuration: PostgresConnection.Configuration
    private let threads: NIOThreadPool
    private let events: MultiThreadedEventLoopGroup
    private let idle = Mutex<[PostgresSession]>([])
    private let connectionIds = Atomic<Int>(0)
    /// Connections of their own holding session advisory locks, by lease name: a lock lives as long as its connection.
    private let leases = Mutex<[String: PostgresSession]>([:])
    private let logger: Logger
    /// Write transactions tried again after a conflict, since the process began.
    let conflicts = Atomic<Int>(0)
    /// How often a write is tried before a conflict is answered with `busy`.
    static let maxAttempts = 40

    init(_ location: PostgresLocation, logger: Logger = Logger(label: "kopilka.postgres")) async throws {
        self.location = location
        self.logger = logger
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password, database: location.database,
            tls: try location.tls())
        configuration.options.additionalStartupParameters = [
            ("application_name", "kopilka"),
            // An acknowledged commit is on the primary's disk (and on synchronous standbys, if any).
            ("synchronous_commit", "on"),
        ] + (location.schema.map { [("search_path", $0)] } ?? [])
        self.configuration = configuration
        events = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threads = NIOThreadPool(numberOfThreads: location.poolSize)
        threads.start()
        if let schema = location.schema {
            // A schema of its own (tests, benchmarks): created on first use, like the SQLite file.
            try await withSession { try $0.execute("CREATE SCHEMA IF NOT EXISTS \(PostgresLocation.quoted(schema))") }
        }
        try await withSession { try PostgresMigrations.migrate($0) }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withSession { session in
            try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            session.isSnapshot = true
            defer { session.isSnapshot = false }
            do {
                let value = try body(session)
                try session.execute("COMMIT")
                return value
            } catch {
                session.rollback()
                throw error
            }
        }
    }

    func write<T: Sendable>(serializing keys: [String], _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withSession { session in
            // Hot rows: a session advisory lock per key, taken before the transaction begins, so that its snapshot
            // (taken by its first statement) already holds the previous holder's commit and its writes to those rows
            // cannot conflict with it. Sorted, so that two transactions never wait on each other's keys.
            let keys = Set(keys).sorted()
            if !keys.isEmpty {
                let lock = "pg_advisory_lock(\(Self.hotRowLockClass), hashtext(current_schema() || '.' || ?))"
                _ = try session.rows("SELECT " + Array(repeating: lock, count: keys.count).joined(separator: ", "), keys.map { $0 })
            }
            defer {
                // A connection that cannot release its locks is closed, which releases them: it must not go back to
                // the pool holding a promotion's lock.
                if !keys.isEmpty, (try? session.execute("SELECT pg_advisory_unlock_all()")) == nil { session.discard() }
            }
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try session.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
                    let value = try body(session)
                    try session.execute("COMMIT")
                    return value
                } catch let error as PostgresFailure where error.isRetryable {
                    session.rollback()
                    self.conflicts.add(1, ordering: .relaxed)
                    // A unique key taken by a concurrent commit is seen by the next attempt; one taken for good is a bug.
                    if error.sqlState == "23505" && attempt >= 3 { throw error }
                    if attempt == Self.maxAttempts { throw KopilkaError.busy }
                    // Back off a random, growing while so that the transactions that collided do not collide again.
                    usleep(UInt32.random(in: 0...(UInt32(200) << UInt32(min(attempt, 6)))))
                } catch {
                    session.rollback()
                    throw error
                }
            }
        }
    }

    /// The first half of the hot rows' advisory locks (two 32-bit keys: a space apart from the leases' 64-bit ones).
    static let hotRowLockClass = 0x6b70  // "kp"

    deinit {
        // A store dropped without `close()` (tests open hundreds) must not keep its connections and threads.
        for session in idle.withLock({ $0 }) + leases.withLock({ Array($0.values) }) {
            let connection = session.connection
            // postgres-nio asserts that a connection is closed before it is released: keep it until then.
            connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
        }
        threads.shutdownGracefully { _ in }
        events.shutdownGracefully { _ in }
    }

    /// A session advisory lock on a connection kept for it, keyed by the schema and `name` (tests and benchmarks
    /// share a database under schemas of their own). A process whose connection broke has lost the lock: another
    /// takes it on its next try.
    func holdsLease(_ name: String) async throws -> Bool {
        try await threads.runIfActive {
            if let held = self.leases.withLock({ $0[name] }) {
                if !held.connection.isClosed { return true }
                // The server ended the session, and the lock with it: another process may hold it now.
                self.leases.withLock { $0[name] = nil }
            }
            let session = try self.connect()
            let taken: Bool = try session.row("SELECT pg_try_advisory_lock(hashtext(current_schema() || '.' || ?)) AS taken", [name])?["taken"] ?? false
            guard taken else {
                let connection = session.connection
                connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
                return false
            }
            self.leases.withLock { $0[name] = session }
            return true
        }
    }

    func appliedMigrations() async throws -> [String] {
        try await withSession { try $0.column("SELECT name FROM schema_migrations ORDER BY name", []) }
    }

    /// PostgreSQL keeps its own structure sound (checksums are a cluster setting); nothing to check per file here.
    func integrityCheck() async throws -> [String] { [] }

    func close() async throws {
        let sessions = idle.withLock { sessions in
            defer { sessions = [] }
            return sessions
        }
        for session in sessions { try? await session.connection.close() }
        for session in leases.withLock({ leases in defer { leases = [:] }; return Array(leases.values) }) {
            try? await session.connection.close()
        }
    }

    /// Runs `body` on a pool thread with a connection of its own, opened if none is idle.
    func withSession<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) throws -> T) async throws -> T {
        try await threads.runIfActive {
            let session = try self.idle.withLock { $0.popLast() } ?? self.connect()
            do {
                let value = try body(session)
                if !session.isDiscarded { self.idle.withLock { $0.append(session) } }
                return value
            } catch {
                // A connection that broke is dropped; the next use opens a new one.
                if !session.connection.isClosed && !session.isDiscarded { self.idle.withLock { $0.append(session) } }
                throw error
            }
        }
    }

    private func connect() throws -> PostgresSession {
        let id = connectionIds.wrappingAdd(1, ordering: .relaxed).newValue
        let connection = try PostgresConnection.connect(on: events.next(), configuration: configuration, id: id, logger: logger).wait()
        return PostgresSession(connection, logger: logger)
    }
}

/// Where the PostgreSQL database is: `postgres://user:password@host:port/database?schema=name&pool=16`, with TLS as
/// libpq's `sslmode` and `sslrootcert` say.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// A schema of its own (created if missing), for tests and benchmarks sharing one database.
    public var schema: String?
    /// Connections (and threads) per process.
    public var poolSize: Int
    /// TLS to the server, as libpq's `sslmode` (default `disable`).
    public var sslMode: SSLMode = .disable
    /// The CA certificates (PEM) that `verify-ca` and `verify-full` check the server's certificate against; absent,
    /// the system's.
    public var sslRootCert: String?

    /// libpq's `sslmode`: `disable` (plain), `prefer` (TLS if the server offers it, unchecked), `require` (TLS, the
    /// certificate unchecked), `verify-ca` (a certificate from a trusted CA), `verify-full` (and for this host name).
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Parses a `postgres://` or `postgresql://` URL; nil for anything else.
    public init?(url: String) {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? "") else { return nil }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        port = components.port ?? 5432
        user = components.user ?? "postgres"
        password = components.password
        let path = components.path.drop { $0 == "/" }
        database = path.isEmpty ? user : String(path)
        let query = components.queryItems ?? []
        schema = query.first { $0.name == "schema" }?.value
        poolSize = query.first { $0.name == "pool" }?.value.flatMap(Int.init) ?? 16
        if let mode = query.first(where: { $0.name == "sslmode" })?.value {
            guard let mode = SSLMode(rawValue: mode) else { return nil }
            sslMode = mode
        }
        sslRootCert = query.first { $0.name == "sslrootcert" }?.value
        if let schema, schema.isEmpty || !schema.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) { return nil }
        guard (1...256).contains(poolSize) else { return nil }
    }

    /// The URL, with the password: for handing the location to another Kopilka process.
    public var url: String {
        connectionURL + "&pool=\(poolSize)" + (schema.map { "&schema=\($0)" } ?? "")
    }

    /// The server and database alone (and TLS), as libpq (psql, pgbench) reads it.
    public var connectionURL: String {
        let credentials = user.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed)!
            + (password.map { ":" + $0.addingPercentEncoding(withAllowedCharacters: .urlPasswordAllowed)! } ?? "")
        // sslmode always: libpq's own default (prefer) would take TLS where Kopilka's (disable) does not.
        let tls = "?sslmode=\(sslMode.rawValue)"
            + (sslRootCert.map { "&sslrootcert=" + $0.addingPercentEncoding(withAllowedCharacters: Self.queryValue)! } ?? "")
        return "postgres://\(credentials)@\(host):\(port)/\(database)" + tls
    }

    private static let queryValue = CharacterSet.urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))

    /// postgres-nio's TLS for `sslMode`: the CA file is read here, so a wrong path fails at start.
    func tls() throws -> PostgresConnection.Configuration.TLS {
        guard sslMode != .disable else { return .disable }
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch sslMode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        if let sslRootCert, sslMode == .verifyCA || sslMode == .verifyFull {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(sslRootCert))
        }
        let context = try NIOSSLContext(configuration: configuration)
        return sslMode == .prefer ? .prefer(context) : .require(context)
    }

    /// The same location with another schema.
    public func with(schema: String?) -> PostgresLocation {
        var copy = self
        copy.schema = schema
        return copy
    }

    static func quoted(_ identifier: String) -> String { "\"\(identifier)\"" }
}

extension PostgresLocation: CustomStringConvertible {
    /// The URL without the password, for logs.
    public var description: String {
        let query = (schema.map { ["schema=\($0)"] } ?? []) + (sslMode == .disable ? [] : ["sslmode=\(sslMode.rawValue)"])
        return "postgres://\(user)@\(host):\(port)/\(database)" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }
}
