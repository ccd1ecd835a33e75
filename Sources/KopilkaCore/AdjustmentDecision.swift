/// A manual adjustment by merchant staff, decided: the ledger's postings, or why it is refused. No I/O.
public enum AdjustmentDecision {
    /// Why an adjustment is refused.
    public enum Refusal: Error, Equatable, Sendable {
        /// Above the program's `maxManualAdjustment`, which blocks.
        case blocked(limit: Points)
        /// A debit beyond what the customer can spend.
        case insufficientPoints(requested: Points, spendable: Points)
    }

    /// What an adjustment writes.
    public struct Outcome: Sendable {
        /// The customer's ledger after the adjustment, with its postings.
        public var book: LedgerBook
        public var entryId: Int64
        /// Above the program's limit, let through with a flag for the owner.
        public var flagged: Bool
    }

    /// Credits `points` as a new lot (expiring at `expiresAt`) when positive, or debits the soonest-expiring lots when
    /// negative, never below zero; above `protection.maxManualAdjustment` it is blocked or flagged, as the program says.
    public static func decide(
        points: Points, account: LedgerAccount, protection: Protection, expiresAt: UnixSeconds?, now: UnixSeconds,
        nextID: @escaping @Sendable () -> Int64
    ) -> Result<Outcome, Refusal> {
        let limit = protection.maxManualAdjustment
        let flagged = limit > 0 && abs(points) > limit
        if flagged, protection.onLimit == .block { return .failure(.blocked(limit: limit)) }
        var book = LedgerBook(account, now: now, nextID: nextID)
        // Loading an account expires what is due: the same as every write does.
        book.expireDue()
        let entryId: Int64
        if points > 0 {
            entryId = book.credit(.manualCredit, points, activatesAt: now, expiresAt: expiresAt).entryId
        } else {
            guard let takes = Lots.spend(-points, from: book.account.lots, at: now), let debited = book.debit(.manualDebit, takes) else {
                return .failure(.insufficientPoints(requested: -points, spendable: book.account.snapshot(at: now).spendable))
            }
            entryId = debited
        }
        return .success(Outcome(book: book, entryId: entryId, flagged: flagged))
    }
}
