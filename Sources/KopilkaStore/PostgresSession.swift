import Foundation
import Logging
import NIOCore
import PostgresNIO
import Synchronization

/// One PostgreSQL connection seen through `SQLConnection`, used by one thread at a time.
///
/// Each statement is prepared once per connection (a named server-side statement, `?` placeholders numbered) and then
/// executed with binary parameters: one round trip, the plan kept by the server. postgres-nio's prepared statements
/// return rows but not the command tag, so a statement whose changed rows are counted runs with `RETURNING 1`.
final class PostgresSession: SQLConnection, @unchecked Sendable {
    let connection: PostgresConnection
    private let logger: Logger
    /// Prepared statements by SQL text, on this connection.
    private var prepared: [String: PreparedQuery] = [:]
    private var savepoints = 0
    /// Set by the backend while the session runs a read-only snapshot.
    var isSnapshot = false
    /// Closed by the backend and never used again (`discard()`).
    private(set) var isDiscarded = false

    init(_ connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs one statement without arguments and without preparing it (transaction control, DDL).
    func execute(_ sql: String) throws {
        _ = try Self.reporting(sql) { try connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).wait() }
    }

    /// Runs a script of statements that each end with `;` at the end of a line (the migrations).
    func executeScript(_ script: String) throws {
        for statement in script.components(separatedBy: ";\n") {
            let code = statement.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }
            if code.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            try execute(statement)
        }
    }

    /// Closes the connection (the server then ends its session, releasing its locks) and keeps it out of the pool.
    func discard() {
        isDiscarded = true
        let connection = connection
        // postgres-nio asserts that a connection is closed before it is released: keep it until then.
        connection.close().whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Ends the transaction, ignoring a connection that is already gone.
    func rollback() {
        savepoints = 0
        try? execute("ROLLBACK")
    }

    func run(_ sql: String, _ arguments: SQLArguments) throws -> Int {
        try query(sql, arguments, counting: true).count
    }

    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow] {
        let rows = try query(sql, arguments)
        guard let first = rows.first else { return [] }
        let columns = first.map(\.columnName)
        return try Self.reporting(sql) { try rows.map { row in SQLRow(columns: columns, values: try row.map(Self.value)) } }
    }

    func row(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow? {
        try rows(sql, arguments).first
    }

    func savepoint<T>(_ body: () throws -> T) throws -> T {
        savepoints += 1
        let name = "s\(savepoints)"
        defer { savepoints -= 1 }
        try execute("SAVEPOINT \(name)")
        do {
            let value = try body()
            try execute("RELEASE SAVEPOINT \(name)")
            return value
        } catch {
            try execute("ROLLBACK TO SAVEPOINT \(name)")
            throw error
        }
    }

    /// Reads and updates with more arguments than this (long `IN` lists) are planned for their arguments each time, not
    /// prepared: a plan kept from when a table was small stays a sequential scan as it grows (a check of 1,000 cards
    /// against 40,000 customers took 500 ms prepared and a few unprepared, registering customers in lists). Inserts,
    /// whose plan reads no table, stay prepared (parsed once however many rows they carry).
    static let preparedArgumentLimit = 64

    /// Runs a prepared statement; `counting` adds `RETURNING 1`, one row per row changed.
    private func query(_ sql: String, _ arguments: SQLArguments, counting: Bool = false) throws -> [PostgresRow] {
        try Self.reporting(sql) {
            let text = counting ? sql + " RETURNING 1" : sql
            let planEachTime = arguments.count > Self.preparedArgumentLimit && !sql.hasPrefix("INSERT")
            let statement = planEachTime ? nil : try prepared[text] ?? prepare(text, logged: sql)
            let binds = arguments.map { argument -> PostgresData in
                switch argument?.sqlValue ?? .null {
                case .null: .null
                case .integer(let value): PostgresData(int64: value)
                case .text(let value): PostgresData(string: value)
                case .bytes(let value): PostgresData(bytes: value)
                }
            }
            guard let statement else {
                StatementLog.record(sql)
                return try connection.query(Self.numbered(text), binds).wait().rows
            }
            return try statement.execute(binds).wait()
        }
    }

    private func prepare(_ sql: String, logged: String) throws -> PreparedQuery {
        let statement = try connection.prepare(query: Self.numbered(sql)).wait()
        prepared[sql] = statement
        StatementLog.record(logged)
        return statement
    }

    /// Runs `body`, turning postgres-nio's error (which hides everything) into one that names the SQLSTATE, the server's
    /// message and the statement (never its arguments, which may be personal data).
    private static func reporting<T>(_ sql: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PSQLError {
            throw PostgresFailure(
                sqlState: error.serverInfo?[.sqlState], message: error.serverInfo?[.message] ?? "\(error.code)", statement: sql)
        } catch let error as PostgresError {
            // The older API behind prepared statements reports this way.
            switch error {
            case .server(let message):
                throw PostgresFailure(sqlState: message.fields[.sqlState], message: message.fields[.message] ?? "\(message)", statement: sql)
            case .protocol, .connectionClosed:
                throw PostgresFailure(sqlState: nil, message: "\(error)", statement: sql)
            }
        } catch let error as PostgresDecodingError {
            throw PostgresFailure(sqlState: nil, message: "cannot decode column \(error.columnName) of type \(error.postgresType) (\(error.postgresFormat)) as \(error.targetType)", statement: sql)
        }
    }

    /// `?` placeholders as PostgreSQL's `$1, $2, …`; `?N` (SQLite's numbered form) as `$N`.
    static func numbered(_ sql: String) -> String {
        var result = ""
        var next = 0
        var characters = sql[...]
        while let character = characters.popFirst() {
            guard character == "?" else {
                result.append(character)
                continue
            }
            let digits = characters.prefix { $0.isASCII && $0.isNumber }
            if digits.isEmpty {
                next += 1
                result += "$\(next)"
            } else {
                result += "$\(digits)"
                characters = characters.dropFirst(digits.count)
            }
        }
        return result
    }

    /// A cell as the store reads it, from PostgreSQL's binary format (what postgres-nio asks for, whatever
    /// `cell.format` says: a prepared statement's description reports text).
    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard var bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int8: if let value = bytes.readInteger(as: Int64.self) { return .integer(value) }
        case .int4: if let value = bytes.readInteger(as: Int32.self) { return .integer(Int64(value)) }
        case .int2: if let value = bytes.readInteger(as: Int16.self) { return .integer(Int64(value)) }
        case .bool: if let value = bytes.readInteger(as: UInt8.self) { return .integer(value == 0 ? 0 : 1) }
        case .numeric: if let value = wholeNumeric(&bytes) { return .integer(value) }
        case .bytea: return .bytes(Array(buffer: bytes))
        default: if let text = bytes.readString(length: bytes.readableBytes) { return .text(text) }
        }
        throw SQLTypeMismatch(expected: "\(cell.dataType) of column \(cell.columnName)", found: .bytes(Array(buffer: cell.bytes!)))
    }

    /// A binary NUMERIC that holds a whole number (SUM over BIGINT is NUMERIC in PostgreSQL; the store's sums are whole
    /// hundredths): base-10,000 digits, the first with weight `weight`.
    private static func wholeNumeric(_ bytes: inout ByteBuffer) -> Int64? {
        guard let count = bytes.readInteger(as: Int16.self), let weight = bytes.readInteger(as: Int16.self),
            let sign = bytes.readInteger(as: UInt16.self), bytes.readInteger(as: Int16.self) != nil
        else { return nil }
        var value: Int64 = 0
        for index in 0..<Int(count) {
            guard let digit = bytes.readInteger(as: Int16.self), index <= Int(weight) else { return nil }
            value = value * 10_000 + Int64(digit)
        }
        if count > 0 { for _ in 0..<max(0, Int(weight) + 1 - Int(count)) { value *= 10_000 } }
        return sign == 0x4000 ? -value : value
    }
}

/// A statement PostgreSQL refused, or a connection that failed (no `sqlState`).
public struct PostgresFailure: Error, CustomStringConvertible {
    public let sqlState: String?
    public let message: String
    public let statement: String

    public var description: String { "PostgreSQL \(sqlState ?? "connection"): \(message) in \(statement)" }

    /// Whether a failed write should be tried again: a write conflict, a deadlock, or a unique key taken by a
    /// transaction that committed meanwhile (the retry's reads then see that row and answer as one process would).
    var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" || sqlState == "23505" }
}

/// The distinct SQL statements this process has prepared on PostgreSQL, for the test that every query names its merchant.
public enum StatementLog {
    private static let statements = Mutex<Set<String>>([])

    static func record(_ sql: String) {
        statements.withLock { _ = $0.insert(sql) }
    }

    /// Every statement prepared so far.
    public static var all: Set<String> { statements.withLock { $0 } }
}
