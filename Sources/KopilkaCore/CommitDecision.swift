/// The till's commit, decided: from the receipt, what was read about the customer and the program, and `now`, either
/// what to write (the calculation, the ledger's postings, the receipt's lots) or why it is refused. No I/O: the store
/// reads the snapshot before and writes the outcome after, guarded by the customer's version.
public enum CommitDecision {
    /// What the decision reads about a named customer.
    public struct Customer: Sendable {
        /// Points, lots, debt and version, as read (nothing expired yet).
        public var account: LedgerAccount
        /// The level the customer's standing gives, if the program has levels.
        public var tier: Tier?
        public var groups: Set<String>
        /// Open lots holding the welcome bonus (read only when it pays for the next purchase alone).
        public var welcomeLots: Set<Int64>
        /// Receipts that credited the customer from this register or cashier within the velocity window.
        public var creditsInWindow: Int64
        /// The customer's online orders still held past their expiry: their points count as released from that moment,
        /// so the commit gives them back first (`account` holds the lots they came from, emptied ones too).
        public var dueHolds: [DueHold] = []

        public init(account: LedgerAccount, tier: Tier?, groups: Set<String>, welcomeLots: Set<Int64> = [], creditsInWindow: Int64 = 0) {
            self.account = account
            self.tier = tier
            self.groups = groups
            self.welcomeLots = welcomeLots
            self.creditsInWindow = creditsInWindow
        }
    }

    /// The receipt as the till sent it, in the terms the decision needs.
    public struct Receipt: Sendable {
        public var id: Int64
        public var storeId: Int64
        public var lines: [ReceiptLine]
        public var redeem: RedeemRequest
        /// Sent by a till that was offline: it may only earn.
        public var offline: Bool
        /// Whether a register or a cashier is named (the velocity rule counts per one of them).
        public var countsForVelocity: Bool

        public init(id: Int64, storeId: Int64, lines: [ReceiptLine], redeem: RedeemRequest, offline: Bool, countsForVelocity: Bool) {
            self.id = id
            self.storeId = storeId
            self.lines = lines
            self.redeem = redeem
            self.offline = offline
            self.countsForVelocity = countsForVelocity
        }
    }

    /// A hold past its expiry that maintenance has not released yet: its id and the points it took from each lot.
    public struct DueHold: Sendable, Equatable {
        public var holdId: Int64
        public var takes: [LotTake]

        public init(holdId: Int64, takes: [LotTake]) {
            self.holdId = holdId
            self.takes = takes
        }
    }

    /// What a commit writes.
    public struct Outcome: Sendable {
        /// The calculation as the receipt records it (`ReceiptCalculation.recorded`).
        public let calculation: ReceiptCalculation
        /// Its explanation's JSON as the receipt stores it, written here so that the single writer only copies it.
        public let explanation: String
        /// The customer's ledger after the receipt, with its postings; nil for an anonymous receipt.
        public var book: LedgerBook?
        /// The lot of the points earned at the program's delay (a return reclaims it first).
        public var earnLotId: Int64?
        /// When points given back by a return of this receipt expire: the latest expiry of the lots it spent.
        public var restoreExpiresAt: UnixSeconds?
        /// The velocity rule was breached but only flags: how many credits the window already held.
        public var velocityFlag: Int64?
        /// The entries the receipt made, in order.
        public var entryIds: [Int64]
    }

    /// Why a commit is refused; nothing is written but the refusal's answer.
    public enum Refusal: Error, Equatable, Sendable {
        case offlineRedemption
        case anonymousRedemption
        /// More points asked for than the rules allow on the receipt; `because` is the rule that binds (a daily limit,
        /// a schedule, the share of the receipt…), as the calculation's explanation gives it.
        case redemptionLimitExceeded(requested: Points, limit: Points, because: Reason?)
        case insufficientPoints(requested: Points, spendable: Points)
        /// The points asked for cannot be spent exactly under the program's step; this many can.
        case offStep(redeemable: Points)
        /// The velocity rule blocks: the register or cashier credited the customer this many times in the window.
        case velocity(credits: Int64)
        /// A presented code (at this index) gives nothing on this receipt; the till would print a discount it does not have.
        case codeNotApplicable(index: Int, code: String, status: PresentedCode.Status)
    }

    /// Decides a commit. `expiresAt` gives when points that become spendable at a moment expire (the program's calendar
    /// rules, computed at the edge); `nextID` hands out ids for entries and lots. `spendAnyway` is the reliability suite's
    /// broken variant (a spend not limited by the balance); false in the product.
    public static func decide(
        _ receipt: Receipt, program: CompiledProgram, context: ReceiptContext, customer: Customer?, now: UnixSeconds,
        expiresAt: (UnixSeconds) -> UnixSeconds?, nextID: @escaping @Sendable () -> Int64, spendAnyway: Bool = false
    ) -> Result<Outcome, Refusal> {
        let rules = program.rules
        var book = customer.map { LedgerBook($0.account, now: now, nextID: nextID) }
        // Loading an account expires what is due, and releases the holds that are: the same as every write does.
        book?.expireDue()
        if let customer { book?.release(customer.dueHolds) }
        let usable = book?.account.lots(for: receipt.storeId, balancePerStore: rules.balancePerStore)
        let spendable = usable.map { Lots.balance(of: $0, debt: book!.account.debt, at: now).spendable }
        let engineCustomer = customer.map {
            ReceiptCalculator.Customer(spendablePoints: spendAnyway ? 100_000_000_000_000 : spendable!, tier: $0.tier, groups: $0.groups)
        }
        let calculation = ReceiptCalculator.calculate(
            lines: receipt.lines, program: program, customer: engineCustomer, redeem: receipt.redeem, context: context)
        if let refusal = redemptionRefusal(
            receipt.redeem, offline: receipt.offline, anonymous: customer == nil, spendable: spendAnyway ? .max : spendable ?? 0, calculation)
        {
            return .failure(refusal)
        }
        let recorded = calculation.recorded
        var outcome = Outcome(
            calculation: recorded, explanation: ReceiptCalculation.storedExplanation(recorded), book: nil, entryIds: [])
        guard var ledger = book, let customer else { return codeRefusal(calculation).map { .failure($0) } ?? .success(outcome) }

        let protection = rules.protection
        if protection.maxCreditsPerCustomer > 0, calculation.earnedPoints > 0, receipt.countsForVelocity,
            customer.creditsInWindow >= protection.maxCreditsPerCustomer
        {
            if protection.onLimit == .block, !receipt.offline { return .failure(.velocity(credits: customer.creditsInWindow)) }
            outcome.velocityFlag = customer.creditsInWindow
        }
        if calculation.redeemedPoints > 0 {
            // The broken variant takes the points off the balance and out of no lot.
            let lots = spendAnyway
                ? [Lot(id: overdraftLot, remaining: .max / 4, activatesAt: 0, expiresAt: nil)]
                : ledger.account.lots(for: receipt.storeId, balancePerStore: rules.balancePerStore)
            guard let takes = Lots.spend(calculation.redeemedPoints, from: lots, at: now) else {
                return .failure(.insufficientPoints(requested: calculation.redeemedPoints, spendable: spendable ?? 0))
            }
            outcome.restoreExpiresAt = latestExpiry(of: takes, in: lots)
            if let id = ledger.debit(.redemption, takes, receiptId: receipt.id) { outcome.entryIds.append(id) }
        }
        let earned = ledger.creditPurchase(
            calculation, rules: rules, receiptId: receipt.id, storeId: receipt.storeId, welcomeLots: customer.welcomeLots, expiresAt: expiresAt)
        outcome.entryIds += earned.entryIds
        outcome.earnLotId = earned.earnLotId
        if let refusal = codeRefusal(calculation) { return .failure(refusal) }
        outcome.book = ledger
        return .success(outcome)
    }

    /// The first presented code that gives nothing on this receipt.
    static func codeRefusal(_ calculation: ReceiptCalculation) -> Refusal? {
        guard let index = calculation.codes.firstIndex(where: { !$0.applied }) else { return nil }
        return .codeNotApplicable(index: index, code: calculation.codes[index].code, status: calculation.codes[index].status)
    }

    /// The lot the broken variant `spendAnyway` takes what the balance does not hold from; it exists nowhere.
    public static let overdraftLot: Int64 = 0

    /// The reasons that stop or cap spending on a receipt by the program's rules.
    static let limitingReasons: Set<String> = [
        "redemption_outside_schedule", "redemption_below_minimum", "redemption_daily_limit", "redemption_excluded_payments",
        "redemption_not_with_discounts", "redemption_capped_share", "redemption_capped_benefit", "redemption_capped_min_payable",
        "redemption_capped_eligible",
    ]

    /// Refuses a commit that asks for more than it may spend (calculate caps instead; a commit must not surprise the till).
    public static func redemptionRefusal(
        _ redeem: RedeemRequest, offline: Bool, anonymous: Bool, spendable: Points, _ calculation: ReceiptCalculation
    ) -> Refusal? {
        guard case .points(let requested) = redeem, requested > 0 else {
            return offline && redeem == .max && calculation.redeemedPoints > 0 ? .offlineRedemption : nil
        }
        if offline { return .offlineRedemption }
        if anonymous { return .anonymousRedemption }
        if requested > calculation.ruleLimitPoints {
            let because = calculation.explanation.first { limitingReasons.contains($0.code) }
            return .redemptionLimitExceeded(requested: requested, limit: calculation.ruleLimitPoints, because: because)
        }
        if requested > spendable { return .insufficientPoints(requested: requested, spendable: spendable) }
        if requested != calculation.redeemedPoints { return .offStep(redeemable: calculation.redeemedPoints) }
        return nil
    }

    /// The latest expiry among the lots spent, or nil when one of them never expires.
    public static func latestExpiry(of takes: [LotTake], in lots: [Lot]) -> UnixSeconds? {
        var latest: UnixSeconds = 0
        for take in takes {
            guard let expiresAt = lots.first(where: { $0.id == take.lotId })?.expiresAt else { return nil }
            latest = max(latest, expiresAt)
        }
        return latest
    }
}

extension LedgerBook {
    /// Gives the points of holds past their expiry back to their lots, then expires what is due (a lot whose own expiry
    /// passed while its points were held).
    mutating func release(_ holds: [CommitDecision.DueHold]) {
        guard !holds.isEmpty else { return }
        for hold in holds { _ = giveBack(hold.takes, holdId: hold.holdId) }
        expireDue()
    }
}
