import KopilkaCore
import Testing

/// The ledger's rules and the commit's decision, without a database: what they write is read off the postings.
@Suite struct CommitDecisionTests {
    static let now: UnixSeconds = 1_800_000_000
    static let day: UnixSeconds = 86_400

    /// Ids 1, 2, 3, … in the order asked for.
    final class Counter: @unchecked Sendable {
        // Only ever used from the test's own thread.
        var next: Int64 = 100
        func id() -> Int64 {
            next += 1
            return next
        }
    }

    static func account(_ lots: [Lot], debt: Points = 0) -> LedgerAccount {
        LedgerAccount(customerId: 7, balance: lots.reduce(0) { $0 + $1.remaining } - debt, debt: debt, lots: lots, version: 3)
    }

    static func book(_ account: LedgerAccount) -> LedgerBook {
        let counter = Counter()
        return LedgerBook(account, now: now, nextID: { counter.id() })
    }

    @Test func aCreditPaysTheDebtFirst() {
        var book = Self.book(Self.account([], debt: 30_00))
        let credit = book.credit(.accrual, 50_00, activatesAt: Self.now, expiresAt: nil, receiptId: 9)
        #expect(book.account.debt == 0)
        #expect(book.account.balance == 20_00)
        #expect(book.balanceDelta == 50_00)
        #expect(book.debtDelta == -30_00)
        #expect(book.account.lots == [Lot(id: credit.lotId, remaining: 20_00, activatesAt: Self.now, expiresAt: nil)])
        #expect(book.postings.contains(.take(LotTake(lotId: credit.lotId, points: 30_00), movement: "debt", entryId: credit.entryId)))
    }

    @Test func expiryOnLoadTakesWhatIsDueAndNothingElse() {
        let due = Lot(id: 1, remaining: 10_00, activatesAt: 0, expiresAt: Self.now)
        let later = Lot(id: 2, remaining: 5_00, activatesAt: 0, expiresAt: Self.now + 1)
        var book = Self.book(Self.account([due, later]))
        #expect(book.expireDue() == (lots: 1, points: 10_00))
        #expect(book.account.lots == [later])
        #expect(book.account.balance == 5_00)
        #expect(book.entries.map(\.amount) == [-10_00])
        // A second call finds nothing more.
        #expect(book.expireDue() == (lots: 0, points: 0))
    }

    static func receipt(_ redeem: RedeemRequest, offline: Bool = false) -> CommitDecision.Receipt {
        CommitDecision.Receipt(
            id: 55, storeId: 1, lines: [ReceiptLine(sku: "A", price: 1000_00)], redeem: redeem, offline: offline, countsForVelocity: true)
    }

    static func decide(
        _ redeem: RedeemRequest, lots: [Lot], rules: ProgramRules = ProgramRules(), credits: Int64 = 0, offline: Bool = false
    ) -> Result<CommitDecision.Outcome, CommitDecision.Refusal> {
        let counter = Counter()
        return CommitDecision.decide(
            receipt(redeem, offline: offline), program: CompiledProgram(rules), context: ReceiptContext(),
            customer: .init(account: account(lots), tier: nil, groups: [], creditsInWindow: credits), now: now,
            expiresAt: { $0 + 365 * day }, nextID: { counter.id() })
    }

    @Test func aCommitSpendsTheSoonestExpiringLotsAndCreditsWhatItEarns() throws {
        let soon = Lot(id: 1, remaining: 30_00, activatesAt: 0, expiresAt: Self.now + Self.day)
        let late = Lot(id: 2, remaining: 100_00, activatesAt: 0, expiresAt: Self.now + 9 * Self.day)
        var rules = ProgramRules()
        rules.accrualRateBp = 500
        let outcome = try Self.decide(.points(50_00), lots: [late, soon], rules: rules).get()
        let book = try #require(outcome.book)
        let takes = book.postings.compactMap { if case .take(let take, _, _) = $0 { take } else { nil } }
        #expect(takes == [LotTake(lotId: 1, points: 30_00), LotTake(lotId: 2, points: 20_00)])
        #expect(outcome.restoreExpiresAt == Self.now + 9 * Self.day)
        #expect(outcome.calculation.redeemedPoints == 50_00)
        // 5 % of what was paid in money: 950 ₽.
        #expect(outcome.calculation.earnedPoints == 47_50)
        #expect(book.balanceDelta == 47_50 - 50_00)
        #expect(outcome.entryIds.count == 2)
        #expect(book.entries.map(\.kind) == [.redemption, .accrual])
    }

    @Test func refusalsComeAsCodes() {
        let lot = Lot(id: 1, remaining: 10_00, activatesAt: 0, expiresAt: nil)
        #expect(throws: CommitDecision.Refusal.insufficientPoints(requested: 20_00, spendable: 10_00)) {
            try Self.decide(.points(20_00), lots: [lot]).get()
        }
        #expect(throws: CommitDecision.Refusal.offlineRedemption) { try Self.decide(.points(1_00), lots: [lot], offline: true).get() }
        var rules = ProgramRules()
        rules.protection.maxCreditsPerCustomer = 2
        rules.protection.onLimit = .block
        #expect(throws: CommitDecision.Refusal.velocity(credits: 2)) { try Self.decide(.points(0), lots: [lot], rules: rules, credits: 2).get() }
        rules.protection.onLimit = .flag
        #expect((try? Self.decide(.points(0), lots: [lot], rules: rules, credits: 2).get())?.velocityFlag == 2)
        #expect((try? Self.decide(.points(0), lots: [lot], rules: rules, credits: 1).get())?.velocityFlag == nil)
    }
}
