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

/// Lines to return: all that is left when `lines` is nil.
public struct ReturnCommand: Sendable, Equatable {
    public var receiptId: Int64
    /// Restricts the return to receipts of this store (register keys); nil for any store of the merchant.
    public var storeId: Int64?
    public var lines: [ReturnCalculator.Request]?

    public init(receiptId: Int64, storeId: Int64?, lines: [ReturnCalculator.Request]?) {
        self.receiptId = receiptId
        self.storeId = storeId
        self.lines = lines
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
        _ calculation: ReceiptCalculation, customerId: Int64?, earnLotId: Int64?, restoreExpiresAt: UnixSeconds?, holdId: Int64?,
        now: UnixSeconds
    ) throws -> ReceiptView {
        try db.run(
            """
            INSERT INTO receipts (merchant_id, id, store_id, register_id, customer_id, external_id, program_version, amount, discount,
                                  redeemed_kopecks, redeemed_points, payable, earned_points, earn_lot_id, restore_expires_at, hold_id,
                                  offline, explanation, cashier, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [merchantId, receiptId, command.storeId, command.registerId, customerId, command.externalId, programVersion,
             calculation.amount, calculation.discount, calculation.redeemedKopecks, calculation.redeemedPoints, calculation.payable,
             calculation.earnedPoints, earnLotId, restoreExpiresAt, holdId, command.offline,
             String(decoding: JSONWriter.bytes(of: calculation.explanation), as: UTF8.self), command.cashier, now])
        // Up to 16 lines per statement: one round trip instead of one per line on PostgreSQL, and a bounded number of
        // distinct statements to prepare.
        let rows = Array(zip(command.lines, calculation.lines))
        for start in stride(from: 0, to: rows.count, by: 16) {
            let chunk = rows[start..<min(start + 16, rows.count)]
            try db.run(
                """
                INSERT INTO receipt_lines (merchant_id, receipt_id, line, sku, name, category, flags, quantity, price, amount, discount,
                                           redeemed_kopecks, redeemed_points, payable, earned_points)
                VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
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

    /// Returns lines of a receipt: reverses the points they earned and restores the points spent on them,
    /// in proportion to the quantity; a line cannot be returned beyond what was bought.
    public func returnLines(
        merchantId: Int64, _ command: ReturnCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReturnMade>
    ) async throws -> StoredResponse {
        let returnId = nextID()
        return try await idempotent(merchantId: merchantId, key: idempotency, now: now, render: render) { db in
            guard let receipt = try db.row("SELECT * FROM receipts WHERE merchant_id = ? AND id = ?", [merchantId, command.receiptId]),
                command.storeId == nil || command.storeId == receipt["store_id"]
            else { throw KopilkaError.notFound("receipt") }
            let lineRows = try db.rows(
                "SELECT quantity, returned_quantity, payable, redeemed_points, earned_points FROM receipt_lines WHERE merchant_id = ? AND receipt_id = ? ORDER BY line",
                [merchantId, command.receiptId])
            let returnable = lineRows.map {
                ReturnableLine(
                    quantity: $0["quantity"], returnedQuantity: $0["returned_quantity"], payable: $0["payable"],
                    redeemedPoints: $0["redeemed_points"], earnedPoints: $0["earned_points"])
            }
            let requests = command.lines ?? returnable.enumerated().compactMap { index, line in
                line.quantity > line.returnedQuantity ? .init(line: index + 1, quantity: line.quantity - line.returnedQuantity) : nil
            }
            guard !requests.isEmpty else { throw KopilkaError.returnRefused(.nothingLeft) }
            let lineReturns: [LineReturn]
            do throws(ReturnCalculator.Refusal) {
                lineReturns = try ReturnCalculator.compute(lines: returnable, requests: requests)
            } catch {
                throw KopilkaError.returnRefused(error)
            }
            for item in lineReturns {
                try db.run(
                    "UPDATE receipt_lines SET returned_quantity = returned_quantity + ? WHERE merchant_id = ? AND receipt_id = ? AND line = ?",
                    [item.quantity, merchantId, command.receiptId, item.line])
            }
            let refund = lineReturns.reduce(0) { $0 + $1.refundKopecks }
            let returnedNow = Dictionary(uniqueKeysWithValues: lineReturns.map { ($0.line, $0.quantity) })
            let inFull = returnable.enumerated().allSatisfy { index, line in line.returnedQuantity + (returnedNow[index + 1] ?? 0) == line.quantity }
            try db.run(
                "UPDATE receipts SET refunded_kopecks = refunded_kopecks + ?, returned_in_full = ? WHERE merchant_id = ? AND id = ?",
                [refund, inFull, merchantId, command.receiptId])
            let reversed = lineReturns.reduce(0) { $0 + $1.reversedPoints }
            let restored = lineReturns.reduce(0) { $0 + $1.restoredPoints }
            var unrecovered: Points = 0
            var entryIds: [Int64] = []
            var balance = BalanceSnapshot(spendable: 0, pending: 0, debt: 0)
            let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
            if let customerId: Int64 = receipt["customer_id"], var account = try ledger.account(customerId) {
                // The customer's standing changed with the refund, whether or not points move.
                try self.touchCustomer(db, merchantId: merchantId, customerId: customerId)
                let rules = try self.program(db, merchantId: merchantId).rules
                // Restore first, so points still owed can come from what the return gives back.
                if restored > 0 {
                    // Points given back return to the receipt's store when the program keeps a balance per store.
                    let credit = try ledger.credit(
                        &account, .restore, restored, activatesAt: now, expiresAt: receipt["restore_expires_at"],
                        receiptId: command.receiptId, returnId: returnId, storeId: rules.balancePerStore ? receipt["store_id"] : nil)
                    entryIds.append(credit.entryId)
                    try ledger.expireDue(&account)
                }
                if reversed > 0 {
                    let takes = Lots.reclaim(reversed, preferring: receipt["earn_lot_id"], from: account.lots, at: now)
                    if let id = try ledger.debit(&account, .reversal, takes, receiptId: command.receiptId, returnId: returnId) {
                        entryIds.append(id)
                    }
                    let shortfall = reversed - takes.reduce(0) { $0 + $1.points }
                    if shortfall > 0 {
                        switch rules.returnPolicy {
                        case .allowNegative:
                            entryIds.append(try ledger.incurDebt(&account, shortfall, returnId: returnId, receiptId: command.receiptId))
                        case .capAtBalance:
                            unrecovered = shortfall
                        }
                    }
                }
                balance = account.snapshot(at: now)
                if inFull { try self.reverseStamps(db, merchantId: merchantId, customerId: customerId, receiptId: command.receiptId, returnId: returnId, now: now) }
            }
            let linesJSON = String(decoding: JSONWriter.bytes(of: lineReturns), as: UTF8.self)
            try db.run(
                """
                INSERT INTO returns (merchant_id, id, receipt_id, lines, refund_kopecks, reversed_points, restored_points,
                                     unrecovered_points, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [merchantId, returnId, command.receiptId, linesJSON, refund, reversed, restored, unrecovered, now])
            return ReturnMade(
                id: String(returnId), receiptId: String(command.receiptId), lines: lineReturns, refundKopecks: refund,
                reversedPoints: reversed - unrecovered, restoredPoints: restored, unrecoveredPoints: unrecovered,
                entries: try ledger.entries(entryIds), balance: balance, createdAt: Instant(now))
        }
    }
}
