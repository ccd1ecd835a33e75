/// An online order's hold, decided: points reserved for the order, the order confirmed into a receipt, or the
/// reservation released. No I/O: the store reads the hold and the customer's account before, and writes the outcome
/// after, guarded by the hold's status and the customer's version.
public enum HoldDecision {
    /// What placing a hold writes.
    public struct Placed: Sendable {
        public var calculation: ReceiptCalculation
        /// The points reserved, lot by lot (given back as they were taken).
        public var takes: [LotTake]
        /// When points given back by a return of the order's receipt expire: the latest expiry of the lots reserved.
        public var restoreExpiresAt: UnixSeconds?
        /// The customer's ledger after the reservation, with its postings.
        public var book: LedgerBook
    }

    /// Reserves points for an order of `lines` in `storeId`: the order is calculated as a receipt (promotions see the
    /// store's local time in `context`; an online order has no codes), and the points it spends are taken from the
    /// soonest-expiring lots into the hold. Refused as a commit would be.
    public static func place(
        lines: [ReceiptLine], redeem: RedeemRequest, storeId: Int64, holdId: Int64, program: CompiledProgram, context: ReceiptContext,
        customer: CommitDecision.Customer, now: UnixSeconds, nextID: @escaping @Sendable () -> Int64
    ) -> Result<Placed, CommitDecision.Refusal> {
        let rules = program.rules
        var book = LedgerBook(customer.account, now: now, nextID: nextID)
        // Loading an account expires what is due, and releases the holds that are: the same as every write does.
        book.expireDue()
        book.release(customer.dueHolds)
        let lots = book.account.lots(for: storeId, balancePerStore: rules.balancePerStore)
        let spendable = Lots.balance(of: lots, debt: book.account.debt, at: now).spendable
        let calculation = ReceiptCalculator.calculate(
            lines: lines, program: program,
            customer: ReceiptCalculator.Customer(spendablePoints: spendable, tier: customer.tier, groups: customer.groups), redeem: redeem,
            context: context)
        if let refusal = CommitDecision.redemptionRefusal(redeem, offline: false, anonymous: false, spendable: spendable, calculation) {
            return .failure(refusal)
        }
        var takes: [LotTake] = []
        if calculation.redeemedPoints > 0 {
            guard let planned = Lots.spend(calculation.redeemedPoints, from: lots, at: now) else {
                return .failure(.insufficientPoints(requested: calculation.redeemedPoints, spendable: spendable))
            }
            takes = planned
        }
        let restoreExpiresAt = CommitDecision.latestExpiry(of: takes, in: book.account.lots)
        book.debit(.hold, takes, holdId: holdId)
        return .success(Placed(calculation: calculation, takes: takes, restoreExpiresAt: restoreExpiresAt, book: book))
    }

    /// Why a hold cannot be confirmed or cancelled: it is closed (`confirmed`, `cancelled`, `expired`), or past its
    /// expiry (maintenance releases it soon, as `expired`). Nil while it is held.
    public static func closedStatus(status: String, expiresAt: UnixSeconds, now: UnixSeconds) -> String? {
        if status != "held" { return status }
        return expiresAt <= now ? "expired" : nil
    }

    /// What confirming a hold writes: the order earns what it was calculated to earn, and what follows a purchase.
    public struct Confirmed: Sendable {
        public var book: LedgerBook
        /// The entries the receipt made, in order.
        public var entryIds: [Int64]
        /// The lot of the points earned at the program's delay (a return reclaims it first).
        public var earnLotId: Int64?
    }

    /// Confirms a held order as receipt `receiptId`: the reserved points stay spent; the order earns its points.
    /// `welcomeLots` are the open lots of a welcome bonus that pays for the next purchase alone; `expiresAt` gives when
    /// points that become spendable at a moment expire (the program's calendar rules, computed at the edge).
    public static func confirm(
        _ calculation: ReceiptCalculation, account: LedgerAccount, rules: ProgramRules, receiptId: Int64, storeId: Int64,
        welcomeLots: Set<Int64>, now: UnixSeconds, expiresAt: (UnixSeconds) -> UnixSeconds?, nextID: @escaping @Sendable () -> Int64
    ) -> Confirmed {
        var book = LedgerBook(account, now: now, nextID: nextID)
        book.expireDue()
        let earned = book.creditPurchase(
            calculation, rules: rules, receiptId: receiptId, storeId: storeId, welcomeLots: welcomeLots, expiresAt: expiresAt)
        return Confirmed(book: book, entryIds: earned.entryIds, earnLotId: earned.earnLotId)
    }

    /// Gives a hold's reserved points back to the lots they came from (`account` must hold those lots, emptied ones
    /// too), then expires what is due: a lot whose expiry passed while its points were held expires at once.
    public static func release(
        _ takes: [LotTake], holdId: Int64, account: LedgerAccount, now: UnixSeconds, nextID: @escaping @Sendable () -> Int64
    ) -> LedgerBook {
        var book = LedgerBook(account, now: now, nextID: nextID)
        book.expireDue()
        book.giveBack(takes, holdId: holdId)
        book.expireDue()
        return book
    }
}
