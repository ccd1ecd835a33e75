/// A manual adjustment by merchant staff, decided: the ledger's postings, or why it is refused. No I/O.
public enum AdjustmentDecision {
    /// Why an adjustment is refused.
    public enum Refusal: Error, Equatable, Sendable {
        /// Above the program's `maxManualAdjustment`, or past `maxManualAdjustmentPerDay` with what was adjusted in the
        /// last 24 hours, which blocks unless the owner confirms.
        case blocked(limit: Points, dayLimit: Points, adjustedToday: Points)
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
    /// negative, never below zero. Above `protection.maxManualAdjustment`, or past `maxManualAdjustmentPerDay` with
    /// `adjustedToday` (either way, the last 24 hours), it is blocked or flagged as the program says — unless `confirmed`
    /// by the owner.
    public static func decide(
        points: Points, account: LedgerAccount, protection: Protection, adjustedToday: Points, confirmed: Bool, expiresAt: UnixSeconds?,
        now: UnixSeconds, nextID: @escaping @Sendable () -> Int64
    ) -> Result<Outcome, Refusal> {
        let limit = protection.maxManualAdjustment, dayLimit = protection.maxManualAdjustmentPerDay
        let breaks = (limit > 0 && abs(points) > limit) || (dayLimit > 0 && adjustedToday + abs(points) > dayLimit)
        let flagged = breaks && !confirmed
        if flagged, protection.onLimit == .block { return .failure(.blocked(limit: limit, dayLimit: dayLimit, adjustedToday: adjustedToday)) }
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
