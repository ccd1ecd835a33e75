import Foundation
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Values bound through SQLite's own calls (`SQLiteConnection.bound`) come back unchanged: text by its byte count
/// (an embedded NUL included), an empty blob as a blob and not NULL, the extremes of 64-bit integers.
@Suite struct SQLBindingTests {
    static let values: [SQLValue] = [
        .integer(Int64.min), .integer(0), .integer(Int64.max), .text(""), .text("Капучино «большой» ☕"), .bytes([]), .bytes([0, 255, 7]), .null,
    ]

    @Test func valuesComeBackAsBound() async throws {
        let f = try await StoreFixture(.sqlite)
        let read = try await f.store.backend.write { db in
            try Self.values.map { value in try #require(try db.row("SELECT ? AS v", [value])).value("v") }
        }
        #expect(read == Self.values)
        // Reading text stops at a NUL (GRDB reads a C string), so the stored length tells what was bound.
        let length = try await f.store.backend.write { db in
            try #require(try db.row("SELECT length(CAST(? AS BLOB)) AS n", [SQLValue.text("a\u{0}b")])).value("n")
        }
        #expect(length == .integer(3))
    }

    @Test func anEmptyBlobFillsANotNullColumn() async throws {
        let f = try await StoreFixture(.sqlite)
        let body = try await f.store.backend.write { db in
            _ = try db.run(
                "INSERT INTO idempotency_keys (merchant_id, key, request_hash, status, body, created_at) VALUES (?, ?, ?, 204, ?, 0)",
                [f.merchantId, "empty", SQLValue.bytes([1]), SQLValue.bytes([])])
            return try #require(try db.row("SELECT body FROM idempotency_keys WHERE merchant_id = ? AND key = ?", [f.merchantId, "empty"]))
                .value("body")
        }
        #expect(body == .bytes([]))
    }
}
