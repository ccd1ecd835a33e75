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
    /// Calculates a receipt without side effects, for the customer's balance now, in the store's local time.
    public func calculate(
        merchantId: Int64, program: CompiledProgram, storeId: Int64?, customer key: CustomerKey?, lines: [ReceiptLine], redeem: RedeemRequest,
        codes: [String], payments: [Payment], now: UnixSeconds
    ) async throws -> (ReceiptCalculation, CustomerSummary?) {
        try await backend.read { db in
            var summary: CustomerSummary?
            var customerId: Int64?
            if let key {
                guard let id = try Self.customerId(db, merchantId: merchantId, key: key),
                    let found = try self.summary(db, merchantId: merchantId, key: .id(id), now: now)
                else { throw KopilkaError.notFound("customer") }
                summary = found
                customerId = id
            }
            var context = try self.receiptContext(
                db, merchantId: merchantId, program: program, storeId: storeId, customerId: customerId, codes: codes, now: now)
            context.payments = payments
            var spendable = summary?.balance.spendable ?? 0
            if program.rules.balancePerStore, let customerId, let summary {
                let lots = try Ledger.openLots(db, merchantId: merchantId, customerId: customerId).filter { $0.isUsable(in: storeId) }
                spendable = Lots.balance(of: lots, debt: summary.balance.debt, at: now).spendable
            }
            let customer = summary.map {
                ReceiptCalculator.Customer(
                    spendablePoints: spendable, tier: $0.tier.flatMap { program.rules.tiers?.tiers[$0.level] }, groups: Set($0.groups))
            }
            let calculation = ReceiptCalculator.calculate(lines: lines, program: program, customer: customer, redeem: redeem, context: context)
            return (calculation, summary)
        }
    }

    /// Commits a receipt: spends points from the soonest-expiring lots, records what it earns as a new lot,
    /// all in one transaction; exactly once per idempotency key and per (store, externalId).
    public func commitReceipt(
        merchantId: Int64, _ command: ReceiptCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReceiptCommitted>
    ) async throws -> StoredResponse {
        let receiptId = nextID()
        return try await idempotent(
            merchantId: merchantId, key: idempotency, now: now, render: render,
            before: { db in
                try self.checkSpendCode(db, merchantId: merchantId, customer: command.customer, code: command.confirmationCode, now: now)
            }
        ) { db in
            try self.commit(db, merchantId: merchantId, receiptId: receiptId, command, now: now)
        }
    }

    func commit(_ db: any SQLConnection, merchantId: Int64, receiptId: Int64, _ command: ReceiptCommand, now: UnixSeconds) throws -> ReceiptCommitted {
        if let existing = try Self.receiptId(db, merchantId: merchantId, storeId: command.storeId, externalId: command.externalId) {
            throw KopilkaError.receiptAlreadyRegistered(try Self.receiptView(db, merchantId: merchantId, receiptId: existing)!)
        }
        let (program, compiled) = try self.compiledProgram(db, merchantId: merchantId)
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        var account: Ledger.Account?
        if let key = command.customer {
            guard let id = try Self.customerId(db, merchantId: merchantId, key: key), let found = try ledger.account(id) else {
                throw KopilkaError.notFound("customer")
            }
            account = found
        }
        var context = try receiptContext(
            db, merchantId: merchantId, program: compiled, storeId: command.storeId, customerId: account?.customerId, codes: command.codes, now: now)
        context.payments = command.payments
        var customer = try account.map {
            try engineCustomer(db, merchantId: merchantId, $0, storeId: command.storeId, rules: program.rules, now: now)
        }
        let spendable = customer?.spendablePoints
        let unchecked = unsafeVariants.contains(.commitWithoutBalanceCondition)
        if unchecked { customer?.spendablePoints = 100_000_000_000_000 }
        let calculation = ReceiptCalculator.calculate(
            lines: command.lines, program: compiled, customer: customer, redeem: command.redeem, context: context)
        try Self.checkRedemption(
            command.redeem, offline: command.offline, anonymous: account == nil, spendable: unchecked ? .max : spendable ?? 0, calculation)

        var entryIds: [Int64] = []
        var restoreExpiresAt: UnixSeconds?
        var earnLotId: Int64?
        if var current = account {
            let protection = program.rules.protection
            try checkVelocity(
                db, merchantId: merchantId, protection: protection, receiptId: receiptId, command: command, customerId: current.customerId,
                earned: calculation.earnedPoints, now: now)
            if calculation.redeemedPoints > 0 {
                try consumeSpendCode(
                    db, merchantId: merchantId, protection: protection, customer: command.customer, customerId: current.customerId,
                    code: command.confirmationCode, now: now)
                if unchecked, let id = try spendUnchecked(ledger, &current, calculation.redeemedPoints, receiptId: receiptId) {
                    entryIds.append(id)
                }
                guard let takes = Lots.spend(unchecked ? 0 : calculation.redeemedPoints, from: current.lots(for: command.storeId, program.rules), at: now) else {
                    throw KopilkaError.insufficientPoints(requested: calculation.redeemedPoints, spendable: spendable ?? 0)
                }
                restoreExpiresAt = Self.latestExpiry(of: takes, in: current.lots)
                if let id = try ledger.debit(&current, .redemption, takes, receiptId: receiptId) { entryIds.append(id) }
            }
            let earned = try creditPurchase(
                ledger, &current, rules: program.rules, calculation, receiptId: receiptId, storeId: command.storeId, now: now)
            entryIds += earned.entryIds
            earnLotId = earned.earnLotId
            account = current
        }
        let receipt = try insertReceipt(
            db, merchantId: merchantId, receiptId: receiptId, command, programVersion: program.version, calculation,
            customerId: account?.customerId, earnLotId: earnLotId, restoreExpiresAt: restoreExpiresAt, holdId: nil, now: now)
        try recordPromotions(
            db, merchantId: merchantId, receiptId: receiptId, customerId: account?.customerId, rules: program.rules, calculation: calculation,
            context: context, now: now)
        if let customerId = account?.customerId {
            try recordStamps(
                db, merchantId: merchantId, customerId: customerId, calculation.stamps, receiptId: receiptId, holdId: nil, now: now)
            try recordReferral(
                db, merchantId: merchantId, rules: program.rules, customerId: customerId, receiptId: receiptId, paid: calculation.payable, now: now)
            try recordReachedLevel(db, merchantId: merchantId, customerId: customerId, rules: program.rules, now: now)
        }
        return ReceiptCommitted(
            receipt: receipt, calculation: calculation,
            entries: try ledger.entries(entryIds), balance: account?.snapshot(at: now))
    }

    /// Credits what a purchase earns, one lot per activation date (promotions may have their own), then applies what
    /// follows a purchase: inactivity moves every lot's expiry on, and a next-order-only welcome bonus burns. Returns the
    /// entries written and the lot of the points earned at the program's delay (returns reclaim it first).
    func creditPurchase(
        _ ledger: Ledger, _ account: inout Ledger.Account, rules: ProgramRules, _ calculation: ReceiptCalculation, receiptId: Int64,
        storeId: Int64, now: UnixSeconds
    ) throws -> (entryIds: [Int64], earnLotId: Int64?) {
        var entryIds: [Int64] = [], earnLotId: Int64?
        for lot in rules.earnedLots(calculation, at: now) {
            let credit = try ledger.credit(
                &account, .accrual, lot.points, activatesAt: lot.activatesAt, expiresAt: rules.expiry(from: lot.activatesAt), receiptId: receiptId,
                storeId: rules.balancePerStore ? storeId : nil)
            entryIds.append(credit.entryId)
            earnLotId = earnLotId ?? credit.lotId
        }
        if let deadline = rules.inactivityDeadline(after: now) { try ledger.extendExpiry(&account, to: deadline) }
        if rules.welcomeBonusNextOrderOnly { try ledger.burnWelcomeBonus(&account) }
        return (entryIds, earnLotId)
    }

    /// The broken variant `commitWithoutBalanceCondition`: takes the points off the balance whatever it holds.
    private func spendUnchecked(_ ledger: Ledger, _ account: inout Ledger.Account, _ points: Points, receiptId: Int64) throws -> Int64? {
        let entryId = try ledger.appendEntry(account.customerId, .redemption, -points, receiptId: receiptId)
        try ledger.addToBalance(&account, -points)
        return entryId
    }

    /// Refuses a commit that asks for more than it may spend (calculate caps instead; a commit must not surprise the till).
    static func checkRedemption(
        _ redeem: RedeemRequest, offline: Bool, anonymous: Bool, spendable: Points, _ calculation: ReceiptCalculation
    ) throws {
        guard case .points(let requested) = redeem, requested > 0 else {
            if offline, redeem == .max, calculation.redeemedPoints > 0 { throw KopilkaError.offlineRedemption }
            return
        }
        if offline { throw KopilkaError.offlineRedemption }
        if anonymous { throw KopilkaError.validation([FieldError(field: "redeem", message: "an anonymous receipt cannot be paid with points")]) }
        if requested > calculation.ruleLimitPoints {
            throw KopilkaError.redemptionLimitExceeded(requested: requested, limit: calculation.ruleLimitPoints)
        }
        if requested > spendable { throw KopilkaError.insufficientPoints(requested: requested, spendable: spendable) }
        if requested != calculation.redeemedPoints {
            throw KopilkaError.validation([FieldError(
                field: "redeem", message: "cannot be spent exactly under the program's step; \(calculation.redeemedPoints) can")])
        }
    }

    static func latestExpiry(of takes: [LotTake], in lots: [Lot]) -> UnixSeconds? {
        var latest: UnixSeconds = 0
        for take in takes {
            guard let expiresAt = lots.first(where: { $0.id == take.lotId })?.expiresAt else { return nil }
            latest = max(latest, expiresAt)
        }
        return latest
    }

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
        // The view is built from what was just written: a response needs no read-back.
        return ReceiptView(
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
            explanation: calculation.explanation, createdAt: Instant(now))
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
