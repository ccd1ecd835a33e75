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
struct HeldOrder: Codable {
    var lines: [ReceiptLine]
    var calculation: ReceiptCalculation
    var programVersion: Int64
    var restoreExpiresAt: UnixSeconds?
    var takes: [HeldTake]

    struct HeldTake: Codable {
        var lotId: Int64
        var points: Points
    }
}

extension SQLStore {
    /// Reserves points for an online order; they stay reserved until confirm, cancel or the hold's expiry.
    public func placeHold(
        merchantId: Int64, _ command: HoldCommand, idempotency: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<HoldPlaced>
    ) async throws -> StoredResponse {
        let holdId = nextID()
        return try await idempotent(
            merchantId: merchantId, key: idempotency, now: now, render: render,
            before: { db in
                try self.checkSpendCode(db, merchantId: merchantId, customer: command.customer, code: command.confirmationCode, now: now)
            }
        ) { db in
            if let existing = try db.row(
                "SELECT id FROM holds WHERE merchant_id = ? AND store_id = ? AND external_id = ?", [merchantId, command.storeId, command.externalId])
            {
                throw KopilkaError.orderAlreadyExists(try Self.holdView(db, merchantId: merchantId, holdId: existing["id"])!)
            }
            let (program, compiled) = try self.compiledProgram(db, merchantId: merchantId)
            let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
            guard let customerId = try Self.customerId(db, merchantId: merchantId, key: command.customer),
                var account = try ledger.account(customerId)
            else { throw KopilkaError.notFound("customer") }
            let customer = try self.engineCustomer(db, merchantId: merchantId, account, storeId: command.storeId, rules: program.rules, now: now)
            let spendable = customer.spendablePoints
            // An online order has no codes (yet); promotions see the store's local time.
            let context = try self.receiptContext(
                db, merchantId: merchantId, program: compiled, storeId: command.storeId, customerId: customerId, codes: [], now: now)
            let calculation = ReceiptCalculator.calculate(
                lines: command.lines, program: compiled, customer: customer, redeem: command.redeem, context: context)
            try Self.checkRedemption(command.redeem, offline: false, anonymous: false, spendable: spendable, calculation)
            var takes: [LotTake] = []
            if calculation.redeemedPoints > 0 {
                guard let planned = Lots.spend(calculation.redeemedPoints, from: account.lots(for: command.storeId, balancePerStore: program.rules.balancePerStore), at: now) else {
                    throw KopilkaError.insufficientPoints(requested: calculation.redeemedPoints, spendable: spendable)
                }
                takes = planned
                try self.consumeSpendCode(
                    db, merchantId: merchantId, protection: program.rules.protection, customer: command.customer, customerId: customerId,
                    code: command.confirmationCode, now: now)
            }
            let order = HeldOrder(
                lines: command.lines, calculation: calculation, programVersion: program.version,
                restoreExpiresAt: CommitDecision.latestExpiry(of: takes, in: account.lots),
                takes: takes.map { .init(lotId: $0.lotId, points: $0.points) })
            _ = try ledger.debit(&account, .hold, takes, holdId: holdId)
            try self.recordStamps(
                db, merchantId: merchantId, customerId: customerId, calculation.stamps, receiptId: nil, holdId: holdId, now: now)
            let expiresAt = now + Int64(command.ttlSeconds ?? program.rules.holdTtlSeconds)
            try db.run(
                """
                INSERT INTO holds (merchant_id, id, store_id, register_id, customer_id, external_id, status, points, request, expires_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, 'held', ?, ?, ?, ?)
                """,
                [merchantId, holdId, command.storeId, command.registerId, customerId, command.externalId, calculation.redeemedPoints,
                 String(decoding: try JSONEncoder().encode(order), as: UTF8.self), expiresAt, now])
            return HoldPlaced(
                hold: try Self.holdView(db, merchantId: merchantId, holdId: holdId)!, calculation: calculation,
                balance: account.snapshot(at: now))
        }
    }

    /// Turns a held order into a receipt: the reserved points are spent, the order earns its points.
    public func confirmHold(
        merchantId: Int64, holdId: Int64, storeId: Int64?, externalId: String?, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReceiptCommitted>
    ) async throws -> StoredResponse {
        let receiptId = nextID()
        return try await idempotent(merchantId: merchantId, key: idempotency, now: now, render: render) { db in
            var (row, order) = try self.openHold(db, merchantId: merchantId, holdId: holdId, storeId: storeId, now: now)
            order.calculation = order.calculation.recorded
            let command = ReceiptCommand(
                storeId: row["store_id"], registerId: row["register_id"], customer: .id(row["customer_id"]),
                externalId: externalId ?? row["external_id"], lines: order.lines, redeem: .points(order.calculation.redeemedPoints))
            if let existing = try Self.receiptId(db, merchantId: merchantId, storeId: command.storeId, externalId: command.externalId) {
                throw KopilkaError.receiptAlreadyRegistered(try Self.receiptView(db, merchantId: merchantId, receiptId: existing)!)
            }
            let program = try self.program(db, merchantId: merchantId)
            let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
            guard var account = try ledger.account(row["customer_id"]) else { throw KopilkaError.notFound("customer") }
            try self.touchCustomer(db, merchantId: merchantId, customerId: account.customerId)
            let (entryIds, earnLotId) = try self.creditPurchase(
                ledger, &account, rules: program.rules, order.calculation, receiptId: receiptId, storeId: command.storeId)
            let receipt = try self.insertReceipt(
                db, merchantId: merchantId, receiptId: receiptId, command, programVersion: order.programVersion, order.calculation,
                customerId: account.customerId, earnLotId: earnLotId, restoreExpiresAt: order.restoreExpiresAt, holdId: holdId, now: now)
            let time = try self.localTime(db, merchantId: merchantId, storeId: command.storeId, now: now)
            try self.recordPromotions(
                db, merchantId: merchantId, receiptId: receiptId, customerId: account.customerId, rules: program.rules,
                calculation: order.calculation, context: ReceiptContext(time: time), now: now)
            try self.recordReachedLevel(db, merchantId: merchantId, customerId: account.customerId, rules: program.rules, now: now)
            try self.recordReferral(
                db, merchantId: merchantId, rules: program.rules, customerId: account.customerId, receiptId: receiptId,
                paid: order.calculation.payable, now: now)
            // The order's stamps were recorded when it was placed; a return of the receipt now takes them back.
            try db.run("UPDATE stamp_entries SET receipt_id = ? WHERE merchant_id = ? AND hold_id = ?", [receiptId, merchantId, holdId])
            try db.run(
                "UPDATE holds SET status = 'confirmed', receipt_id = ?, closed_at = ? WHERE merchant_id = ? AND id = ?",
                [receiptId, now, merchantId, holdId])
            return ReceiptCommitted(
                receipt: receipt, calculation: order.calculation,
                entries: try ledger.entries(entryIds), balance: account.snapshot(at: now))
        }
    }

    /// Cancels a hold and gives its points back.
    public func cancelHold(
        merchantId: Int64, holdId: Int64, storeId: Int64?, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<HoldView>
    ) async throws -> StoredResponse {
        try await idempotent(merchantId: merchantId, key: idempotency, now: now, render: render) { db in
            let (row, order) = try self.openHold(db, merchantId: merchantId, holdId: holdId, storeId: storeId, now: now)
            try self.release(db, merchantId: merchantId, holdId: holdId, customerId: row["customer_id"], order: order, status: "cancelled", now: now)
            return try Self.holdView(db, merchantId: merchantId, holdId: holdId)!
        }
    }

    /// The hold, or nil.
    public func hold(merchantId: Int64, holdId: Int64) async throws -> HoldView? {
        try await backend.read { db in try Self.holdView(db, merchantId: merchantId, holdId: holdId) }
    }

    /// Loads a hold that is still held; one past its expiry is refused (the maintenance run releases it).
    private func openHold(_ db: any SQLConnection, merchantId: Int64, holdId: Int64, storeId: Int64?, now: UnixSeconds) throws -> (SQLRow, HeldOrder) {
        guard let row = try db.row("SELECT * FROM holds WHERE merchant_id = ? AND id = ?", [merchantId, holdId]),
            storeId == nil || storeId == row["store_id"]
        else { throw KopilkaError.notFound("order") }
        let status: String = row["status"]
        guard status == "held" else { throw KopilkaError.holdClosed(status: status) }
        let order = try JSONDecoder().decode(HeldOrder.self, from: Data((row["request"] as String).utf8))
        if (row["expires_at"] as UnixSeconds) <= now { throw KopilkaError.holdClosed(status: "expired") }
        return (row, order)
    }

    func release(_ db: any SQLConnection, merchantId: Int64, holdId: Int64, customerId: Int64, order: HeldOrder, status: String, now: UnixSeconds) throws {
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        guard var account = try ledger.account(customerId) else { return }
        _ = try ledger.giveBack(&account, order.takes.map { LotTake(lotId: $0.lotId, points: $0.points) }, holdId: holdId)
        try reverseStamps(db, merchantId: merchantId, customerId: customerId, holdId: holdId, now: now)
        try db.run("UPDATE holds SET status = ?, closed_at = ? WHERE merchant_id = ? AND id = ?", [status, now, merchantId, holdId])
    }

    static func holdView(_ db: any SQLConnection, merchantId: Int64, holdId: Int64) throws -> HoldView? {
        try db.row("SELECT * FROM holds WHERE merchant_id = ? AND id = ?", [merchantId, holdId]).map {
            HoldView(
                id: String(holdId), externalId: $0["external_id"], storeId: String($0["store_id"] as Int64),
                customerId: String($0["customer_id"] as Int64), status: $0["status"], points: $0["points"], expiresAt: Instant($0["expires_at"]),
                receiptId: idString($0["receipt_id"]), createdAt: Instant($0["created_at"]))
        }
    }
}
