import Foundation

/// A value as both databases store it: the store uses 64-bit integers (money in hundredths, times in
/// seconds, flags as 0/1), text and bytes, nothing else.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case text(String)
    case bytes([UInt8])
}

/// What can be bound to a statement's `?`.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Data: SQLBindable { public var sqlValue: SQLValue { .bytes(Array(self)) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }

/// Arguments for a statement, in the order of its placeholders; `nil` binds NULL.
public typealias SQLArguments = [(any SQLBindable)?]

/// What a column can be read as.
public protocol SQLDecodable {
    init(sqlValue: SQLValue) throws
}

/// A column held something the reader did not expect: a bug or a foreign schema, never a client's mistake.
public struct SQLTypeMismatch: Error, CustomStringConvertible {
    public let expected: String
    public let found: SQLValue
    public var description: String { "expected \(expected), found \(found)" }
}

extension Int64: SQLDecodable {
    public init(sqlValue: SQLValue) throws {
        guard case .integer(let value) = sqlValue else { throw SQLTypeMismatch(expected: "integer", found: sqlValue) }
        self = value
    }
}

extension Int: SQLDecodable {
    public init(sqlValue: SQLValue) throws { self = Int(try Int64(sqlValue: sqlValue)) }
}

extension Bool: SQLDecodable {
    public init(sqlValue: SQLValue) throws { self = try Int64(sqlValue: sqlValue) != 0 }
}

extension String: SQLDecodable {
    public init(sqlValue: SQLValue) throws {
        guard case .text(let value) = sqlValue else { throw SQLTypeMismatch(expected: "text", found: sqlValue) }
        self = value
    }
}

extension Data: SQLDecodable {
    public init(sqlValue: SQLValue) throws {
        guard case .bytes(let value) = sqlValue else { throw SQLTypeMismatch(expected: "bytes", found: sqlValue) }
        self = Data(value)
    }
}

extension Optional: SQLDecodable where Wrapped: SQLDecodable {
    public init(sqlValue: SQLValue) throws {
        self = sqlValue == .null ? nil : try Wrapped(sqlValue: sqlValue)
    }
}

/// One row of a result, read by column name.
public struct SQLRow: Sendable {
    /// Column names, in the order of `values` (shared by every row of a result).
    public let columns: [String]
    public let values: [SQLValue]

    public init(columns: [String], values: [SQLValue]) {
        self.columns = columns
        self.values = values
    }

    /// The raw value of a column; `.null` when the row has no such column.
    public func value(_ column: String) -> SQLValue {
        guard let index = columns.firstIndex(of: column) else { return .null }
        return values[index]
    }

    /// The column's value as `T`. A missing column or a value of another type is a programming error.
    public subscript<T: SQLDecodable>(_ column: String) -> T {
        do {
            return try T(sqlValue: value(column))
        } catch {
            preconditionFailure("column \(column): \(error)")
        }
    }
}

/// A connection inside a transaction (or a read snapshot), on either database. Statements use `?` placeholders;
/// the PostgreSQL side numbers them and prepares each statement once per connection.
public protocol SQLConnection: AnyObject {
    /// Runs a statement; returns how many rows it changed.
    @discardableResult
    func run(_ sql: String, _ arguments: SQLArguments) throws -> Int
    /// The rows of a query.
    func rows(_ sql: String, _ arguments: SQLArguments) throws -> [SQLRow]
    /// The first row of a query, or nil.
    func row(_ sql: String, _ arguments: SQLArguments) throws -> SQLRow?
    /// Runs `body` in a savepoint: if it throws, what it wrote is undone and the error goes on.
    func savepoint<T>(_ body: () throws -> T) throws -> T
    /// True in a read snapshot, which sees committed data only (what it reads may be cached across requests).
    var isSnapshot: Bool { get }
}

extension SQLConnection {
    /// The first column of every row.
    public func column<T: SQLDecodable>(_ sql: String, _ arguments: SQLArguments, as type: T.Type = T.self) throws -> [T] {
        try rows(sql, arguments).map { try T(sqlValue: $0.values[0]) }
    }
}

extension Array {
    /// The array in consecutive slices of `size` elements (the last may be shorter): rows for multi-row statements,
    /// within the databases' limits on arguments per statement.
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// Placeholders for statements whose length varies: `?, ?, ?` for an `IN` list, `(?, ?), (?, ?)` for a multi-row insert.
enum Placeholders {
    static func list(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    static func rows(_ count: Int, columns: Int) -> String {
        Array(repeating: "(" + list(columns) + ")", count: count).joined(separator: ", ")
    }
}
