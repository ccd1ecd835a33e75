/// The receipt engine: lines and a program in, discounts, redemption and accrual out, with reasons.
/// Pure: the same input always gives the same output; no clock, no I/O.
public enum ReceiptCalculator {
    /// The customer's side of a calculation.
    public struct Customer: Sendable {
        /// Points the customer can spend now, in hundredths (may be 0; never used when negative).
        public var spendablePoints: Points
        /// The customer's level in a multilevel program, if the program has levels.
        public var tier: Tier?

        public init(spendablePoints: Points, tier: Tier? = nil) {
            self.spendablePoints = spendablePoints
            self.tier = tier
        }
    }

    /// Calculates a receipt.
    /// - Parameters:
    ///   - lines: the receipt's lines, already validated.
    ///   - rules: the merchant's program.
    ///   - customer: the identified customer, or nil for an anonymous receipt (which earns and spends nothing).
    ///   - redeem: what the till asks to spend; a request above what is allowed is capped here and explained
    ///     (the commit path checks the request separately and refuses instead).
    public static func calculate(
        lines: [ReceiptLine], rules: ProgramRules, customer: Customer?, redeem: RedeemRequest
    ) -> ReceiptCalculation {
        var reasons: [Reason] = []
        var rules = rules
        if let tier = customer?.tier {
            // The level's rates and cap replace the program's for this customer.
            rules.accrualRateBp = tier.accrualRateBp
            rules.maxRedeemShareBp = tier.maxRedeemShareBp ?? rules.maxRedeemShareBp
            rules.discountBp = tier.discountBp ?? rules.discountBp
            reasons.append(.init(code: "tier", message: "level «\(tier.name)»: \(formatPercent(tier.accrualRateBp)) back"))
        }
        let amounts = lines.map(\.total)
        let discounts = cardDiscounts(lines: lines, amounts: amounts, rules: rules, identified: customer != nil, reasons: &reasons)
        let bases = zip(amounts, discounts).map { $0 - $1 }
        let total = amounts.reduce(0, +)
        let totalAfterDiscounts = bases.reduce(0, +)

        // Which lines may be paid with points.
        var redeemWeights = [Kopecks](repeating: 0, count: lines.count)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.has(.noDiscount) {
                reasons.append(.init(code: "redemption_excluded_flag", line: number,
                                     message: "line \(number): price is fixed (noDiscount), points cannot pay for it"))
            } else if line.has(.noRedemption) {
                reasons.append(.init(code: "redemption_excluded_flag", line: number,
                                     message: "line \(number): marked noRedemption, points cannot pay for it"))
            } else if let category = line.category, rules.redemptionExcludedCategories.contains(category) {
                reasons.append(.init(code: "redemption_excluded_category", line: number,
                                     message: "line \(number): category `\(category)` excluded from redemption"))
            } else if discounts[index] > 0, !rules.redeemOnDiscountedLines {
                reasons.append(.init(code: "redemption_excluded_discounted", line: number,
                                     message: "line \(number): discounted already, points cannot pay for it"))
            } else {
                redeemWeights[index] = bases[index]
            }
        }

        // The most the rules allow, in kopecks, and which limit binds.
        let eligible = redeemWeights.reduce(0, +)
        let byShare = Arithmetic.mulDiv(totalAfterDiscounts, rules.maxRedeemShareBp, 10_000)
        let byMinPayable = max(0, totalAfterDiscounts - rules.minPayableKopecks)
        let ruleLimitKopecks = min(eligible, byShare, byMinPayable)
        let ruleLimitPoints = floorToStep(kopecksToPointsFloor(ruleLimitKopecks, rules), rules.pointsStep)
        let spendable = customer.map { max(0, floorToStep($0.spendablePoints, rules.pointsStep)) } ?? 0
        let maxRedeemable = min(ruleLimitPoints, spendable)

        // What the till wants: `max` wants the whole spendable balance.
        var requested: Points
        switch redeem {
        case .max: requested = spendable
        case .points(let points): requested = max(0, points)
        }
        if requested > 0, customer == nil {
            reasons.append(.init(code: "redemption_needs_customer", message: "an anonymous receipt cannot be paid with points"))
            requested = 0
        }
        if requested > ruleLimitPoints {
            if ruleLimitKopecks == byShare, byShare < eligible {
                reasons.append(.init(code: "redemption_capped_share",
                                     message: "capped at \(formatPercent(rules.maxRedeemShareBp)) of the check (\(formatHundredths(byShare)))"))
            } else if ruleLimitKopecks == byMinPayable, byMinPayable < eligible {
                reasons.append(.init(code: "redemption_capped_min_payable",
                                     message: "capped so that at least \(formatHundredths(rules.minPayableKopecks)) is paid in money"))
            } else {
                reasons.append(.init(code: "redemption_capped_eligible",
                                     message: "capped at the sum of lines that points may pay for (\(formatHundredths(eligible)))"))
            }
        }
        let balanceBinds = requested > spendable || (redeem == .max && customer != nil && spendable > 0)
        if balanceBinds, spendable < ruleLimitPoints {
            reasons.append(.init(code: "redemption_capped_balance",
                                 message: "capped at the spendable balance (\(formatHundredths(spendable)) points)"))
        }
        var redeemedPoints = floorToStep(min(requested, maxRedeemable), rules.pointsStep)
        let redeemedKopecks = pointsToKopecksFloor(redeemedPoints, rules)
        // Spend only the points the discount needs (matters when a point is not worth a whole kopeck multiple).
        redeemedPoints = min(redeemedPoints, kopecksToPointsCeil(redeemedKopecks, rules))
        let lineRedeemedKopecks = Arithmetic.distribute(redeemedKopecks, over: redeemWeights)
        let lineRedeemedPoints = Arithmetic.distribute(redeemedPoints, over: lineRedeemedKopecks)
        if redeemedPoints > 0 {
            reasons.append(.init(code: "redemption_applied",
                                 message: "\(formatHundredths(redeemedPoints)) points pay \(formatHundredths(redeemedKopecks)) of the check"))
        }

        // Accrual: on what each eligible line is paid in money (or in full, if the program says so).
        var accrualWeights = [Kopecks](repeating: 0, count: lines.count)
        if customer == nil {
            reasons.append(.init(code: "accrual_needs_customer", message: "an anonymous receipt earns no points"))
        } else {
            for (index, line) in lines.enumerated() {
                let number = index + 1
                if line.has(.noAccrual) {
                    reasons.append(.init(code: "accrual_excluded_flag", line: number,
                                         message: "line \(number): marked noAccrual, earns no points"))
                } else if let category = line.category, rules.accrualExcludedCategories.contains(category) {
                    reasons.append(.init(code: "accrual_excluded_category", line: number,
                                         message: "line \(number): category `\(category)` excluded from accrual"))
                } else {
                    accrualWeights[index] = rules.accrueOnRedeemedPart ? bases[index] : bases[index] - lineRedeemedKopecks[index]
                }
            }
            if redeemedKopecks > 0, !rules.accrueOnRedeemedPart {
                reasons.append(.init(code: "accrual_excludes_redeemed_part",
                                     message: "the \(formatHundredths(redeemedKopecks)) paid with points earns no points"))
            }
        }
        let accrualBase = accrualWeights.reduce(0, +)
        // points = base × rate / 10000 × (100 / pointValue), in hundredths, rounded at the program's step.
        let earnedPoints = Arithmetic.mulDiv(
            accrualBase, rules.accrualRateBp * 100, 10_000 * rules.pointValueKopecks * rules.pointsStep, rules.accrualRounding
        ) * rules.pointsStep
        let lineEarned = Arithmetic.distribute(earnedPoints, over: accrualWeights)
        if earnedPoints > 0 {
            reasons.append(.init(code: "accrual_rate",
                                 message: "\(formatPercent(rules.accrualRateBp)) of \(formatHundredths(accrualBase)) earns \(formatHundredths(earnedPoints)) points"))
        }

        let outcomes = lines.indices.map { index in
            LineOutcome(
                line: index + 1, amount: amounts[index], discount: discounts[index],
                redeemedKopecks: lineRedeemedKopecks[index], redeemedPoints: lineRedeemedPoints[index],
                payable: bases[index] - lineRedeemedKopecks[index], earnedPoints: lineEarned[index])
        }
        return ReceiptCalculation(
            lines: outcomes, amount: total, discount: total - totalAfterDiscounts,
            redeemedKopecks: redeemedKopecks, redeemedPoints: redeemedPoints,
            payable: totalAfterDiscounts - redeemedKopecks, earnedPoints: earnedPoints,
            maxRedeemable: maxRedeemable, ruleLimitPoints: ruleLimitPoints, explanation: reasons)
    }

    /// The card (or level) discount: a percentage of every line that allows discounts, for identified customers.
    /// The receipt's discount is computed on the eligible sum and split over the lines, so lines add up exactly.
    static func cardDiscounts(
        lines: [ReceiptLine], amounts: [Kopecks], rules: ProgramRules, identified: Bool, reasons: inout [Reason]
    ) -> [Kopecks] {
        guard rules.discountBp > 0 else { return [Kopecks](repeating: 0, count: lines.count) }
        guard identified else {
            reasons.append(.init(code: "discount_needs_customer", message: "the card discount needs an identified customer"))
            return [Kopecks](repeating: 0, count: lines.count)
        }
        var weights = [Kopecks](repeating: 0, count: lines.count)
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if line.has(.noDiscount) {
                reasons.append(.init(code: "discount_excluded_flag", line: number, message: "line \(number): price is fixed (noDiscount), no discount"))
            } else if let category = line.category, rules.discountExcludedCategories.contains(category) {
                reasons.append(.init(code: "discount_excluded_category", line: number,
                                     message: "line \(number): category `\(category)` excluded from the discount"))
            } else {
                weights[index] = amounts[index]
            }
        }
        let eligible = weights.reduce(0, +)
        let total = Arithmetic.mulDiv(eligible, rules.discountBp, 10_000)
        if total > 0 {
            reasons.append(.init(code: "discount_rate",
                                 message: "card discount \(formatPercent(rules.discountBp)) of \(formatHundredths(eligible)): \(formatHundredths(total))"))
        }
        return Arithmetic.distribute(total, over: weights)
    }

    /// The discount `points` buy, in kopecks, floored.
    public static func pointsToKopecksFloor(_ points: Points, _ rules: ProgramRules) -> Kopecks {
        Arithmetic.mulDiv(points, rules.pointValueKopecks, 100)
    }

    static func kopecksToPointsFloor(_ kopecks: Kopecks, _ rules: ProgramRules) -> Points {
        Arithmetic.mulDiv(kopecks, 100, rules.pointValueKopecks)
    }

    static func kopecksToPointsCeil(_ kopecks: Kopecks, _ rules: ProgramRules) -> Points {
        Arithmetic.mulDiv(kopecks, 100, rules.pointValueKopecks, .up)
    }

    static func floorToStep(_ points: Points, _ step: Points) -> Points {
        points - points % step
    }
}
