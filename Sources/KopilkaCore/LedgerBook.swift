/// What kind of movement a ledger entry is.
public enum EntryKind: String, Codable, Sendable, CaseIterable {
    /// Points earned on a receipt (creates a lot).
    case accrual
    /// The welcome bonus on registration (creates a lot).
    case welcome
    /// Points spent on a receipt.
    case redemption
    /// Points reserved for an online order.
    case hold
    /// A hold released (cancelled or expired).
    case holdRelease = "hold_release"
    /// Spent points given back by a return (creates a lot).
    case restore
    /// Earned points taken back by a return.
    case reversal
    /// Points that expired.
    case expiry
    /// Points credited by merchant staff by hand (creates a lot; audited with its reason).
    case manualCredit = "manual_credit"
    /// Points debited by merchant staff by hand (audited with its reason).
    case manualDebit = "manual_debit"
    /// A "bring a friend" reward, paid after the purchase's return window (creates a lot).
    case referral
    /// Points a program rule gave outside a receipt: a birthday gift, a review, a level reached (creates a lot).
    case rule
}

/// A customer's points as one decision sees them: the cached balance and debt, the open lots, and the version they
/// were read at (a decision is written only while the version is unchanged).
public struct LedgerAccount: Sendable, Equatable {
    public var customerId: Int64
    /// The cached balance: what the lots hold less the debt.
    public var balance: Points
    /// Points owed from returns of spent points, paid from the next lots.
    public var debt: Points
    /// The lots that still hold points.
    public var lots: [Lot]
    /// Goes up by one with every write to the customer's points, stamps or receipts.
    public var version: Int64

    public init(customerId: Int64, balance: Points, debt: Points, lots: [Lot], version: Int64) {
        self.customerId = customerId
        self.balance = balance
        self.debt = debt
        self.lots = lots
        self.version = version
    }

    /// The balance as the lots and the debt make it at `now`.
    public func snapshot(at now: UnixSeconds) -> BalanceSnapshot { Lots.balance(of: lots, debt: debt, at: now) }

    /// The lots a receipt of `store` may spend: all of them, unless the program keeps a balance per store.
    public func lots(for store: Int64?, balancePerStore: Bool) -> [Lot] {
        balancePerStore ? lots.filter { $0.isUsable(in: store) } : lots
    }
}

/// One immutable ledger entry, as decided.
public struct LedgerEntry: Sendable, Equatable {
    public var id: Int64
    public var kind: EntryKind
    /// Signed: positive adds to the balance.
    public var amount: Points
    public var receiptId: Int64?
    public var returnId: Int64?
    public var holdId: Int64?
    /// The lot an accrual created.
    public var lotId: Int64?
    /// The created lot's activation and expiry (nil without a lot).
    public var activatesAt: UnixSeconds?
    public var expiresAt: UnixSeconds?
    public var createdAt: UnixSeconds
}

/// A new lot, as decided.
public struct NewLot: Sendable, Equatable {
    public var id: Int64
    public var points: Points
    public var activatesAt: UnixSeconds
    public var expiresAt: UnixSeconds?
    /// The entry that created it.
    public var entryId: Int64
    /// The only store that may spend it, or nil for any.
    public var storeId: Int64?
}

/// One write to a customer's points, in the order the decision made them. The store writes them as they are; a take
/// is guarded (the lot must still hold the points), so a decision made on a stale reading cannot overdraw a lot.
public enum Posting: Sendable, Equatable {
    case entry(LedgerEntry)
    case lot(NewLot)
    /// Points taken from a lot (`movement` names why: the entry's kind, `expiry` or `debt`).
    case take(LotTake, movement: String, entryId: Int64)
    /// Points put back into a lot they were taken from.
    case giveBack(LotTake, entryId: Int64)
    /// Lots' expiry moved to a moment: the listed lots, or every open lot when nil.
    case expiry(at: UnixSeconds, lots: [Int64]?)
}

/// The points ledger's rules over one account, with no I/O: every operation changes the account as the database will
/// see it and appends the postings that make it so. Entries, lots, the cached balance and the debt always change
/// together here, and nowhere else.
public struct LedgerBook: Sendable {
    public private(set) var account: LedgerAccount
    /// The writes decided so far, oldest first.
    public private(set) var postings: [Posting] = []
    /// Net change of the cached balance and of the debt.
    public private(set) var balanceDelta: Points = 0
    public private(set) var debtDelta: Points = 0
    public let now: UnixSeconds
    private let nextID: @Sendable () -> Int64

    /// A book over `account` at `now`; `nextID` hands out the ids of new entries and lots.
    public init(_ account: LedgerAccount, now: UnixSeconds, nextID: @escaping @Sendable () -> Int64) {
        self.account = account
        self.now = now
        self.nextID = nextID
    }

    /// The entries decided so far.
    public var entries: [LedgerEntry] {
        postings.compactMap { if case .entry(let entry) = $0 { entry } else { nil } }
    }

    /// The entries decided with these ids, in the ids' order (what an answer lists of the entries an operation made).
    public func entries(_ ids: [Int64]) -> [LedgerEntry] {
        let made = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0) })
        return ids.compactMap { made[$0] }
    }

    /// Expires the lots whose time has come, one entry each; idempotent.
    @discardableResult
    public mutating func expireDue() -> (lots: Int, points: Points) {
        let due = Lots.expired(account.lots, at: now)
        guard !due.isEmpty else { return (0, 0) }
        var total: Points = 0
        for take in due {
            let entryId = appendEntry(.expiry, -take.points, lotId: take.lotId)
            postings.append(.take(take, movement: "expiry", entryId: entryId))
            total += take.points
        }
        addToBalance(-total)
        account.lots.removeAll { lot in due.contains { $0.lotId == lot.id } }
        return (due.count, total)
    }

    /// Appends one entry and returns its id.
    @discardableResult
    public mutating func appendEntry(
        _ kind: EntryKind, _ amount: Points, receiptId: Int64? = nil, returnId: Int64? = nil, holdId: Int64? = nil, lotId: Int64? = nil,
        activatesAt: UnixSeconds? = nil, expiresAt: UnixSeconds? = nil
    ) -> Int64 {
        let id = nextID()
        postings.append(.entry(LedgerEntry(
            id: id, kind: kind, amount: amount, receiptId: receiptId, returnId: returnId, holdId: holdId, lotId: lotId,
            activatesAt: lotId == nil ? nil : activatesAt, expiresAt: expiresAt, createdAt: now)))
        return id
    }

    /// Credits points as a new lot; any debt is paid from the new lot first.
    public mutating func credit(
        _ kind: EntryKind, _ points: Points, activatesAt: UnixSeconds, expiresAt: UnixSeconds?, receiptId: Int64? = nil,
        returnId: Int64? = nil, storeId: Int64? = nil
    ) -> (entryId: Int64, lotId: Int64) {
        precondition(points > 0)
        let lotId = nextID()
        let entryId = appendEntry(
            kind, points, receiptId: receiptId, returnId: returnId, lotId: lotId, activatesAt: activatesAt, expiresAt: expiresAt)
        postings.append(.lot(NewLot(id: lotId, points: points, activatesAt: activatesAt, expiresAt: expiresAt, entryId: entryId, storeId: storeId)))
        var lot = Lot(id: lotId, remaining: points, activatesAt: activatesAt, expiresAt: expiresAt, storeId: storeId)
        addToBalance(points)
        if account.debt > 0 {
            // The debt is owed from returns of spent points: the new lot pays it first.
            let paid = min(account.debt, points)
            postings.append(.take(LotTake(lotId: lotId, points: paid), movement: "debt", entryId: entryId))
            account.debt -= paid
            debtDelta -= paid
            lot.remaining -= paid
        }
        if lot.remaining > 0 { account.lots.append(lot) }
        return (entryId, lotId)
    }

    /// Debits points from the given lots as one entry; nil when the takes hold nothing.
    public mutating func debit(
        _ kind: EntryKind, _ takes: [LotTake], receiptId: Int64? = nil, returnId: Int64? = nil, holdId: Int64? = nil
    ) -> Int64? {
        let total = takes.reduce(0) { $0 + $1.points }
        guard total > 0 else { return nil }
        let entryId = appendEntry(kind, -total, receiptId: receiptId, returnId: returnId, holdId: holdId)
        for take in takes {
            postings.append(.take(take, movement: kind.rawValue, entryId: entryId))
            if let index = account.lots.firstIndex(where: { $0.id == take.lotId }) { account.lots[index].remaining -= take.points }
        }
        account.lots.removeAll { $0.remaining == 0 }
        addToBalance(-total)
        return entryId
    }

    /// Records a debt (policy `allowNegative`): the balance goes down by points no lot holds any more.
    public mutating func incurDebt(_ points: Points, returnId: Int64, receiptId: Int64) -> Int64 {
        let entryId = appendEntry(.reversal, -points, receiptId: receiptId, returnId: returnId)
        account.debt += points
        debtDelta += points
        addToBalance(-points)
        return entryId
    }

    /// Puts points back into lots they were taken from (a released hold). Lots that were emptied are not in the account
    /// any more: the caller reads the account again after writing.
    public mutating func giveBack(_ takes: [LotTake], holdId: Int64) -> Int64? {
        let total = takes.reduce(0) { $0 + $1.points }
        guard total > 0 else { return nil }
        let entryId = appendEntry(.holdRelease, total, holdId: holdId)
        for take in takes {
            postings.append(.giveBack(take, entryId: entryId))
            if let index = account.lots.firstIndex(where: { $0.id == take.lotId }) { account.lots[index].remaining += take.points }
        }
        addToBalance(total)
        return entryId
    }

    /// "Points burn after N days without a purchase": a purchase moves every open lot's expiry to `deadline`.
    public mutating func extendExpiry(to deadline: UnixSeconds) {
        postings.append(.expiry(at: deadline, lots: nil))
        for index in account.lots.indices { account.lots[index].expiresAt = deadline }
    }

    /// Burns now what is left in these lots (a next-order-only welcome bonus after the order).
    @discardableResult
    public mutating func burn(lots ids: Set<Int64>) -> [Int64] {
        let open = account.lots.filter { ids.contains($0.id) }.map(\.id)
        guard !open.isEmpty else { return [] }
        postings.append(.expiry(at: now, lots: open))
        for index in account.lots.indices where ids.contains(account.lots[index].id) { account.lots[index].expiresAt = now }
        let made = postings.count
        expireDue()
        return postings[made...].compactMap { if case .entry(let entry) = $0 { entry.id } else { nil } }
    }

    /// Credits what a purchase earns, one lot per activation date (promotions may have their own), then what follows a
    /// purchase: inactivity moves every lot's expiry on, and a next-order-only welcome bonus (`welcomeLots`) burns.
    /// Returns the entries made and the lot of the points earned at the program's delay (returns reclaim it first);
    /// `expiresAt` gives when points that become spendable at a moment expire.
    public mutating func creditPurchase(
        _ calculation: ReceiptCalculation, rules: ProgramRules, receiptId: Int64, storeId: Int64, welcomeLots: Set<Int64>,
        expiresAt: (UnixSeconds) -> UnixSeconds?
    ) -> (entryIds: [Int64], earnLotId: Int64?) {
        var entryIds: [Int64] = [], earnLotId: Int64?
        for lot in rules.earnedLots(calculation, at: now) {
            let credit = credit(
                .accrual, lot.points, activatesAt: lot.activatesAt, expiresAt: expiresAt(lot.activatesAt), receiptId: receiptId,
                storeId: rules.balancePerStore ? storeId : nil)
            entryIds.append(credit.entryId)
            earnLotId = earnLotId ?? credit.lotId
        }
        // Points that burn after a time without a purchase: all of them now burn that long after this one.
        if rules.expiry == .inactivity, let deadline = expiresAt(now) { extendExpiry(to: deadline) }
        // Burned with the purchase, so the till's answer lists it and can print it.
        if rules.welcomeBonusNextOrderOnly { entryIds += burn(lots: welcomeLots) }
        return (entryIds, earnLotId)
    }

    private mutating func addToBalance(_ delta: Points) {
        account.balance += delta
        balanceDelta += delta
    }
}
