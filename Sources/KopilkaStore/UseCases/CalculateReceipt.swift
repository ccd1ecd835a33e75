import KopilkaCore

/// A receipt to calculate: what a till or the web cashier sends before it commits.
public struct CalculateCommand: Sendable, Equatable {
    /// The store whose local time, promotions and lots apply; nil when an admin key names none.
    public var storeId: Int64?
    /// Nil for an anonymous receipt.
    public var customer: CustomerKey?
    public var lines: [ReceiptLine]
    public var redeem: RedeemRequest
    /// Promo codes and coupons presented, as typed.
    public var codes: [String]
    /// How the money part is paid, when known.
    public var payments: [Payment]

    public init(
        storeId: Int64?, customer: CustomerKey?, lines: [ReceiptLine], redeem: RedeemRequest, codes: [String] = [], payments: [Payment] = []
    ) {
        self.storeId = storeId
        self.customer = customer
        self.lines = lines
        self.redeem = redeem
        self.codes = codes
        self.payments = payments
    }

    /// The first field at fault, by the commit's rules: a receipt the commit would refuse is not calculated either.
    public var violations: [FieldError]? {
        let lines = ReceiptLine.violations(of: lines)
        if !lines.isEmpty { return lines }
        if let error = ReceiptCommand.redeemViolation(redeem) ?? ReceiptCommand.codesViolation(codes) { return [error] }
        let payments = Payment.violations(payments, path: "payments")
        return payments.isEmpty ? nil : payments
    }
}

/// What a calculation answers.
public struct ReceiptCalculated: Sendable {
    public var calculation: ReceiptCalculation
    /// The customer as the till shows them; nil for an anonymous receipt.
    public var customer: CustomerSummary?
    /// The program the calculation used.
    public var program: ProgramView
    /// Whether committing the receipt needs the code sent to the customer's phone: the program asks for it, points are
    /// spent, and the customer was not named by their card.
    public var confirmationRequired: Bool
}

/// Calculate, the till's question before it commits: prefetch → decide, and nothing to apply.
extension SQLStore {
    /// What the receipt would do, in the store's local time, with the presented codes; changes nothing.
    public func calculateReceipt(merchantId: Int64, _ command: CalculateCommand, now: UnixSeconds) async throws -> ReceiptCalculated {
        if let errors = command.violations { throw KopilkaError.validation(errors) }
        let snapshot = try await backend.read { db in try self.calculateSnapshot(db, merchantId: merchantId, command, now: now) }
        // Decide, outside the read: the engine holds no connection.
        let calculation = ReceiptCalculator.calculate(
            lines: command.lines, program: snapshot.compiled, customer: snapshot.customer, redeem: command.redeem, context: snapshot.context)
        var namedByCard = false
        if case .card = command.customer { namedByCard = true }
        return ReceiptCalculated(
            calculation: calculation, customer: snapshot.summary, program: snapshot.program,
            confirmationRequired: snapshot.program.rules.protection.confirmSpending && calculation.redeemedPoints > 0 && !namedByCard)
    }

    /// What the engine reads for a calculation.
    struct CalculateSnapshot {
        var program: ProgramView
        var compiled: CompiledProgram
        var summary: CustomerSummary?
        var customer: ReceiptCalculator.Customer?
        var context: ReceiptContext
    }

    /// Prefetch: the program by version, the customer's summary and spendable points, and the receipt's context, in one
    /// snapshot.
    func calculateSnapshot(_ db: any SQLConnection, merchantId: Int64, _ command: CalculateCommand, now: UnixSeconds) throws -> CalculateSnapshot {
        let (program, compiled) = try compiledProgram(db, merchantId: merchantId)
        var summary: CustomerSummary?
        var customer: ReceiptCalculator.Customer?
        var customerId: Int64?
        if let key = command.customer {
            guard let found = try self.summary(db, merchantId: merchantId, key: key, now: now), let id = parseID(found.id) else {
                throw KopilkaError.notFound("customer")
            }
            var spendable = found.balance.spendable
            if program.rules.balancePerStore {
                let lots = try Ledger.countedLots(db, merchantId: merchantId, customerId: id, now: now).filter { $0.isUsable(in: command.storeId) }
                spendable = Lots.balance(of: lots, debt: found.balance.debt, at: now).spendable
            }
            summary = found
            customerId = id
            customer = ReceiptCalculator.Customer(
                spendablePoints: spendable, tier: found.tier.flatMap { program.rules.tiers?.tiers[$0.level] }, groups: Set(found.groups))
        }
        var context = try receiptContext(
            db, merchantId: merchantId, program: compiled, storeId: command.storeId, customerId: customerId, codes: command.codes, now: now)
        context.payments = command.payments
        return CalculateSnapshot(program: program, compiled: compiled, summary: summary, customer: customer, context: context)
    }
}
