/// A stamp card prepared for the engine.
struct CompiledStampCard: Sendable {
    let card: StampCard
    let lines: LineScope.Compiled?

    init(_ card: StampCard, _ vocabulary: Vocabulary) {
        self.card = card
        lines = card.lines.map { LineScope.Compiled($0, vocabulary) }
    }
}

extension ReceiptWork {
    /// Puts stamps on the customer's cards and takes off the rewards they reach: after the other discounts (a reward
    /// frees what is left to pay for the unit), before points.
    mutating func stamp() {
        for card in program.stampCards { stamp(card) }
    }

    private mutating func stamp(_ compiled: CompiledStampCard) {
        let card = compiled.card
        let inScope = lines.indices.filter { compiled.lines?.matches(terms, line: $0) ?? true }
        let units = card.basis == .item ? inScope.reduce(0) { $0 + Int(facts[$1].quantity / 1000) } : (inScope.isEmpty ? 0 : 1)
        guard units > 0 else { return }
        // Every reason about the card names it first.
        func explain(_ code: String, _ values: ReasonValue...) { reasons.append(Reason(code, values: [.text(card.name)] + values)) }
        guard customer != nil else { return explain("stamp_needs_customer") }
        let sum = inScope.reduce(0) { $0 + facts[$1].amount }
        guard sum >= card.minAmountKopecks else {
            return explain("stamp_below_minimum", .money(sum), .money(card.minAmountKopecks))
        }
        let before = context.stamps[card.id] ?? 0
        // Units count in turn: every `every`-th one, counting the stamps already on the card, is a reward.
        var rewards = (before + units) / card.every
        var got = [Kopecks](repeating: 0, count: lines.count)
        if card.basis == .receipt { rewards = min(rewards, 1) }
        if rewards > 0, exclusive {
            explain("stamp_reward_excluded")
            rewards = 0
        } else if rewards > 0 {
            let eligible = inScope.filter { !facts[$0].fixedPrice }
            (rewards, got) = card.basis == .item ? rewardUnits(card, eligible, upTo: rewards) : rewardVisit(card, eligible)
            if rewards == 0 { explain("stamp_reward_unavailable") }
        }
        for index in got.indices { discounts[index] += got[index] }
        let earned = units - rewards, spent = rewards * card.stampsForReward
        let after = before + earned - spent
        let touched = got.indices.filter { got[$0] > 0 }
        let discount = got.reduce(0, +)
        if rewards > 0 {
            explain("stamp_reward", .money(discount), .lines(touched.map { $0 + 1 }), .count(Int64(spent)))
        }
        if earned > 0 { explain("stamp_earned", .count(Int64(earned)), .count(Int64(after)), .count(Int64(card.stampsForReward))) }
        stamps.append(StampOutcome(
            card: card.id, name: card.name, every: card.every, before: before, earned: earned, rewards: rewards, spent: spent, after: after,
            discount: discount, lines: touched.map { $0 + 1 }))
    }

    /// Up to `wanted` of the cheapest whole units of the lines as rewards: how many, and what each line gets off.
    private func rewardUnits(_ card: StampCard, _ eligible: [Int], upTo wanted: Int) -> (Int, [Kopecks]) {
        var got = [Kopecks](repeating: 0, count: lines.count)
        let base = bases
        let order = eligible.filter { facts[$0].quantity >= 1000 && base[$0] > facts[$0].floor }.sorted { a, b in
            // Cheapest unit first: base/quantity compared exactly by cross-multiplying at 128 bits; ties by position.
            let left = base[a].multipliedFullWidth(by: facts[b].quantity), right = base[b].multipliedFullWidth(by: facts[a].quantity)
            return (left.high, left.low) != (right.high, right.low) ? (left.high, left.low) < (right.high, right.low) : a < b
        }
        var left = wanted
        for index in order where left > 0 {
            let take = min(Int(facts[index].quantity / 1000), left)
            left -= take
            let unit = Arithmetic.mulDiv(base[index], 1000, facts[index].quantity)
            got[index] = min(base[index] - facts[index].floor, Kopecks(take) * rewardValue(card, of: unit))
        }
        return (wanted - left, got)
    }

    /// The reward of a rewarded visit: nothing when no line can take it.
    private func rewardVisit(_ card: StampCard, _ eligible: [Int]) -> (Int, [Kopecks]) {
        var got = [Kopecks](repeating: 0, count: lines.count)
        let base = bases
        let room = lines.indices.map { eligible.contains($0) ? max(0, base[$0] - facts[$0].floor) : 0 }
        switch card.reward {
        case .freeItem:
            return rewardUnits(card, eligible, upTo: 1)
        case .amountOff:
            got = Arithmetic.distribute(min(card.amountKopecks, room.reduce(0, +)), over: room)
        case .percentOff:
            got = room
            proportional(card.percentBp, of: lines.indices.map { eligible.contains($0) ? base[$0] : 0 }, into: &got)
            for index in got.indices { got[index] = min(got[index], room[index]) }
        }
        return (got.contains { $0 > 0 } ? 1 : 0, got)
    }

    /// What one rewarded unit costing `unit` gets off.
    private func rewardValue(_ card: StampCard, of unit: Kopecks) -> Kopecks {
        switch card.reward {
        case .freeItem: return card.maxRewardKopecks > 0 ? min(unit, card.maxRewardKopecks) : unit
        case .amountOff: return min(unit, card.amountKopecks)
        case .percentOff: return Arithmetic.mulDiv(unit, card.percentBp, 10_000)
        }
    }
}
