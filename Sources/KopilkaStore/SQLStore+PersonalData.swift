import Foundation
import KopilkaCore

/// Everything Kopilka holds about one customer, for a data-subject request: profile, consents, groups and the full
/// ledger (oldest first).
public struct CustomerExport: Codable, Sendable, Equatable {
    public var exportedAt: Instant
    public var profile: CustomerProfile
    public var groups: [String]
    public var ledger: [LedgerEntryView]
}

extension SQLStore {
    /// The customer's data as JSON-ready values; the export itself is audited. Nil when there is no such customer.
    public func exportCustomer(merchantId: Int64, customerId: Int64, now: UnixSeconds, actor: AuditActor = .operator) async throws -> CustomerExport? {
        try await backend.write { db -> CustomerExport? in
            guard let profile = try self.customerProfile(db, merchantId: merchantId, customerId: customerId, now: now),
                let groups: String = try db.row("SELECT groups FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])?["groups"]
            else { return nil }
            let ledger = try db.rows(
                """
                SELECT e.*, l.activates_at, l.expires_at FROM ledger_entries e
                LEFT JOIN lots l ON l.merchant_id = e.merchant_id AND l.id = e.lot_id
                WHERE e.merchant_id = ? AND e.customer_id = ? ORDER BY e.id
                """, [merchantId, customerId]
            ).map(LedgerEntryView.init(row:))
            try self.audit(
                db, merchantId: merchantId, actor: actor, "customer.export", subject: "customer:\(customerId)",
                after: ["entries": ledger.count], now: now)
            return CustomerExport(
                exportedAt: Instant(now), profile: profile, groups: groups.split(separator: ",").map(String.init), ledger: ledger)
        }
    }

    /// Erases the customer's personal data: phone, name, email, birthday and consents are removed, the card number
    /// becomes a pseudonym (`erased-<id>`), and stored replies that showed the customer are dropped. The ledger, lots
    /// and receipts stay under the customer's id (which names no one), so every invariant still holds and the
    /// merchant's liability is unchanged. Erasing twice changes nothing more. Nil when there is no such customer.
    public func eraseCustomer(merchantId: Int64, customerId: Int64, now: UnixSeconds, actor: AuditActor = .operator) async throws -> CustomerProfile? {
        try await backend.write { db -> CustomerProfile? in
            guard let row = try db.row("SELECT erased_at FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId]) else {
                return nil
            }
            if row.value("erased_at") == .null {
                try db.run(
                    "DELETE FROM join_codes WHERE merchant_id = ? AND phone = (SELECT phone FROM customers WHERE merchant_id = ? AND id = ?)",
                    [merchantId, merchantId, customerId])
                try db.run(
                    """
                    UPDATE customers SET phone = NULL, card = ?, name = NULL, email = NULL, birthday = NULL, personal_data_consent_at = NULL,
                        marketing_consent = 0, marketing_consent_at = NULL, erased_at = ?
                    WHERE merchant_id = ? AND id = ?
                    """, ["erased-\(customerId)", now, merchantId, customerId])
                try db.run("DELETE FROM spend_codes WHERE merchant_id = ? AND customer_id = ?", [merchantId, customerId])
                // Replies kept for idempotent replays may show the customer's masked phone and name.
                let id = Array("\"\(customerId)\"".utf8)
                for key in try db.rows("SELECT key, body FROM idempotency_keys WHERE merchant_id = ?", [merchantId]) {
                    if Array(key["body"] as Data).firstRange(of: id) != nil {
                        try db.run("DELETE FROM idempotency_keys WHERE merchant_id = ? AND key = ?", [merchantId, key["key"] as String])
                    }
                }
                // The record names the fields, never their values.
                try self.audit(
                    db, merchantId: merchantId, actor: actor, "customer.erase", subject: "customer:\(customerId)",
                    after: ["erased": ["phone", "card", "name", "email", "birthday", "consents"]], now: now)
            }
            return try self.customerProfile(db, merchantId: merchantId, customerId: customerId, now: now)
        }
    }
}
