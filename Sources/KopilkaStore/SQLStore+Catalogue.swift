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
    /// Receipt lines with it so far, and when the last was (0: the owner added it and it has not been sold yet).
    public var lines: Int64
    public var lastSeen: Instant
    /// A SKU's unit price on the last receipt that had it, and the owner's price for it.
    public var tillPrice: Kopecks?
    public var price: Kopecks?

    public init(
        kind: Kind, code: String, name: String?, tillName: String?, category: String?, lines: Int64, lastSeen: Instant,
        tillPrice: Kopecks? = nil, price: Kopecks? = nil
    ) {
        (self.kind, self.code, self.name, self.tillName, self.category, self.lines, self.lastSeen) = (kind, code, name, tillName, category, lines, lastSeen)
        (self.tillPrice, self.price) = (tillPrice, price)
    }

    /// What the web cashier offers it for: the owner's price, else the last receipt's.
    public var offeredPrice: Kopecks? { price ?? tillPrice }
    /// What a cashier or the owner calls it: the owner's name, else the till's, else the code.
    public var shownName: String { [name, tillName].compactMap { $0 }.first { !$0.isEmpty } ?? code }
}

extension SQLStore {
    /// Folds the categories and SKUs of the receipts with ids in `range` (merchant, from, below) into the catalogue, in
    /// the analytics fold's transaction: learnt from every receipt once, off the till's path.
    func foldCatalogue(_ db: any SQLConnection, merchantId: Int64, range: SQLArguments) throws {
        var seen: [String: (kind: String, code: String, tillName: String?, category: String?, lines: Int64, last: Int64, price: Int64?)] = [:]
        for row in try db.rows(
            """
            SELECT l.sku, l.name, l.category, l.price, r.created_at FROM receipt_lines l
            JOIN receipts r ON r.merchant_id = l.merchant_id AND r.id = l.receipt_id
            WHERE l.merchant_id = ? AND l.receipt_id >= ? AND l.receipt_id < ? ORDER BY l.receipt_id, l.line
            """, range)
        {
            let at: Int64 = row["created_at"], sku: String = row["sku"], category: String? = row["category"]
            seen["sku " + sku, default: ("sku", sku, nil, nil, 0, at, nil)].lines += 1
            seen["sku " + sku]!.tillName = row["name"]
            seen["sku " + sku]!.category = category
            seen["sku " + sku]!.price = row["price"] as Int64
            seen["sku " + sku]!.last = max(seen["sku " + sku]!.last, at)
            if let category, !category.isEmpty {
                seen["category " + category, default: ("category", category, nil, nil, 0, at, nil)].lines += 1
                seen["category " + category]!.last = max(seen["category " + category]!.last, at)
            }
        }
        for item in seen.values {
            try db.run(
                """
                INSERT INTO catalogue (merchant_id, kind, code, till_name, category, lines, last_seen, till_price) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (merchant_id, kind, code) DO UPDATE SET
                    lines = catalogue.lines + excluded.lines, till_name = excluded.till_name,
                    category = COALESCE(excluded.category, catalogue.category), till_price = COALESCE(excluded.till_price, catalogue.till_price),
                    last_seen = CASE WHEN excluded.last_seen > catalogue.last_seen THEN excluded.last_seen ELSE catalogue.last_seen END
                """, [merchantId, item.kind, item.code, item.tillName, item.category, item.lines, item.last, item.price])
        }
    }

    /// The merchant's catalogue, or its categories or SKUs only: categories, then SKUs, the most sold first; `limit` of them.
    public func catalogue(merchantId: Int64, kind: CatalogueItem.Kind? = nil, limit: Int = 10_000) async throws -> [CatalogueItem] {
        try await backend.read { db in
            // The primary key leads with the kind: the categories alone do not read the SKUs.
            try db.rows(
                "SELECT * FROM catalogue WHERE merchant_id = ?\(kind == nil ? "" : " AND kind = ?") ORDER BY kind, lines DESC, code LIMIT \(max(0, limit))",
                [merchantId] + (kind.map { [$0.rawValue] } ?? [])
            ).map { row in
                CatalogueItem(
                    kind: CatalogueItem.Kind(rawValue: row["kind"]) ?? .sku, code: row["code"], name: row["name"], tillName: row["till_name"],
                    category: row["category"], lines: row["lines"], lastSeen: Instant(row["last_seen"]), tillPrice: row["till_price"],
                    price: row["price"])
            }
        }
    }

    /// Gives a category or SKU the owner's name (empty: none) and a SKU the owner's price (nil: the last receipt's);
    /// false when the catalogue has no such item. Audited.
    public func editCatalogueItem(
        merchantId: Int64, kind: CatalogueItem.Kind, code: String, name: String, price: Kopecks? = nil, actor: AuditActor, now: UnixSeconds
    ) async throws -> Bool {
        try await backend.write { db in
            let named = name.isEmpty ? nil : name, priced = kind == .sku ? price : nil
            guard try db.run(
                "UPDATE catalogue SET name = ?, price = ? WHERE merchant_id = ? AND kind = ? AND code = ?",
                [named, priced, merchantId, kind.rawValue, code]) == 1
            else { return false }
            var after = ["name": named ?? ""]
            if let priced { after["price"] = String(priced) }
            try self.audit(db, merchantId: merchantId, actor: actor, "catalogue.edit", subject: "\(kind.rawValue):\(code)", after: after, now: now)
            return true
        }
    }

    /// Adds a SKU the tills have not sent yet, with its name, category and price, for the web cashier to offer (its
    /// category joins the catalogue too); false when the code is taken. Audited.
    public func addCatalogueItem(
        merchantId: Int64, code: String, name: String, category: String?, price: Kopecks, actor: AuditActor, now: UnixSeconds
    ) async throws -> Bool {
        try await backend.write { db in
            guard try db.run(
                """
                INSERT INTO catalogue (merchant_id, kind, code, name, category, lines, last_seen, price) VALUES (?, 'sku', ?, ?, ?, 0, 0, ?)
                ON CONFLICT (merchant_id, kind, code) DO NOTHING
                """, [merchantId, code, name, category, price]) == 1
            else { return false }
            if let category {
                try db.run(
                    """
                    INSERT INTO catalogue (merchant_id, kind, code, lines, last_seen) VALUES (?, 'category', ?, 0, 0)
                    ON CONFLICT (merchant_id, kind, code) DO NOTHING
                    """, [merchantId, category])
            }
            try self.audit(
                db, merchantId: merchantId, actor: actor, "catalogue.add", subject: "sku:\(code)",
                after: ["name": name, "category": category ?? "", "price": String(price)], now: now)
            return true
        }
    }
}
