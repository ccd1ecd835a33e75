import GRDB
import GRDBSQLite
import Synchronization

/// Read-only connections of our own on the database file, for snapshots on the calling thread.
///
/// GRDB's pool costs more than a lookup's four reads: each read took a reader through a semaphore and a lock, hopped
/// onto the reader's dispatch queue and asked SQLite for the schema's version outside the snapshot (a read lock of
/// its own). Under 64 connections of lookups that was 14 % of the request threads' time against 26 % for the reads
/// themselves (perf). Here a snapshot is an idle connection taken from a list, `BEGIN` … `COMMIT` on it, and the
/// connection put back; a statement is prepared once per connection and its rows are converted straight from SQLite.
final class SQLiteReaders: Sendable {
    private let path: String
    private let busyTimeoutMilliseconds: Int32
    private let state = Mutex<(idle: [SQLiteReader], closed: Bool)>(([], false))

    init(path: String, busyTimeoutMilliseconds: Int32) {
        self.path = path
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    /// Runs `body` in one snapshot on an idle connection (a new one when all are busy: at most as many as threads
    /// read at once).
    func snapshot<T>(_ body: (SQLiteReader) throws -> T) throws -> T {
        let taken = try state.withLock { state -> SQLiteReader? in
            guard !state.closed else { throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "Connection is closed") }
            return state.idle.popLast()
        }
        let reader = try taken ?? SQLiteReader(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        var reusable = false
        defer {
            // A connection whose snapshot did not end cleanly is not used again.
            let kept = reusable && state.withLock { state in
                if !state.closed { state.idle.append(reader) }
                return !state.closed
            }
            if !kept { reader.close() }
        }
        try reader.run("BEGIN DEFERRED", [])
        defer { reusable = (try? reader.run("COMMIT", [])) != nil }
        return try body(reader)
    }

    /// Closes the idle connections; those in use close when their snapshot ends.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for reader in idle { reader.close() }
    }
}

/// One read-only SQLite connection seen through `SQLConnection`, used by one snapshot at a time (hence unchecked).
final class SQLiteReader: SQLConnection, @unchecked Sendable {
    private var handle: OpaquePointer?
    /// Prepared statements by their text, with their columns' names.
    private var statements: [String: (statement: OpaquePointer, columns: [String])] = [:]

    var isSnapshot: Bool { true }

    init(path: String, busyTimeoutMilliseconds: Int32) throws {
        let code = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) }
            sqlite3_close_v2(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
        }
        sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // The same small page cache as GRDB's readers: an idle server stays well under 50 MB.
        try run("PRAGMA cache_size = -4000", [])
    }

    func close() {
        for entry in statements.values { sqlite3_finalize(entry.statement) }
        statements = [:]
        sqlite3_close_v2(handle)
        handle = nil
    }

    func run(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        let statement = try bound(sql, arguments).statement
        defer { sqlite3_reset(statement) }
        while try step(statement, sql) {}
        return Int(sqlite3_changes(handle))
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        let (statement, columns) = try bound(sql, arguments)
        defer { sqlite3_reset(statement) }
        var rows: [SQLRow] = []
        while try step(statement, sql) { rows.append(Self.row(statement, columns)) }
        return rows
    }

    func row(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        let (statement, columns) = try bound(sql, arguments)
        defer { sqlite3_reset(statement) }
        return try step(statement, sql) ? Self.row(statement, columns) : nil
    }

    /// A snapshot writes nothing, so there is nothing to undo.
    func savepoint<T>(_ body: () throws -> T) throws -> T { try body() }

    /// True while the statement has a row to read.
    private func step(_ statement: OpaquePointer, _ sql: String) throws -> Bool {
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
    }

    private func bound(_ sql: String, _ arguments: SQLArguments) throws -> (statement: OpaquePointer, columns: [String]) {
        let entry = try statements[sql] ?? prepare(sql)
        let statement = entry.statement
        sqlite3_clear_bindings(statement)
        precondition(arguments.count == Int(sqlite3_bind_parameter_count(statement)), "arguments of \(sql)")
        for (offset, argument) in arguments.enumerated() {
            let code = SQLiteBinding.bind(argument?.sqlValue ?? .null, to: statement, at: CInt(offset + 1))
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
            }
        }
        return entry
    }

    private func prepare(_ sql: String) throws -> (statement: OpaquePointer, columns: [String]) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
        }
        let columns = (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
        statements[sql] = (statement, columns)
        return (statement, columns)
    }

    private static func row(_ statement: OpaquePointer, _ columns: [String]) -> SQLRow {
        SQLRow(columns: columns, values: (0..<CInt(columns.count)).map { index in
            switch sqlite3_column_type(statement, index) {
            case SQLITE_INTEGER: .integer(sqlite3_column_int64(statement, index))
            case SQLITE_TEXT:
                .text(String(decoding: UnsafeBufferPointer(
                    start: sqlite3_column_text(statement, index), count: Int(sqlite3_column_bytes(statement, index))), as: UTF8.self))
            case SQLITE_BLOB:
                .bytes(Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(statement, index), count: Int(sqlite3_column_bytes(statement, index)))))
            // The schema stores no floating point; a REAL can only come from an expression like AVG.
            case SQLITE_FLOAT: .integer(Int64(sqlite3_column_double(statement, index)))
            default: .null
            }
        })
    }
}

/// Binding a value through SQLite's own calls, shared by the writer's GRDB connection and the readers.
enum SQLiteBinding {
    /// Binds `value` to the `index`-th (from 1) parameter; SQLite's result code.
    static func bind(_ value: SQLValue, to statement: OpaquePointer, at index: CInt) -> CInt {
        switch value {
        case .null: sqlite3_bind_null(statement, index)
        case .integer(let value): sqlite3_bind_int64(statement, index, value)
        case .text(let value): sqlite3_bind_text(statement, index, value, CInt(value.utf8.count), transient)
        // A null pointer would bind NULL, not an empty blob.
        case .bytes(let value) where value.isEmpty: sqlite3_bind_zeroblob(statement, index, 0)
        case .bytes(let value): value.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, CInt($0.count), transient) }
        }
    }

    /// SQLite copies a value bound with this destructor.
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
