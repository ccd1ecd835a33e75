import Foundation
import KopilkaCore

/// A receipt to commit, as the till sent it (validated).
public struct ReceiptCommand: Sendable, Equatable {
    public var storeId: Int64
    public var registerId: Int64?
    /// Nil for an anonymous receipt.
    public var customer: CustomerKey?
    /// The fiscal receipt number, unique within the store.
    public var externalId: String
    public var lines: [ReceiptLine]
    public var redeem: RedeemRequest
    /// Sent by a till that was offline: it may only earn.
    public var offline: Bool
    /// Promo codes and coupons presented, as typed.
    public var codes: [String]
    /// The till's cashier (their number or login), for the velocity rule.
    public var cashier: String?
    /// The code sent to the customer's phone, when the program asks to confirm spending.
    public var confirmationCode: String?
    /// How the money part is paid, when the till says (some programs earn nothing on credit or certificates).
    public var payments: [Payment]

    public init(
        storeId: Int64, registerId: Int64?, customer: CustomerKey?, externalId: String, lines: [ReceiptLine], redeem: RedeemRequest,
        offline: Bool = false, codes: [String] = [], cashier: String? = nil, confirmationCode: String? = nil, payments: [Payment] = []
    ) {
        self.payments = payments
        self.codes = codes
        self.cashier = cashier
        self.confirmationCode = confirmationCode
        self.storeId = storeId
        self.registerId = registerId
        self.customer = customer
        self.externalId = externalId
        self.lines = lines
        self.redeem = redeem
        self.offline = offline
    }
}

extension SQLStore {
    /// Credits what a purchase earns and applies what follows a purchase (`LedgerBook.creditPurchase`), written at once.
    func creditPurchase(
        _ ledger: Ledger, _ account: inout LedgerAccount, rules: ProgramRules, _ calculation: ReceiptCalculation, receiptId: Int64,
        storeId: Int64
    ) throws -> (entryIds: [Int64], earnLotId: Int64?) {
        let welcomeLots = rules.welcomeBonusNextOrderOnly
            ? try Ledger.welcomeLots(ledger.db, merchantId: ledger.merchantId, customerId: account.customerId) : []
        return try ledger.write(&account) {
            $0.creditPurchase(
                calculation, rules: rules, receiptId: receiptId, storeId: storeId, welcomeLots: welcomeLots, expiresAt: { rules.expiry(from: $0) })
        }
    }

    /// Refuses a commit or an order that asks for more than it may spend (calculate caps instead; a commit must not
    /// surprise the till).
    static func checkRedemption(
        _ redeem: RedeemRequest, offline: Bool, anonymous: Bool, spendable: Points, _ calculation: ReceiptCalculation
    ) throws {
        if let refusal = CommitDecision.redemptionRefusal(redeem, offline: offline, anonymous: anonymous, spendable: spendable, calculation) {
            throw KopilkaError(refusal)
        }
    }

    @discardableResult
    func insertReceipt(
        _ db: any SQLConnection, merchantId: Int64, receiptId: Int64, _ command: ReceiptCommand, programVersion: Int64,
        _ calculation: ReceiptCalculation, explanation: String, customerId: Int64?, earnLotId: Int64?, restoreExpiresAt: UnixSeconds?,
        holdId: Int64?, now: UnixSeconds
    ) throws -> ReceiptView {
        // The fiscal number was free in the decision's snapshot; a receipt that took it since means deciding again (the
        // next snapshot answers `receipt_already_registered`). Guarded here by the unique index, not read first: one
        // round trip less on PostgreSQL.
        let inserted = try db.run(
            """
            INSERT INTO receipts (merchant_id, id, store_id, register_id, customer_id, external_id, program_version, amount, discount,
                                  redeemed_kopecks, redeemed_points, payable, earned_points, earn_lot_id, restore_expires_at, hold_id,
                                  offline, explanation, cashier, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (merchant_id, store_id, external_id) DO NOTHING
            """,
            [merchantId, receiptId, command.storeId, command.registerId, customerId, command.externalId, programVersion,
             calculation.amount, calculation.discount, calculation.redeemedKopecks, calculation.redeemedPoints, calculation.payable,
             calculation.earnedPoints, earnLotId, restoreExpiresAt, holdId, command.offline,
             explanation, command.cashier, now])
        guard inserted == 1 else { throw Ledger.Stale() }
        // Up to 16 lines per statement: one round trip instead of one per line on PostgreSQL, and a bounded number of
        // distinct statements to prepare.
        let rows = Array(zip(command.lines, calculation.lines))
        for chunk in rows.chunks(of: 16) {
            try db.run(
                """
                INSERT INTO receipt_lines (merchant_id, receipt_id, line, sku, name, category, flags, quantity, price, amount, discount,
                                           redeemed_kopecks, redeemed_points, payable, earned_points)
                VALUES \(Placeholders.rows(chunk.count, columns: 15))
                """,
                chunk.flatMap { line, outcome -> SQLArguments in
                    [merchantId, receiptId, outcome.line, line.sku, line.name, line.category,
                     line.flags.map(\.rawValue).joined(separator: ","), line.quantity, line.price, outcome.amount, outcome.discount,
                     outcome.redeemedKopecks, outcome.redeemedPoints, outcome.payable, outcome.earnedPoints]
                })
        }
        return Self.receiptView(
            receiptId: receiptId, command, programVersion: programVersion, calculation, customerId: customerId, now: now)
    }

    /// The receipt as it is written: an answer needs no read-back.
    static func receiptView(
        receiptId: Int64, _ command: ReceiptCommand, programVersion: Int64, _ calculation: ReceiptCalculation, customerId: Int64?,
        now: UnixSeconds
    ) -> ReceiptView {
        ReceiptView(
            id: String(receiptId), externalId: command.externalId, storeId: String(command.storeId), registerId: idString(command.registerId),
            customerId: idString(customerId), programVersion: programVersion, amount: calculation.amount, discount: calculation.discount,
            redeemedKopecks: calculation.redeemedKopecks, redeemedPoints: calculation.redeemedPoints, payable: calculation.payable,
            earnedPoints: calculation.earnedPoints,
            lines: zip(command.lines, calculation.lines).map { line, outcome in
                ReceiptLineView(
                    line: outcome.line, sku: line.sku, name: line.name, category: line.category, quantity: line.quantity, price: line.price,
                    amount: outcome.amount, discount: outcome.discount, redeemedKopecks: outcome.redeemedKopecks,
                    redeemedPoints: outcome.redeemedPoints, payable: outcome.payable, earnedPoints: outcome.earnedPoints, returnedQuantity: 0)
            },
            // The answer's calculation has the explanation: said once, it is rendered and stored once.
            explanation: nil, createdAt: Instant(now))
    }

    static func receiptId(_ db: any SQLConnection, merchantId: Int64, storeId: Int64, externalId: String) throws -> Int64? {
        try db.row("SELECT id FROM receipts WHERE merchant_id = ? AND store_id = ? AND external_id = ?", [merchantId, storeId, externalId])?["id"]
    }

    /// The receipt with its lines, or nil.
    public func receipt(merchantId: Int64, receiptId: Int64) async throws -> ReceiptView? {
        let withoutTenant = unsafeVariants.contains(.receiptsWithoutTenant)
        return try await backend.read { db in
            var owner = merchantId
            if withoutTenant, let row = try db.row("SELECT merchant_id FROM receipts WHERE id = ?", [receiptId]) { owner = row["merchant_id"] }
            return try Self.receiptView(db, merchantId: owner, receiptId: receiptId)
        }
    }

    static func receiptView(_ db: any SQLConnection, merchantId: Int64, receiptId: Int64) throws -> ReceiptView? {
        guard let row = try db.row("SELECT * FROM receipts WHERE merchant_id = ? AND id = ?", [merchantId, receiptId]) else { return nil }
        let lines = try db.rows("SELECT * FROM receipt_lines WHERE merchant_id = ? AND receipt_id = ? ORDER BY line", [merchantId, receiptId])
            .map {
                ReceiptLineView(
                    line: $0["line"], sku: $0["sku"], name: $0["name"], category: $0["category"], quantity: $0["quantity"],
                    price: $0["price"], amount: $0["amount"], discount: $0["discount"], redeemedKopecks: $0["redeemed_kopecks"],
                    redeemedPoints: $0["redeemed_points"], payable: $0["payable"], earnedPoints: $0["earned_points"],
                    returnedQuantity: $0["returned_quantity"])
            }
        return ReceiptView(
            id: String(receiptId), externalId: row["external_id"], storeId: String(row["store_id"] as Int64),
            registerId: idString(row["register_id"]), customerId: idString(row["customer_id"]), programVersion: row["program_version"],
            amount: row["amount"], discount: row["discount"], redeemedKopecks: row["redeemed_kopecks"],
            redeemedPoints: row["redeemed_points"], payable: row["payable"], earnedPoints: row["earned_points"], lines: lines,
            explanation: (try? JSONDecoder().decode([Reason].self, from: Data((row["explanation"] as String).utf8))) ?? [],
            createdAt: Instant(row["created_at"]))
    }
}
