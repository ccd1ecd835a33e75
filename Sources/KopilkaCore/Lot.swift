/// A batch of earned points: spendable from `activatesAt`, gone at `expiresAt`.
public struct Lot: Sendable, Equatable {
    /// The lot's id.
    public var id: Int64
    /// Points still in the lot.
    public var remaining: Points
    /// When the points become spendable.
    public var activatesAt: UnixSeconds
    /// When what remains expires, or nil for never.
    public var expiresAt: UnixSeconds?
    /// The only store whose receipts may spend the lot, when the program keeps a balance per store; nil for any store.
    public var storeId: Int64?

    public init(id: Int64, remaining: Points, activatesAt: UnixSeconds, expiresAt: UnixSeconds?, storeId: Int64? = nil) {
        self.id = id
        self.remaining = remaining
        self.activatesAt = activatesAt
        self.expiresAt = expiresAt
        self.storeId = storeId
    }

    /// Whether the lot has expired at `now`.
    public func isExpired(at now: UnixSeconds) -> Bool { expiresAt.map { $0 <= now } ?? false }
    /// Whether the lot's points can be spent at `now`.
    public func isSpendable(at now: UnixSeconds) -> Bool { activatesAt <= now && !isExpired(at: now) }
    /// Whether a receipt of `store` may spend the lot (any lot, when the store is not known).
    public func isUsable(in store: Int64?) -> Bool { storeId == nil || store == nil || storeId == store }
    /// Whether the lot's points are still waiting for activation at `now`.
    public func isPending(at now: UnixSeconds) -> Bool { activatesAt > now && !isExpired(at: now) }
}

/// Points taken from one lot.
public struct LotTake: Sendable, Equatable {
    /// The lot taken from.
    public var lotId: Int64
    /// Points taken.
    public var points: Points

    public init(lotId: Int64, points: Points) {
        self.lotId = lotId
        self.points = points
    }
}

/// A customer's balance as the lots and the debt make it at a moment.
public struct BalanceSnapshot: Codable, Sendable, Equatable {
    /// Points that can be spent now (active, unexpired, less any debt); never negative.
    public var spendable: Points
    /// Points earned but not yet active.
    public var pending: Points
    /// Points owed from returns of already-spent points (paid from future accruals).
    public var debt: Points

    public init(spendable: Points, pending: Points, debt: Points) {
        self.spendable = spendable
        self.pending = pending
        self.debt = debt
    }
}

/// The arithmetic of lots: what is spendable, which lots a spend takes from, what expires.
public enum Lots {
    /// The balance at `now`, ignoring lots that have expired but not yet been processed.
    public static func balance(of lots: [Lot], debt: Points, at now: UnixSeconds) -> BalanceSnapshot {
        var active: Points = 0
        var pending: Points = 0
        for lot in lots where !lot.isExpired(at: now) {
            if lot.activatesAt <= now { active += lot.remaining } else { pending += lot.remaining }
        }
        return BalanceSnapshot(spendable: max(0, active - debt), pending: pending, debt: debt)
    }

    /// The order spending takes lots in: the soonest to expire first (never-expiring last), then the oldest.
    public static func spendingOrder(_ a: Lot, _ b: Lot) -> Bool {
        switch (a.expiresAt, b.expiresAt) {
        case let (x?, y?) where x != y: return x < y
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a.activatesAt != b.activatesAt ? a.activatesAt < b.activatesAt : a.id < b.id
        }
    }

    /// Takes `points` from the spendable lots, soonest-expiring first. Returns nil when they do not hold enough.
    public static func spend(_ points: Points, from lots: [Lot], at now: UnixSeconds) -> [LotTake]? {
        precondition(points >= 0)
        var left = points
        var takes: [LotTake] = []
        for lot in lots.filter({ $0.isSpendable(at: now) && $0.remaining > 0 }).sorted(by: spendingOrder) {
            guard left > 0 else { break }
            let take = min(left, lot.remaining)
            takes.append(LotTake(lotId: lot.id, points: take))
            left -= take
        }
        return left == 0 ? takes : nil
    }

    /// Takes up to `points` from any unexpired lots (pending ones included), the given lot first, then
    /// soonest-expiring: how a return takes back earned points. Returns what it took; it may be less.
    public static func reclaim(_ points: Points, preferring lotId: Int64?, from lots: [Lot], at now: UnixSeconds) -> [LotTake] {
        var left = points
        var takes: [LotTake] = []
        let candidates = lots.filter { !$0.isExpired(at: now) && $0.remaining > 0 }
            .sorted { a, b in
                if a.id == lotId { return b.id != lotId }
                if b.id == lotId { return false }
                return spendingOrder(a, b)
            }
        for lot in candidates where left > 0 {
            let take = min(left, lot.remaining)
            takes.append(LotTake(lotId: lot.id, points: take))
            left -= take
        }
        return takes
    }

    /// The lots that have expired at `now` and still hold points: what an expiry run takes.
    public static func expired(_ lots: [Lot], at now: UnixSeconds) -> [LotTake] {
        lots.filter { $0.isExpired(at: now) && $0.remaining > 0 }.map { LotTake(lotId: $0.id, points: $0.remaining) }
    }
}
