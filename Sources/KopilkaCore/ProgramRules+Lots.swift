extension ProgramRules {
    /// When points earned at `now` become spendable.
    public func activation(from now: UnixSeconds) -> UnixSeconds {
        now + Int64(activationDelayDays) * 86_400
    }

    /// What a receipt earns, as lots: `(points, activatesAt)`, the points of promotions with their own activation delay
    /// apart from the rest (first), each spendable after its own delay.
    public func earnedLots(_ calculation: ReceiptCalculation, at now: UnixSeconds) -> [(points: Points, activatesAt: UnixSeconds)] {
        var rest = calculation.earnedPoints
        var delayed: [(points: Points, activatesAt: UnixSeconds)] = []
        for applied in calculation.promotions where applied.earnedPoints > 0 && rest > 0 {
            guard let days = promotions.first(where: { $0.id == applied.id })?.activationDelayDays else { continue }
            let points = min(applied.earnedPoints, rest)
            rest -= points
            delayed.append((points, now + Int64(days) * 86_400))
        }
        return (rest > 0 ? [(rest, activation(from: now))] : []) + delayed
    }
}
