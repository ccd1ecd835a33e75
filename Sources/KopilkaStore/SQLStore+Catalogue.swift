import Foundation
import KopilkaCore

/// A category or SKU as the merchant's tills send it, with the owner's name for it.
public struct CatalogueItem: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case category, sku }
    public var kind: Kind
    /// As the tills send it (`coffee`, `CAP-350`).
    public var code: String
    /// The owner's name for it («Кофе»), when given.
    public var name: String?
    /// A SKU's name and category on the last receipt that had it.
    public var tillName: String?
    public var category: String?
    /// Receipt lines with it so far, and when the last was.
    public var lines: Int64
    public var lastSeen: Instant

    public init(kind: Kind, code: String, name: String?, tillName: String?, category: String?, lines: Int64, lastSeen: Instant) {
        (self.kind, self.code, self.name, self.tillName, self.category, self.lines, self.lastSeen) = (kind, code, name, tillName, category, lines, lastSeen)
    }
}

extension SQLStore {
    /// Folds the categories and SKUs of the receipts with ids in `range` (merchant, from, below) into the catalogue, in
    /// the analytics fold's transaction: learnt from every receipt once, off the till's path.
    func foldCatalogue(_ db: any SQLConnection, merchantId: Int64, range: SQLArguments) throws {
        var seen: [String: (kind: String, code: String, tillName: String?, category: String?, lines: Int64, last: Int64)] = [:]
        for row in try db.rows(
            """
            SELECT l.sku, l.name, l.category, r.created_at FROM receipt_lines l
            JOIN receipts r ON r.merchant_id = l.merchant_id AND r.id = l.receipt_id
            WHERE l.merchant_id = ? AND l.receipt_id >= ? AND l.receipt_id < ? ORDER BY l.receipt_id, l.line
            """, range)
        {
            let at: Int64 = row["created_at"], sku: String = row["sku"], category: String? = row["category"]
            seen["sku " + sku, default: ("sku", sku, nil, nil, 0, at)].lines += 1
            seen["sku " + sku]!.tillName = row["name"]
            seen["sku " + sku]!.category = category
            seen["sku " + sku]!.last = max(seen["sku " + sku]!.last, at)
            if let category, !category.isEmpty {
                seen["category " + category, default: ("category", category, nil, nil, 0, at)].lines += 1
                seen["category " + category]!.last = max(seen["category " + category]!.last, at)
            }
        }
        for item in seen.values {
            try db.run(
                """
                INSERT INTO catalogue (merchant_id, kind, code, till_name, category, lines, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (merchant_id, kind, code) DO UPDATE SET
                    lines = catalogue.lines + excluded.lines, till_name = excluded.till_name, category = excluded.category,
                    last_seen = CASE WHEN excluded.last_seen > catalogue.last_seen THEN excluded.last_seen ELSE catalogue.last_seen END
                """, [merchantId, item.kind, item.code, item.tillName, item.category, item.lines, item.last])
        }
    }

    /// The merchant's catalogue, or its categories or SKUs only: categories, then SKUs, the most sold first.
    public func catalogue(merchantId: Int64, kind: CatalogueItem.Kind? = nil) async throws -> [CatalogueItem] {
        try await backend.read { db in
            // The primary key leads with the kind: the categories alone do not read the SKUs.
            try db.rows(
                "SELECT * FROM catalogue WHERE merchant_id = ?\(kind == nil ? "" : " AND kind = ?") ORDER BY kind, lines DESC, code LIMIT 10000",
                [merchantId] + (kind.map { [$0.rawValue] } ?? [])
            ).map { row in
                CatalogueItem(
                    kind: CatalogueItem.Kind(rawValue: row["kind"]) ?? .sku, code: row["code"], name: row["name"], tillName: row["till_name"],
                    category: row["category"], lines: row["lines"], lastSeen: Instant(row["last_seen"]))
            }
        }
    }

    /// Gives a category or SKU the owner's name (empty: none); false when the tills never sent it. Audited.
    public func nameCatalogueItem(
        merchantId: Int64, kind: CatalogueItem.Kind, code: String, name: String, actor: AuditActor, now: UnixSeconds
    ) async throws -> Bool {
        try await backend.write { db in
            let named = name.isEmpty ? nil : name
            guard try db.run(
                "UPDATE catalogue SET name = ? WHERE merchant_id = ? AND kind = ? AND code = ?", [named, merchantId, kind.rawValue, code]) == 1
            else { return false }
            try self.audit(
                db, merchantId: merchantId, actor: actor, "catalogue.name", subject: "\(kind.rawValue):\(code)", after: ["name": named ?? ""], now: now)
            return true
        }
    }
}
