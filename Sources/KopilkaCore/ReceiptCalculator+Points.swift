extension ReceiptWork {
    /// Points pay for what the rules allow of the discounted lines, within the share, minimum payable and balance caps.
    mutating func redeem(_ redeem: RedeemRequest) {
        let totalAfterDiscounts = self.totalAfterDiscounts
        var redeemWeights = [Kopecks](repeating: 0, count: lines.count)
        let schedule = program.redemptionWhen?.miss(at: context.time)
        let discounted = discounts.reduce(0, +)
        let excludedPayments = excludedMethods(rules.redemptionExcludedPayments)
        if let schedule {
            reasons.append(.init("redemption_outside_schedule", .schedule(schedule)))
        } else if totalAfterDiscounts < rules.minRedemptionReceiptKopecks {
            reasons.append(.init("redemption_below_minimum", .money(rules.minRedemptionReceiptKopecks), .money(totalAfterDiscounts)))
        } else if rules.maxRedemptionsPerDay > 0, context.facts.redemptionsToday >= rules.maxRedemptionsPerDay {
            reasons.append(.init("redemption_daily_limit", .count(Int64(rules.maxRedemptionsPerDay))))
        } else if !excludedPayments.isEmpty {
            reasons.append(.init("redemption_excluded_payments", .payments(excludedPayments)))
        } else if !rules.redeemWithDiscounts, discounted > 0 {
            reasons.append(.init("redemption_not_with_discounts"))
        } else {
            let excluded = program.redemptionExcluded
            for index in lines.indices {
                let number = index + 1
                if facts[index].fixedPrice {
                    reasons.append(.init("redemption_excluded_flag", variant: "no_discount", line: number))
                } else if facts[index].noRedemption {
                    reasons.append(.init("redemption_excluded_flag", line: number))
                } else if !excluded.isEmpty, let category = lines[index].category, excluded.contains(category) {
                    reasons.append(.init("redemption_excluded_category", line: number, .text(category)))
                } else if let scope = program.redemptionLines, !scope.matches(terms, line: index) {
                    reasons.append(.init("redemption_outside_scope", line: number))
                } else if discounts[index] > 0, !rules.redeemOnDiscountedLines {
                    reasons.append(.init("redemption_excluded_discounted", line: number))
                } else {
                    // Points are a discount too: they stop at the line's minimum price, and at the line's cap.
                    redeemWeights[index] = max(0, base(index) - facts[index].priceFloor)
                    if let cap = lineCap(index) {
                        let capped = Arithmetic.mulDiv(base(index), cap, 10_000)
                        if capped < redeemWeights[index] {
                            redeemWeights[index] = capped
                            reasons.append(.init("redemption_line_capped", line: number, .percent(cap)))
                        }
                    }
                }
            }
        }

        // The most the rules allow, in kopecks, and which limit binds.
        let eligible = redeemWeights.reduce(0, +)
        let byShare = Arithmetic.mulDiv(totalAfterDiscounts, maxRedeemShareBp, 10_000)
        let byMinPayable = max(0, totalAfterDiscounts - rules.minPayableKopecks)
        // Discounts and points together stay within the program's share of the receipt before discounts.
        let byBenefit = max(0, Arithmetic.mulDiv(total, rules.maxBenefitShareBp, 10_000) - discounted)
        let ruleLimitKopecks = min(eligible, byShare, byMinPayable, byBenefit)
        ruleLimitPoints = ReceiptCalculator.floorToStep(ReceiptCalculator.kopecksToPointsFloor(ruleLimitKopecks, rules), rules.pointsStep)
        let spendable = customer.map { max(0, ReceiptCalculator.floorToStep($0.spendablePoints, rules.pointsStep)) } ?? 0
        maxRedeemable = min(ruleLimitPoints, spendable)

        // What the till wants: `max` wants the whole spendable balance.
        var requested: Points
        switch redeem {
        case .max: requested = spendable
        case .points(let points): requested = max(0, points)
        }
        if requested > 0, customer == nil {
            reasons.append(.init("redemption_needs_customer"))
            requested = 0
        }
        if requested > ruleLimitPoints, schedule == nil {
            if ruleLimitKopecks == byShare, byShare < eligible {
                reasons.append(.init("redemption_capped_share", .percent(maxRedeemShareBp), .money(byShare)))
            } else if ruleLimitKopecks == byBenefit, byBenefit < eligible {
                reasons.append(.init("redemption_capped_benefit", .percent(rules.maxBenefitShareBp), .money(byBenefit)))
            } else if ruleLimitKopecks == byMinPayable, byMinPayable < eligible {
                reasons.append(.init("redemption_capped_min_payable", .money(rules.minPayableKopecks)))
            } else {
                reasons.append(.init("redemption_capped_eligible", .money(eligible)))
            }
        }
        let balanceBinds = requested > spendable || (redeem == .max && customer != nil && spendable > 0)
        if balanceBinds, spendable < ruleLimitPoints {
            reasons.append(.init("redemption_capped_balance", .points(spendable)))
        }
        redeemedPoints = ReceiptCalculator.floorToStep(min(requested, maxRedeemable), rules.pointsStep)
        redeemedKopecks = ReceiptCalculator.pointsToKopecksFloor(redeemedPoints, rules)
        // Spend only the points the discount needs (matters when a point is not worth a whole kopeck multiple).
        redeemedPoints = min(redeemedPoints, ReceiptCalculator.kopecksToPointsCeil(redeemedKopecks, rules))
        // Most receipts spend nothing: their lines keep the zeros they started with.
        if redeemedKopecks > 0 {
            Arithmetic.distribute(redeemedKopecks, over: redeemWeights, into: &lineRedeemedKopecks)
            Arithmetic.distribute(redeemedPoints, over: lineRedeemedKopecks, step: rules.linePointsStep, into: &lineRedeemedPoints)
        }
        if redeemedPoints > 0 {
            reasons.append(.init("redemption_applied", .points(redeemedPoints), .money(redeemedKopecks)))
        }
    }

    /// The smallest cap on the share of line `index` points may pay, in basis points; nil when none covers it.
    func lineCap(_ index: Int) -> BasisPoints? {
        var smallest: BasisPoints?
        for cap in program.redemptionLineCaps where cap.lines?.matches(terms, line: index) ?? true {
            smallest = min(smallest ?? cap.maxShareBp, cap.maxShareBp)
        }
        return smallest
    }

    /// What is paid in money earns points (or all of it, if the program says so); multipliers and bonuses add to it.
    mutating func accrue(_ candidates: [PromotionCandidate]) {
        guard customer != nil else {
            reasons.append(.init("accrual_needs_customer"))
            offerCard()
            return
        }
        let receiptSum = totalAfterDiscounts
        if rules.earnOrSpend, redeemedPoints > 0 {
            reasons.append(.init("accrual_earn_or_spend"))
            return
        }
        if !rules.accrueWithCodes, let code = context.codes.first(where: { $0.status == .valid }) {
            reasons.append(.init("accrual_with_code", .text(code.code)))
            return
        }
        if rules.maxAccrualsPerDay > 0, context.facts.accrualsToday >= rules.maxAccrualsPerDay {
            reasons.append(.init("accrual_daily_limit", .count(Int64(rules.maxAccrualsPerDay))))
            return
        }
        if receiptSum < rules.minAccrualReceiptKopecks {
            reasons.append(.init("accrual_below_minimum", .money(rules.minAccrualReceiptKopecks), .money(receiptSum)))
            return
        }
        var weights = [Kopecks](repeating: 0, count: lines.count)
        if let schedule = program.accrualWhen?.miss(at: context.time) {
            reasons.append(.init("accrual_outside_schedule", .schedule(schedule)))
        } else {
            let excluded = program.accrualExcluded
            for index in lines.indices {
                let number = index + 1
                if facts[index].noAccrual {
                    reasons.append(.init("accrual_excluded_flag", line: number))
                } else if !excluded.isEmpty, let category = lines[index].category, excluded.contains(category) {
                    reasons.append(.init("accrual_excluded_category", line: number, .text(category)))
                } else if let scope = program.accrualLines, !scope.matches(terms, line: index) {
                    reasons.append(.init("accrual_outside_scope", line: number))
                } else if !rules.accrueOnDiscountedLines, discounts[index] > 0 {
                    reasons.append(.init("accrual_excluded_discounted", line: number))
                } else {
                    weights[index] = rules.accrueOnRedeemedPart ? base(index) : base(index) - lineRedeemedKopecks[index]
                }
            }
            if redeemedKopecks > 0, !rules.accrueOnRedeemedPart {
                reasons.append(.init("accrual_excludes_redeemed_part", .money(redeemedKopecks)))
            }
        }
        excludePayments(&weights)
        let base = weights.reduce(0, +)
        let earned: Points
        if rules.accrualPerKopecks > 0 {
            // Whole points for each whole sum paid: 1 point per 100 ₽ gives 3 points for 399 ₽.
            earned = base / rules.accrualPerKopecks * 100
            if earned > 0 {
                reasons.append(.init("accrual_per_amount", .money(rules.accrualPerKopecks), .money(base), .points(earned)))
            }
        } else {
            if !rules.accrualBands.isEmpty {
                // The receipt's own sum chooses the rate; the base may be smaller (excluded lines, points paid).
                accrualRateBp = AccrualBand.rate(for: receiptSum, in: rules.accrualBands) ?? 0
                reasons.append(.init("accrual_band", .money(receiptSum), .percent(accrualRateBp)))
            }
            earned = points(on: base, rateBp: accrualRateBp, percent: 100)
            if earned > 0 {
                reasons.append(.init("accrual_rate", .percent(accrualRateBp), .money(base), .points(earned)))
            }
        }
        if earned > 0 { Arithmetic.distribute(earned, over: weights, step: rules.linePointsStep, into: &lineEarned) }
        // One array the multipliers and bonuses below split their points into, in turn.
        var shares = [Points](repeating: 0, count: lines.count)
        applyMultipliers(candidates, weights: weights, shares: &shares)
        for candidate in candidates where candidate.reward.kind == .bonusPoints {
            let bonus = candidate.reward.points ?? 0
            guard fitsBudget(candidate, value: ReceiptCalculator.pointsToKopecksFloor(bonus, rules)) else { continue }
            guard let touched = credit(bonus, preferring: candidate.lines, weights: weights, shares: &shares) else {
                reasons.append(.init("promotion_no_effect", variant: "points", promotion: candidate.id, .text(candidate.name)))
                continue
            }
            record(candidate, points: bonus, lines: touched)
            reasons.append(.init("promotion_bonus", promotion: candidate.id, .text(candidate.name), .points(bonus)))
        }
        for code in context.codes where code.status == .valid && code.points > 0 {
            guard credit(code.points, preferring: LineSet(lineCount: lines.count), weights: weights, shares: &shares) != nil else { continue }
            usedCodes.insert(code.code)
            reasons.append(.init("code_bonus", .text(code.code), .points(code.points)))
        }
        if !program.purchaseRules.isEmpty { applyPurchaseRules(weights: weights, shares: &shares) }
    }

    /// The program's rules on `purchase`: each decided on the customer's facts and the receipt's, within its caps; its
    /// points join the receipt's, over the lines that earn.
    mutating func applyPurchaseRules(weights: [Kopecks], shares: inout [Points]) {
        let customerSide = context.purchaseRules ?? PurchaseRuleFacts(facts: RuleFacts(), usage: [:])
        var facts = customerSide.facts
        let sum = totalAfterDiscounts
        facts[.amountKopecks] = total
        facts[.sumKopecks] = sum
        facts[.paidKopecks] = sum - redeemedKopecks
        facts[.items] = lines.reduce(0) { $0 + $1.quantity } / 1000
        for rule in program.purchaseRules {
            let usage = customerSide.usage[rule.id] ?? rule.caps.map { _ in RuleCapUsage() }
            switch RuleDecision.points(rule, facts: facts, level: customer?.tier?.name, usage: usage, step: rules.linePointsStep) {
            case .success(let points):
                guard credit(points, preferring: LineSet(lineCount: lines.count), weights: weights, shares: &shares) != nil else { continue }
                appliedRules = (appliedRules ?? []) + [AppliedRule(id: rule.id, name: rule.name, points: points)]
                reasons.append(.init("rule_points", .text(rule.name), .points(points)))
            case .failure(.capReached):
                reasons.append(.init("rule_cap_reached", .text(rule.name)))
            case .failure:
                continue
            }
        }
    }

    /// The part paid in ways that earn nothing (credit, a gift certificate) takes its share off every line's base.
    mutating func excludePayments(_ weights: inout [Kopecks]) {
        // Most programs exclude no way of paying and most tills do not say: nothing to allocate on every receipt.
        guard !rules.accrualExcludedPayments.isEmpty, !context.payments.isEmpty else { return }
        let paid = context.payments.reduce(0) { $0 + $1.amountKopecks }
        let excludedSum = context.payments.filter { rules.accrualExcludedPayments.contains($0.method) }.reduce(0) { $0 + $1.amountKopecks }
        guard excludedSum > 0, paid > 0 else { return }
        for index in weights.indices { weights[index] = Arithmetic.mulDiv(weights[index], paid - min(excludedSum, paid), paid) }
        reasons.append(.init("accrual_excludes_payments", .money(excludedSum), .payments(excludedMethods(rules.accrualExcludedPayments))))
    }

    /// The ways of paying in `excluded` that this receipt is paid by, in the order of `Payment.Method`.
    func excludedMethods(_ excluded: [Payment.Method]) -> [Payment.Method] {
        guard !excluded.isEmpty, !context.payments.isEmpty else { return [] }
        return Payment.Method.allCases.filter { method in
            excluded.contains(method) && context.payments.contains { $0.method == method && $0.amountKopecks > 0 }
        }
    }

    /// "A free card from N ₽": an anonymous purchase that reaches the threshold earns the customer a card.
    mutating func offerCard() {
        let threshold = rules.cardFromPurchaseKopecks
        let paid = totalAfterDiscounts
        guard threshold > 0, paid >= threshold else { return }
        reasons.append(.init("card_offered", .money(paid), .money(threshold)))
    }

    /// Points multipliers: each line earns under the largest multiplier that covers it.
    mutating func applyMultipliers(_ candidates: [PromotionCandidate], weights: [Kopecks], shares: inout [Points]) {
        guard candidates.contains(where: { $0.reward.kind == .pointsMultiplier }) else { return }
        // Each line's multiplier: the index of its candidate and its percent (-1 and 0 for none).
        var best = [(candidate: Int, percent: Int64)](repeating: (-1, 0), count: lines.count)
        for (index, candidate) in candidates.enumerated() where candidate.reward.kind == .pointsMultiplier {
            let percent = candidate.reward.multiplierPercent ?? 0
            for line in candidate.lines where weights[line] > 0 && (best[line].candidate < 0 || best[line].percent < percent) {
                best[line] = (index, percent)
            }
        }
        var own = [Kopecks](repeating: 0, count: lines.count)
        for (index, candidate) in candidates.enumerated() where candidate.reward.kind == .pointsMultiplier {
            var base: Kopecks = 0
            for line in lines.indices {
                own[line] = best[line].candidate == index ? weights[line] : 0
                base += own[line]
            }
            guard base > 0 else {
                reasons.append(.init("promotion_not_best", variant: "multiplier", promotion: candidate.id, .text(candidate.name)))
                continue
            }
            let percent = candidate.reward.multiplierPercent ?? 100
            let extra = points(on: base, rateBp: accrualRateBp, percent: percent - 100)
            guard extra > 0, fitsBudget(candidate, value: ReceiptCalculator.pointsToKopecksFloor(extra, rules)) else { continue }
            Arithmetic.distribute(extra, over: own, step: rules.linePointsStep, into: &shares)
            for line in lines.indices { lineEarned[line] += shares[line] }
            record(candidate, points: extra, lines: numbers { own[$0] > 0 })
            reasons.append(.init("promotion_multiplier", promotion: candidate.id, .text(candidate.name), .quantity(percent * 10), .money(base), .points(extra)))
        }
    }

    /// Points for a base at a rate, scaled by `percent` (100 = as is), in hundredths at the program's step and rounding.
    func points(on base: Kopecks, rateBp: BasisPoints, percent: Int64) -> Points {
        // points = base × rate / 10000 × percent / 100 × (100 / pointValue), rounded at the step.
        Arithmetic.mulDiv(base, rateBp * percent, 10_000 * rules.pointValueKopecks * rules.pointsStep, rules.accrualRounding) * rules.pointsStep
    }

    /// Adds fixed points to the lines: over the preferred lines that earn, else over every line that earns, else
    /// over the preferred lines' sums. Returns the lines credited (numbered from 1), or nil when no line can carry them.
    mutating func credit(_ points: Points, preferring preferred: LineSet, weights: [Kopecks], shares: inout [Points]) -> [Int]? {
        var chosen = [Kopecks](repeating: 0, count: lines.count)
        for line in preferred { chosen[line] = weights[line] }
        if chosen.allSatisfy({ $0 == 0 }) { chosen = weights }
        if chosen.allSatisfy({ $0 == 0 }) { for line in preferred { chosen[line] = facts[line].amount } }
        guard chosen.contains(where: { $0 > 0 }) else { return nil }
        Arithmetic.distribute(points, over: chosen, step: rules.linePointsStep, into: &shares)
        for line in lines.indices { lineEarned[line] += shares[line] }
        return numbers { chosen[$0] > 0 }
    }
}
