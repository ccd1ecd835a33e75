import Foundation
import KopilkaCore

/// A lot that still holds points, as the customer's card in the console shows it.
public struct OpenLot: Codable, Sendable, Equatable {
    public var id: String
    public var earned: Points
    public var remaining: Points
    public var activatesAt: Instant
    /// Nil: the points never expire.
    public var expiresAt: Instant?
}

extension SQLStore {
    /// Customers for a search as staff type it: a phone or a card number finds that customer, other text customers
    /// whose name starts with it (at most `limit`, by name).
    public func findCustomers(merchantId: Int64, query: String, limit: Int, now: UnixSeconds) async throws -> [CustomerSummary] {
        let text = query.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return [] }
        let digits = text.filter(\.isNumber)
        return try await backend.read { db in
            var keys: [CustomerKey] = []
            if digits.count == 13, CardNumber.isValid(digits) { keys.append(.card(digits)) }
            if let phone = Phone.normalize(text) { keys.append(.phone(phone)) }
            if keys.isEmpty {
                keys = try db.column(
                    "SELECT id FROM customers WHERE merchant_id = ? AND name LIKE ? ORDER BY name, id LIMIT ?",
                    [merchantId, text.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%", limit],
                    as: Int64.self
                ).map(CustomerKey.id)
            }
            return try keys.compactMap { try self.summary(db, merchantId: merchantId, key: $0, now: now) }
        }
    }

    /// The customer's lots that still hold points, soonest to expire first (never-expiring last).
    public func openLots(merchantId: Int64, customerId: Int64) async throws -> [OpenLot] {
        try await backend.read { db in
            try db.rows(
                """
                SELECT id, earned, remaining, activates_at, expires_at FROM lots
                WHERE merchant_id = ? AND customer_id = ? AND remaining > 0
                ORDER BY CASE WHEN expires_at IS NULL THEN 1 ELSE 0 END, expires_at, id
                """, [merchantId, customerId]
            ).map {
                OpenLot(
                    id: String($0["id"] as Int64), earned: $0["earned"], remaining: $0["remaining"], activatesAt: Instant($0["activates_at"]),
                    expiresAt: ($0["expires_at"] as Int64?).map(Instant.init))
            }
        }
    }

    /// The program's latest versions, newest first, each with its rules as they were.
    public func programVersions(merchantId: Int64, limit: Int) async throws -> [ProgramView] {
        try await backend.read { db in
            try db.rows(
                "SELECT version, rules, created_at FROM program_versions WHERE merchant_id = ? ORDER BY version DESC LIMIT ?", [merchantId, limit]
            ).map {
                ProgramView(
                    version: $0["version"], rules: try JSONDecoder().decode(ProgramRules.self, from: Data(($0["rules"] as String).utf8)),
                    updatedAt: Instant($0["created_at"]))
            }
        }
    }

    /// The merchant's time zone for reports and pages: its first store's (UTC before it has one).
    public func timeZone(merchantId: Int64) async throws -> String {
        try await backend.read { db in try self.reportingZone(db, merchantId: merchantId).identifier }
    }
}
