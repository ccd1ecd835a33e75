import Foundation
import GRDB
import GRDBSQLite

/// The embedded database: one SQLite file in WAL mode, writes through the group-commit writer, reads on the calling thread.
final class SQLiteBackend: SQLBackend {
    /// GRDB's connections: the writer's, and readers for migrations and checks.
    let pool: DatabasePool
    /// The snapshots' connections.
    let readers: SQLiteReaders
    let writer: GroupCommitWriter
    let checkpointer: WALCheckpointer
    let path: String

    /// - Parameters:
    ///   - checkpointEvery: how often `WALCheckpointer` copies the log back into the database file.
    ///   - restartFrames: how long the log may grow before the writer restarts it between two batches.
    init(
        path: String, synchronous: SQLStore.Synchronous, busyTimeoutSeconds: Double, checkpointEvery: DispatchTimeInterval = .milliseconds(20),
        restartFrames: Int = 2_000
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeoutSeconds)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)")
            // Keep the page cache small: an idle server should stay well under 50 MB.
            try db.execute(sql: "PRAGMA cache_size = -4000")
            // Savepoints (one per write in a group commit) keep their undo pages in memory, not in a temp file.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // The writer does not checkpoint after its commits: `WALCheckpointer` does, beside it.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        try Migrations.migrator.migrate(pool)
        checkpointer = try WALCheckpointer(path: path, interval: checkpointEvery, restartFrames: restartFrames)
        writer = GroupCommitWriter(pool: pool, checkpointer: checkpointer, busyTimeoutMilliseconds: Int(busyTimeoutSeconds * 1000))
        readers = SQLiteReaders(path: path, busyTimeoutMilliseconds: Int32(busyTimeoutSeconds * 1000))
    }

    /// Reads in a snapshot on the calling thread. SQLite reads take microseconds, so this is cheaper than
    /// GRDB's async read, whose hops to a reader queue and back cost more than the read itself (measured:
    /// 3,100 calculations with a balance read per second async, 19,700 on the calling thread, `kopilka bench`).
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try readers.snapshot(body)
    }

    /// GRDB's synchronous read (in an async function Swift would pick the asynchronous one).
    private func readHere<T>(_ body: (Database) throws -> T) throws -> T { try pool.read(body) }

    /// The single writer serializes every transaction: `keys` need nothing more.
    func write<T: Sendable>(serializing keys: [String], _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await writer.write { db in try body(SQLiteConnection(db)) }
    }

    func appliedMigrations() async throws -> [String] {
        try readHere { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// One process owns an SQLite file: it holds every lease.
    func holdsLease(_ name: String) async throws -> Bool { true }

    func integrityCheck() async throws -> [String] {
        try readHere { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }.filter { $0 != "ok" }
    }

    func close() async throws {
        readers.close()
        try checkpointer.close()
        try pool.close()
    }
}

/// The writer's GRDB connection seen through `SQLConnection`; statements are cached by GRDB per connection.
final class SQLiteConnection: SQLConnection {
    let db: Database
    var isSnapshot: Bool { false }

    init(_ db: Database) { self.db = db }

    func run(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        try bound(sql, arguments).execute()
        return db.changesCount
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try bound(sql, arguments)
        let columns = statement.columnNames
        // A cursor's rows are views on the statement, converted once (Row.fetchAll would copy each first).
        let cursor = try Row.fetchCursor(statement)
        var rows: [SQLRow] = []
        while let row = try cursor.next() { rows.append(Self.row(row, columns)) }
        return rows
    }

    func row(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        let statement = try bound(sql, arguments)
        // The row is a view on the cursor's statement: converted while the cursor is still alive.
        let cursor = try Row.fetchCursor(statement)
        guard let row = try cursor.next() else { return nil }
        return withExtendedLifetime(cursor) { Self.row(row, statement.columnNames) }
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T { try db.savepoint(body) }

    /// The cached statement with `arguments` bound through SQLite's own calls. GRDB's `StatementArguments` box every
    /// value as an existential and check them on each call: 8 % of the single writer's samples under 64 committing
    /// tasks (perf); a wrong count of arguments is a programming error here, caught by the tests of every statement.
    private func bound(_ sql: String, _ arguments: SQLArguments) throws -> Statement {
        let statement = try db.cachedStatement(sql: sql)
        // Resets the statement and clears its bindings; GRDB then executes it with the ones set here.
        statement.setUncheckedArguments(StatementArguments())
        precondition(arguments.count == Int(sqlite3_bind_parameter_count(statement.sqliteStatement)), "arguments of \(sql)")
        for (offset, argument) in arguments.enumerated() {
            let code = SQLiteBinding.bind(argument?.sqlValue ?? .null, to: statement.sqliteStatement, at: CInt(offset + 1))
            guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: sql) }
        }
        return statement
    }

    private static func row(_ row: Row, _ columns: [String]) -> SQLRow {
        SQLRow(columns: columns, values: row.databaseValues.map { value in
            switch value.storage {
            case .null: .null
            case .int64(let value): .integer(value)
            case .string(let value): .text(value)
            case .blob(let value): .bytes(Array(value))
            // The schema stores no floating point; a REAL can only come from an expression like AVG.
            case .double(let value): .integer(Int64(value))
            }
        })
    }
}
