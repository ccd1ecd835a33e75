/// A return, decided: what the returned lines give back and the ledger's postings, or why it cannot be made. No I/O:
/// the store reads the receipt and the customer's account before, and writes the outcome after, under guards.
public enum ReturnDecision {
    /// The receipt being returned, as read.
    public struct Receipt: Sendable {
        public var id: Int64
        public var storeId: Int64
        public var lines: [ReturnableLine]
        /// The lot of the points the receipt earned at the program's delay: a return reclaims it first.
        public var earnLotId: Int64?
        /// When points given back expire (the latest expiry of the lots the receipt spent from); nil for never.
        public var restoreExpiresAt: UnixSeconds?

        public init(id: Int64, storeId: Int64, lines: [ReturnableLine], earnLotId: Int64?, restoreExpiresAt: UnixSeconds?) {
            self.id = id
            self.storeId = storeId
            self.lines = lines
            self.earnLotId = earnLotId
            self.restoreExpiresAt = restoreExpiresAt
        }
    }

    /// What a return writes.
    public struct Outcome: Sendable {
        /// What each returned line gives back.
        public var lines: [LineReturn]
        /// Money refunded, in kopecks.
        public var refund: Kopecks
        /// Earned points taken back, before what could not be (`unrecovered`).
        public var reversed: Points
        /// Spent points given back.
        public var restored: Points
        /// Points the return could not take back (policy `capAtBalance`).
        public var unrecovered: Points = 0
        /// Whether every line of the receipt is returned in full with this return.
        public var inFull: Bool
        /// The customer's ledger after the return, with its postings; nil for an anonymous receipt.
        public var book: LedgerBook?
        /// The entries the return made, in order.
        public var entryIds: [Int64] = []
    }

    /// Decides a return of `requests` (nil: everything not yet returned) of `receipt`, whose customer's account is
    /// `account` (nil when anonymous). Given back first, then taken back, so that points still owed can come from what
    /// the return gives back; what cannot be taken back becomes a debt or is written off, as `rules.returnPolicy` says.
    public static func decide(
        _ receipt: Receipt, requests: [ReturnCalculator.Request]?, account: LedgerAccount?, rules: ProgramRules, returnId: Int64,
        now: UnixSeconds, nextID: @escaping @Sendable () -> Int64
    ) -> Result<Outcome, ReturnCalculator.Refusal> {
        let requests = requests ?? receipt.lines.enumerated().compactMap { index, line in
            line.quantity > line.returnedQuantity ? .init(line: index + 1, quantity: line.quantity - line.returnedQuantity) : nil
        }
        guard !requests.isEmpty else { return .failure(.nothingLeft) }
        let lines: [LineReturn]
        do throws(ReturnCalculator.Refusal) {
            lines = try ReturnCalculator.compute(lines: receipt.lines, requests: requests, pointsStep: rules.linePointsStep)
        } catch {
            return .failure(error)
        }
        let returnedNow = Dictionary(uniqueKeysWithValues: lines.map { ($0.line, $0.quantity) })
        var outcome = Outcome(
            lines: lines, refund: lines.reduce(0) { $0 + $1.refundKopecks }, reversed: lines.reduce(0) { $0 + $1.reversedPoints },
            restored: lines.reduce(0) { $0 + $1.restoredPoints },
            inFull: receipt.lines.enumerated().allSatisfy { index, line in line.returnedQuantity + (returnedNow[index + 1] ?? 0) == line.quantity })
        guard let account else { return .success(outcome) }

        var book = LedgerBook(account, now: now, nextID: nextID)
        // Loading an account expires what is due: the same as every write does.
        book.expireDue()
        if outcome.restored > 0 {
            // Points given back return to the receipt's store when the program keeps a balance per store.
            let credit = book.credit(
                .restore, outcome.restored, activatesAt: now, expiresAt: receipt.restoreExpiresAt, receiptId: receipt.id, returnId: returnId,
                storeId: rules.balancePerStore ? receipt.storeId : nil)
            outcome.entryIds.append(credit.entryId)
            // Given back after the lots it came from expired: it expires at once.
            book.expireDue()
        }
        if outcome.reversed > 0 {
            let takes = Lots.reclaim(outcome.reversed, preferring: receipt.earnLotId, from: book.account.lots, at: now)
            if let id = book.debit(.reversal, takes, receiptId: receipt.id, returnId: returnId) { outcome.entryIds.append(id) }
            let shortfall = outcome.reversed - takes.reduce(0) { $0 + $1.points }
            if shortfall > 0 {
                switch rules.returnPolicy {
                case .allowNegative: outcome.entryIds.append(book.incurDebt(shortfall, returnId: returnId, receiptId: receipt.id))
                case .capAtBalance: outcome.unrecovered = shortfall
                }
            }
        }
        outcome.book = book
        return .success(outcome)
    }
}
