import Foundation
import KopilkaCore

/// What the receipt journal is searched by; every part optional.
public struct ReceiptQuery: Sendable, Equatable {
    /// Receipts made at or after `from` and before `until` (seconds).
    public var from: UnixSeconds?
    public var until: UnixSeconds?
    public var storeId: Int64?
    public var registerId: Int64?
    public var customer: CustomerKey?
    /// The receipt's number as the till sent it (`externalId`), exactly.
    public var number: String?
    /// The sum paid in money after discounts and points, exactly.
    public var payable: Kopecks?
    /// The page before this receipt id (newest first).
    public var before: Int64?
    public var limit: Int

    public init(
        from: UnixSeconds? = nil, until: UnixSeconds? = nil, storeId: Int64? = nil, registerId: Int64? = nil, customer: CustomerKey? = nil,
        number: String? = nil, payable: Kopecks? = nil, before: Int64? = nil, limit: Int = 50
    ) {
        (self.from, self.until, self.storeId, self.registerId, self.customer) = (from, until, storeId, registerId, customer)
        (self.number, self.payable, self.before, self.limit) = (number, payable, before, limit)
    }
}

/// A receipt as a line of the journal.
public struct JournalReceipt: Codable, Sendable, Equatable {
    public var id: String
    public var externalId: String
    public var storeId: String
    public var registerId: String?
    public var customerId: String?
    public var card: String?
    public var amount: Kopecks
    public var payable: Kopecks
    public var earnedPoints: Points
    public var redeemedPoints: Points
    /// Money given back by returns so far.
    public var refundedKopecks: Kopecks
    public var returnedInFull: Bool
    public var createdAt: Instant
}

/// A page of the journal, newest first.
public struct JournalPage: Codable, Sendable, Equatable {
    public var receipts: [JournalReceipt]
    /// Pass as `before` for the next (older) page; nil on the last.
    public var nextBefore: String?
}

/// A return of a receipt, as the cashier's screen says it: the money to give back and the points.
public struct ReturnSummary: Codable, Sendable, Equatable {
    public var id: String
    public var refundKopecks: Kopecks
    /// Points the receipt had earned, taken back.
    public var reversedPoints: Points
    /// Points the receipt had spent, given back.
    public var restoredPoints: Points
    /// Points that could not be taken back (the customer had spent them).
    public var unrecoveredPoints: Points
    public var createdAt: Instant
}

extension SQLStore {
    /// Receipts newest first, filtered as `query` says: the journal a shop finds a receipt in, to look at or return it.
    public func receiptJournal(merchantId: Int64, _ query: ReceiptQuery) async throws -> JournalPage {
        try await backend.read { db in
            var conditions = ["r.merchant_id = ?", "r.id < ?"]
            var arguments: SQLArguments = [merchantId, query.before ?? Int64.max]
            func add(_ condition: String, _ value: (any SQLBindable)?) {
                guard let value else { return }
                conditions.append(condition)
                arguments.append(value)
            }
            add("r.created_at >= ?", query.from)
            add("r.created_at < ?", query.until)
            add("r.store_id = ?", query.storeId)
            add("r.register_id = ?", query.registerId)
            add("r.external_id = ?", query.number)
            add("r.payable = ?", query.payable)
            if let customer = query.customer {
                // Unknown to the merchant: no receipts, not all of them.
                add("r.customer_id = ?", try Self.customerId(db, merchantId: merchantId, key: customer) ?? -1)
            }
            let rows = try db.rows(
                """
                SELECT r.id, r.external_id, r.store_id, r.register_id, r.customer_id, c.card, r.amount, r.payable, r.earned_points,
                       r.redeemed_points, r.refunded_kopecks, r.returned_in_full, r.created_at
                FROM receipts r LEFT JOIN customers c ON c.merchant_id = r.merchant_id AND c.id = r.customer_id
                WHERE \(conditions.joined(separator: " AND ")) ORDER BY r.id DESC LIMIT ?
                """, arguments + [Int64(query.limit + 1)])
            let receipts = rows.prefix(query.limit).map { row in
                JournalReceipt(
                    id: String(row["id"] as Int64), externalId: row["external_id"], storeId: String(row["store_id"] as Int64),
                    registerId: idString(row["register_id"]), customerId: idString(row["customer_id"]), card: row["card"], amount: row["amount"],
                    payable: row["payable"], earnedPoints: row["earned_points"], redeemedPoints: row["redeemed_points"],
                    refundedKopecks: row["refunded_kopecks"], returnedInFull: (row["returned_in_full"] as Int64) != 0,
                    createdAt: Instant(row["created_at"]))
            }
            return JournalPage(receipts: Array(receipts), nextBefore: rows.count > query.limit ? receipts.last?.id : nil)
        }
    }

    /// The receipt's returns, oldest first.
    public func returns(merchantId: Int64, receiptId: Int64) async throws -> [ReturnSummary] {
        try await backend.read { db in
            try db.rows(
                """
                SELECT id, refund_kopecks, reversed_points, restored_points, unrecovered_points, created_at FROM returns
                WHERE merchant_id = ? AND receipt_id = ? ORDER BY id
                """, [merchantId, receiptId]
            ).map { row in
                ReturnSummary(
                    id: String(row["id"] as Int64), refundKopecks: row["refund_kopecks"], reversedPoints: row["reversed_points"],
                    restoredPoints: row["restored_points"], unrecoveredPoints: row["unrecovered_points"], createdAt: Instant(row["created_at"]))
            }
        }
    }
}
