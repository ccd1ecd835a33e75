import Foundation

/// What an export or an import moved.
public struct TransferReport: Sendable, Equatable {
    /// The merchants moved.
    public var merchants: [Int64] = []
    /// Rows per table.
    public var rows: [String: Int] = [:]
    public var totalRows: Int { rows.values.reduce(0, +) }
}

/// Why an import was refused; nothing was written.
public struct TransferError: Error, CustomStringConvertible {
    public let description: String
}

/// Moving merchants between databases (SQLite ⇄ PostgreSQL) as a file of JSON lines: a header, then for each table its
/// columns and one JSON array per row (bytes as `{"base64": …}`), then an end line with the row count, so a truncated
/// file is refused. Exported from one snapshot; imported in one transaction.
extension SQLStore {
    /// Every table that holds a merchant's data, parents before children.
    static let tenantTables = [
        "merchants", "stores", "registers", "api_keys", "programs", "program_versions", "customers", "lots", "ledger_entries",
        "lot_movements", "receipts", "receipt_lines", "returns", "holds", "idempotency_keys", "code_batches", "codes", "code_uses",
        "receipt_promotions", "promotion_counters", "audit_log", "spend_codes", "fraud_flags", "staff", "stamp_balances", "stamp_entries",
        "referral_rewards", "expiry_reminders", "rule_grants", "rule_counters", "customer_actions", "catalogue", "merchant_logos",
    ]
    /// Tables of a merchant that an export leaves out: the analytics (the next fold rebuilds them from the rows they
    /// count), browser sessions, sign-in and join codes (an imported merchant's staff and customers sign in again).
    static let rebuiltTables = [
        "analytics_state", "daily_sales", "daily_points", "daily_members", "customer_activity", "customer_months", "cohorts", "web_sessions",
        "login_codes", "join_codes",
    ]
    static let transferFormat = "kopilka-export"

    /// Writes the merchants' data (every merchant when `merchantIds` is nil) to `url`.
    public func export(merchantIds: [Int64]?, to url: URL, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws
        -> TransferReport
    {
        let all = try await self.merchantIds()
        let chosen = merchantIds ?? all
        if let missing = chosen.first(where: { !all.contains($0) }) { throw TransferError(description: "no merchant \(missing) in \(location)") }
        let migrations = try await appliedMigrations()
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let file = try? FileHandle(forWritingTo: url) else {
            throw TransferError(description: "cannot write \(url.path)")
        }
        defer { try? file.close() }
        return try await backend.read { db in
            var out = LineWriter(file)
            var report = TransferReport(merchants: chosen)
            try out.write(["format": Self.transferFormat, "version": 1, "migrations": migrations, "merchants": chosen.map(String.init)])
            for table in Self.tenantTables {
                var count = 0
                var columns: [String]?
                for merchantId in chosen {
                    for row in try db.rows("SELECT * FROM \(table) WHERE merchant_id = ?", [merchantId]) {
                        if columns == nil {
                            columns = row.columns
                            try out.write(["table": table, "columns": row.columns])
                        }
                        try out.write(row.values.map(Self.json))
                        count += 1
                    }
                }
                report.rows[table] = count
                progress("\(table): \(count) rows")
            }
            try out.write(["end": true, "rows": report.totalRows])
            try out.flush()
            return report
        }
    }

    /// Reads a file written by `export` into this database, in one transaction. Refused, with nothing written, when a
    /// merchant in it already exists here, when the file's schema is newer than this database's, or when it is cut short.
    public func importData(from url: URL, progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> TransferReport {
        let migrations = Set(try await appliedMigrations())
        let existing = Set(try await merchantIds())
        return try await backend.write { db in
            guard let reader = LineReader(url) else { throw TransferError(description: "cannot read \(url.path)") }
            guard let header = try reader.next() as? [String: Any], header["format"] as? String == Self.transferFormat else {
                throw TransferError(description: "\(url.path) is not a Kopilka export")
            }
            let needed = Set(header["migrations"] as? [String] ?? [])
            guard needed.isSubset(of: migrations) else {
                throw TransferError(description: "the export needs migrations \(needed.subtracting(migrations).sorted()); upgrade this database first")
            }
            var report = TransferReport(merchants: (header["merchants"] as? [String] ?? []).compactMap { Int64($0) })
            for table in Self.tenantTables { report.rows[table] = 0 }
            if let clash = report.merchants.first(where: existing.contains) {
                throw TransferError(description: "merchant \(clash) already exists in \(self.location); nothing was imported")
            }
            var insert: (table: String, sql: String, width: Int)?
            while let line = try reader.next() {
                if let values = line as? [Any] {
                    guard let insert, values.count == insert.width else { throw TransferError(description: "a row before its table's columns") }
                    try db.run(insert.sql, try values.map(Self.value))
                    report.rows[insert.table, default: 0] += 1
                } else if let table = line as? [String: Any], let name = table["table"] as? String, let columns = table["columns"] as? [String] {
                    guard Self.tenantTables.contains(name), columns.allSatisfy({ $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
                        throw TransferError(description: "unknown table \(name)")
                    }
                    if let previous = insert { progress("\(previous.table): \(report.rows[previous.table, default: 0]) rows") }
                    let placeholders = Placeholders.list(columns.count)
                    insert = (name, "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES (\(placeholders))", columns.count)
                } else if let end = line as? [String: Any], end["end"] as? Bool == true {
                    if let previous = insert { progress("\(previous.table): \(report.rows[previous.table, default: 0]) rows") }
                    guard end["rows"] as? Int == report.totalRows else { throw TransferError(description: "the export's row count does not match") }
                    return report
                } else {
                    throw TransferError(description: "an unexpected line in \(url.path)")
                }
            }
            throw TransferError(description: "\(url.path) is cut short (no end line); nothing was imported")
        }
    }

    private static func json(_ value: SQLValue) -> Any {
        switch value {
        case .null: NSNull()
        case .integer(let value): value
        case .text(let value): value
        case .bytes(let value): ["base64": Data(value).base64EncodedString()]
        }
    }

    private static func value(_ json: Any) throws -> SQLValue {
        switch json {
        case is NSNull: return .null
        case let text as String: return .text(text)
        // Ids use all 63 bits: read the number's digits, never through a Double.
        case let number as NSNumber:
            guard let value = Int64(number.stringValue) else { throw TransferError(description: "not an integer: \(number)") }
            return .integer(value)
        case let object as [String: String]:
            guard let base64 = object["base64"], let data = Data(base64Encoded: base64) else { throw TransferError(description: "bad bytes") }
            return .bytes(Array(data))
        default: throw TransferError(description: "an unexpected value \(json)")
        }
    }
}

/// JSON lines to a file, written in 1 MB pieces.
private struct LineWriter {
    let file: FileHandle
    var buffer = Data()

    init(_ file: FileHandle) { self.file = file }

    mutating func write(_ object: Any) throws {
        buffer.append(try JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys]))
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 { try flush() }
    }

    mutating func flush() throws {
        try file.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// JSON lines from a file, read in 1 MB pieces.
private final class LineReader {
    let file: FileHandle
    var buffer = Data()
    var finished = false

    init?(_ url: URL) {
        guard let file = try? FileHandle(forReadingFrom: url) else { return nil }
        self.file = file
    }

    deinit { try? file.close() }

    /// The next line's JSON, or nil at the end.
    func next() throws -> Any? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[buffer.startIndex..<newline]
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.isEmpty { continue }
                return try JSONSerialization.jsonObject(with: line)
            }
            if finished {
                // A last line without its newline.
                if buffer.isEmpty { return nil }
                defer { buffer.removeAll() }
                return try JSONSerialization.jsonObject(with: buffer)
            }
            let chunk = try file.read(upToCount: 1 << 20) ?? Data()
            if chunk.isEmpty { finished = true } else { buffer.append(chunk) }
        }
    }
}
