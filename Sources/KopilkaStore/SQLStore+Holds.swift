import Foundation
import KopilkaCore

/// An online order's hold to place (validated).
public struct HoldCommand: Sendable, Equatable {
    public var storeId: Int64
    public var registerId: Int64?
    public var customer: CustomerKey
    /// The shop's order number, unique within the store.
    public var externalId: String
    public var lines: [ReceiptLine]
    public var redeem: RedeemRequest
    /// Overrides the program's hold lifetime, in seconds.
    public var ttlSeconds: Int?
    /// The code sent to the customer's phone, when the program asks to confirm spending.
    public var confirmationCode: String?

    public init(
        storeId: Int64, registerId: Int64?, customer: CustomerKey, externalId: String, lines: [ReceiptLine], redeem: RedeemRequest,
        ttlSeconds: Int?, confirmationCode: String? = nil
    ) {
        self.confirmationCode = confirmationCode
        self.storeId = storeId
        self.registerId = registerId
        self.customer = customer
        self.externalId = externalId
        self.lines = lines
        self.redeem = redeem
        self.ttlSeconds = ttlSeconds
    }
}

/// What a hold keeps for its confirmation: the order as calculated when the points were reserved.
struct HeldOrder: Codable, Sendable {
    var lines: [ReceiptLine]
    var calculation: ReceiptCalculation
    var programVersion: Int64
    var restoreExpiresAt: UnixSeconds?
    var takes: [HeldTake]

    struct HeldTake: Codable, Sendable {
        var lotId: Int64
        var points: Points
    }
}

extension SQLStore {
    /// The hold, or nil. One held past its expiry reads `expired` at once: its points count as released from that
    /// moment, before maintenance writes it so.
    public func hold(merchantId: Int64, holdId: Int64, now: UnixSeconds) async throws -> HoldView? {
        try await backend.read { db in try Self.holdView(db, merchantId: merchantId, holdId: holdId, now: now) }
    }

    static func holdView(_ db: any SQLConnection, merchantId: Int64, holdId: Int64, now: UnixSeconds) throws -> HoldView? {
        try db.row("SELECT * FROM holds WHERE merchant_id = ? AND id = ?", [merchantId, holdId]).map {
            let expiresAt: UnixSeconds = $0["expires_at"]
            return HoldView(
                id: String(holdId), externalId: $0["external_id"], storeId: String($0["store_id"] as Int64),
                customerId: String($0["customer_id"] as Int64),
                status: HoldDecision.closedStatus(status: $0["status"], expiresAt: expiresAt, now: now) ?? "held", points: $0["points"],
                expiresAt: Instant(expiresAt), receiptId: idString($0["receipt_id"]), createdAt: Instant($0["created_at"]))
        }
    }
}
