/// Something that lowers prices on a receipt.
enum DiscountSource {
    /// Wholesale steps reached: a rate per line.
    case wholesale(rates: [BasisPoints])
    case promotion(PromotionCandidate)
    /// The card (or level) discount on the lines that allow it.
    case card(eligible: [Bool])
}

extension ReceiptWork {
    /// Takes the discounts under the stacking policy. `sequential`: wholesale, promotions by priority, then the card
    /// discount, each on what the earlier ones left. `bestForCustomer`: each line gets the largest single discount.
    /// Either way no line goes below its floor.
    mutating func applyDiscounts(_ candidates: [PromotionCandidate]) {
        var sources: [DiscountSource] = []
        sources.reserveCapacity(candidates.count + 2)
        if let rates = wholesaleRates() { sources.append(.wholesale(rates: rates)) }
        for candidate in candidates where candidate.reward.isDiscount { sources.append(.promotion(candidate)) }
        if let eligible = cardEligibility() { sources.append(.card(eligible: eligible)) }
        switch rules.stacking.mode {
        case .sequential:
            // What each line costs so far and what it can still give, kept up to date rather than built per source,
            // and what a source takes, written into one array source after source.
            var base = bases
            var room = [Kopecks](repeating: 0, count: lines.count), got = room, weights = room
            for var source in sources {
                if case .card(var eligible) = source, !rules.stacking.cardDiscountOnPromotedLines {
                    for index in lines.indices where eligible[index] && promoted[index] {
                        eligible[index] = false
                        reasons.append(.init("discount_excluded_promoted", line: index + 1))
                    }
                    source = .card(eligible: eligible)
                }
                for index in room.indices { room[index] = max(0, base[index] - facts[index].floor) }
                wanted(source, base: base, room: room, weights: &weights, into: &got)
                clamp(&got, to: room)
                if case .promotion(let candidate) = source, !fitsBudget(candidate, value: got.reduce(0, +)) { continue }
                take(source, got)
                for index in base.indices { base[index] -= got[index] }
            }
        case .bestForCustomer:
            let room = facts.map { max(0, $0.amount - $0.floor) }
            let amounts = facts.map(\.amount)
            var weights = room
            var offers = sources.map { source in
                var offer = room
                wanted(source, base: amounts, room: room, weights: &weights, into: &offer)
                clamp(&offer, to: room)
                return offer
            }
            for (index, source) in sources.enumerated() {
                if case .promotion(let candidate) = source, !fitsBudget(candidate, value: offers[index].reduce(0, +)) {
                    offers[index] = [Kopecks](repeating: 0, count: lines.count)
                }
            }
            // Each line's winner: the largest offer, the earlier source on a tie.
            let winners = lines.indices.map { line in
                offers.indices.max { offers[$0][line] != offers[$1][line] ? offers[$0][line] < offers[$1][line] : $0 > $1 }
            }
            for (index, source) in sources.enumerated() {
                let won = lines.indices.map { winners[$0] == index ? offers[index][$0] : 0 }
                if won.contains(where: { $0 > 0 }) || isGift(source) {
                    take(source, won)
                } else if offers[index].contains(where: { $0 > 0 }) {
                    reasons.append(notBest(source))
                }
            }
        }
    }

    /// Wholesale steps the receipt reaches, as a rate per line; nil when none applies.
    mutating func wholesaleRates() -> [BasisPoints]? {
        guard let wholesale = program.wholesale else { return nil }
        if let groups = wholesale.groups, groups.isDisjoint(with: customer?.groups ?? []) {
            reasons.append(.init("wholesale_needs_group", .names(groups.sorted())))
            return nil
        }
        if exclusive {
            reasons.append(.init("wholesale_excluded"))
            return nil
        }
        var rates = [BasisPoints](repeating: 0, count: lines.count)
        for (step, scope) in wholesale.steps {
            let matched = lines.indices.filter { (scope?.matches(terms, line: $0) ?? true) && !facts[$0].fixedPrice }
            // A step is named by its name, or else by its threshold.
            let label: ReasonValue = step.name.map { .text($0) } ?? step.minQuantity.map { .quantity($0) } ?? .money(step.minAmountKopecks ?? 0)
            let named = step.name != nil
            // "From 100,000 ₽ for the whole order, −12 % on paint": the threshold may count the whole receipt.
            let counted = step.thresholdOn == .receipt ? Array(lines.indices) : matched
            if let minimum = step.minQuantity {
                let quantity = counted.reduce(0) { $0 + lines[$1].quantity }
                guard quantity >= minimum else {
                    reasons.append(.init("wholesale_step_not_reached", variant: named ? "named_units" : "units", label, .quantity(quantity), .quantity(minimum)))
                    continue
                }
            } else if let minimum = step.minAmountKopecks {
                let sum = counted.reduce(0) { $0 + facts[$1].amount }
                guard sum >= minimum else {
                    reasons.append(.init("wholesale_step_not_reached", variant: named ? "named" : nil, label, .money(sum), .money(minimum)))
                    continue
                }
            }
            for index in matched { rates[index] = max(rates[index], step.discountBp) }
            reasons.append(.init("wholesale_step", variant: named ? "named" : step.minQuantity != nil ? "units" : nil, label, .percent(step.discountBp),
                                 .lines(matched.map { $0 + 1 })))
        }
        return rates.contains { $0 > 0 } ? rates : nil
    }

    /// The lines the card (or level) discount may lower; nil when it does not apply.
    mutating func cardEligibility() -> [Bool]? {
        guard discountBp > 0 else { return nil }
        guard customer != nil else {
            reasons.append(.init("discount_needs_customer"))
            return nil
        }
        if exclusive {
            reasons.append(.init("discount_excluded"))
            return nil
        }
        // A level's own discount may be for some lines only ("the paint discount"); the program's is for every line.
        let levelLines = customer?.tier?.discountBp != nil ? program.levelDiscountLines : nil
        let excluded = program.discountExcluded
        return lines.indices.map { index in
            let number = index + 1
            if let levelLines, !levelLines.matches(terms, line: index) {
                reasons.append(.init("discount_outside_level", line: number))
                return false
            }
            if facts[index].fixedPrice {
                reasons.append(.init("discount_excluded_flag", line: number))
                return false
            }
            if !excluded.isEmpty, let category = lines[index].category, excluded.contains(category) {
                reasons.append(.init("discount_excluded_category", line: number, .text(category)))
                return false
            }
            return true
        }
    }

    /// What a source would take off each line of `base`, before floors (`room` is what each line can still give),
    /// written into `result`; `weights` is room to work in. Both are arrays of the receipt's size the caller reuses.
    func wanted(_ source: DiscountSource, base: [Kopecks], room: [Kopecks], weights: inout [Kopecks], into result: inout [Kopecks]) {
        switch source {
        case .wholesale(let rates):
            for index in base.indices { result[index] = Arithmetic.mulDiv(base[index], rates[index], 10_000) }
        case .card(let eligible):
            for index in base.indices { weights[index] = eligible[index] ? base[index] : 0 }
            proportional(discountBp, of: weights, into: &result)
        case .promotion(let candidate):
            let reward = candidate.reward
            switch reward.kind {
            case .percentOff:
                for index in weights.indices { weights[index] = 0 }
                for index in candidate.lines { weights[index] = base[index] }
                proportional(reward.percentBp ?? 0, of: weights, into: &result)
            case .amountOff:
                for index in weights.indices { weights[index] = 0 }
                for index in candidate.lines { weights[index] = room[index] }
                Arithmetic.distribute(min(reward.amountKopecks ?? 0, weights.reduce(0, +)), over: weights, into: &result)
            case .fixedPrice:
                for index in result.indices { result[index] = 0 }
                for index in candidate.lines {
                    let atPrice = Arithmetic.mulDiv(reward.priceKopecks ?? 0, facts[index].quantity, 1000, .halfUp)
                    result[index] = max(0, base[index] - atPrice)
                }
            case .buyXGetY, .nthItem:
                cheapestUnits(candidate, base: base, into: &result)
            case .gift:
                for index in result.indices { result[index] = 0 }
                if let index = giftLine(candidate) { result[index] = min(base[index], Arithmetic.mulDiv(base[index], 1000, facts[index].quantity)) }
            case .pointsMultiplier, .bonusPoints:
                for index in result.indices { result[index] = 0 }
            }
        }
    }

    /// `bp` of the lines' sum (each line's cost, or 0 for a line it does not lower), computed once and split over the
    /// lines, so the lines add up to the receipt's discount.
    func proportional(_ bp: BasisPoints, of weights: [Kopecks], into result: inout [Kopecks]) {
        Arithmetic.distribute(Arithmetic.mulDiv(weights.reduce(0, +), bp, 10_000), over: weights, into: &result)
    }

    /// Buy X get Y: of every `buy + get` whole units of the matching lines, the `get` cheapest are discounted.
    func cheapestUnits(_ candidate: PromotionCandidate, base: [Kopecks], into result: inout [Kopecks]) {
        for index in result.indices { result[index] = 0 }
        let group = Int64(candidate.promotion.buy + candidate.promotion.get)
        guard group > 0 else { return }
        // A local: the closure below would otherwise capture the whole calculation.
        let facts = self.facts
        let units = candidate.lines.reduce(Int64(0)) { $0 + facts[$1].quantity / 1000 }
        var left = units / group * Int64(candidate.promotion.get)
        guard left > 0 else { return }
        // The lines with a whole unit, ordered on the stack (two arrays a promotion cost each receipt two allocations).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: candidate.lines.count) { buffer in
            var count = 0
            for index in candidate.lines where facts[index].quantity >= 1000 {
                buffer[count] = index
                count += 1
            }
            var order = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
            // Cheapest unit first: compare base/quantity exactly, by cross-multiplying at 128 bits; ties by position.
            order.sort { a, b in
                let left = base[a].multipliedFullWidth(by: facts[b].quantity), right = base[b].multipliedFullWidth(by: facts[a].quantity)
                return (left.high, left.low) != (right.high, right.low) ? (left.high, left.low) < (right.high, right.low) : a < b
            }
            let percent = candidate.reward.percentBp ?? 10_000
            for index in order where left > 0 {
                let take = min(facts[index].quantity / 1000, left)
                left -= take
                let unitsPrice = min(base[index], Arithmetic.mulDiv(base[index], take * 1000, facts[index].quantity))
                result[index] = Arithmetic.mulDiv(unitsPrice, percent, 10_000)
            }
        }
    }

    /// The receipt line holding a gift promotion's item.
    func giftLine(_ candidate: PromotionCandidate) -> Int? {
        lines.indices.first { lines[$0].sku == candidate.reward.sku && !lines[$0].has(.noDiscount) }
    }

    func isGift(_ source: DiscountSource) -> Bool {
        if case .promotion(let candidate) = source { return candidate.reward.kind == .gift }
        return false
    }

    /// Caps each line's discount at what the line can still give, explaining each line the floor stops.
    mutating func clamp(_ wanted: inout [Kopecks], to room: [Kopecks]) {
        for index in wanted.indices where wanted[index] > room[index] {
            let number = index + 1
            if !reasons.contains(where: { $0.code == "discount_capped_floor" && $0.line == number }) {
                reasons.append(.init("discount_capped_floor", line: number, .money(facts[index].floor)))
            }
            wanted[index] = room[index]
        }
    }

    /// Applies what a source takes and explains it.
    mutating func take(_ source: DiscountSource, _ got: [Kopecks]) {
        var total: Kopecks = 0
        for index in got.indices {
            discounts[index] += got[index]
            total += got[index]
        }
        let numbers = numbers { got[$0] > 0 }
        switch source {
        case .wholesale:
            if total > 0 { reasons.append(.init("wholesale_applied", .money(total), .lines(numbers))) }
        case .card:
            if total > 0 { reasons.append(.init("discount_rate", .percent(discountBp), .money(total), .lines(numbers))) }
        case .promotion(let candidate):
            for number in numbers { promoted[number - 1] = true }
            if candidate.reward.kind == .gift {
                let line = giftLine(candidate)
                let onReceipt = line.map { got[$0] > 0 } ?? false
                gifts.append(Gift(promotionId: candidate.id, sku: candidate.reward.sku ?? "", name: candidate.reward.name ?? "", onReceipt: onReceipt))
                record(candidate, discount: total, lines: numbers)
                if let line, onReceipt {
                    reasons.append(.init("promotion_gift", line: line + 1, promotion: candidate.id, .text(candidate.name),
                                         .text(candidate.reward.name ?? candidate.reward.sku ?? ""), .money(total)))
                } else {
                    reasons.append(.init("promotion_gift", variant: "add", promotion: candidate.id, .text(candidate.name),
                                         .text(candidate.reward.name ?? ""), .text(candidate.reward.sku ?? "")))
                }
            } else if total > 0 {
                record(candidate, discount: total, lines: numbers)
                reasons.append(.init("promotion_applied", promotion: candidate.id, .text(candidate.name), .money(total), .lines(numbers)))
            } else {
                reasons.append(.init("promotion_no_effect", promotion: candidate.id, .text(candidate.name)))
            }
        }
    }

    func notBest(_ source: DiscountSource) -> Reason {
        switch source {
        case .wholesale: return .init("wholesale_not_best")
        case .card: return .init("discount_not_best")
        case .promotion(let candidate): return .init("promotion_not_best", promotion: candidate.id, .text(candidate.name))
        }
    }
}
