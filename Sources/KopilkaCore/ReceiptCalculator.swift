/// The receipt engine: lines and a program in, discounts, redemption and accrual out, with reasons.
/// Pure: the same input always gives the same output; no clock, no I/O.
///
/// The steps, in order (docs/decisions/0004 and 0005): the customer's level sets the rates; promotions are
/// checked against the receipt; discounts (wholesale, promotions, card) are taken under the stacking policy;
/// points pay for what the rules allow; what is paid in money earns points, with multipliers and bonuses.
public enum ReceiptCalculator {
    /// The customer's side of a calculation.
    public struct Customer: Sendable {
        /// Points the customer can spend now, in hundredths (may be 0; never used when negative).
        public var spendablePoints: Points
        /// The customer's level in a multilevel program, if the program has levels.
        public var tier: Tier?
        /// The groups the merchant put the customer in (`wholesale`, `staff`).
        public var groups: Set<String>

        public init(spendablePoints: Points, tier: Tier? = nil, groups: Set<String> = []) {
            self.spendablePoints = spendablePoints
            self.tier = tier
            self.groups = groups
        }
    }

    /// Calculates a receipt, compiling the rules first (use a `CompiledProgram` kept per version on hot paths).
    public static func calculate(
        lines: [ReceiptLine], rules: ProgramRules, customer: Customer?, redeem: RedeemRequest, context: ReceiptContext = .init()
    ) -> ReceiptCalculation {
        calculate(lines: lines, program: CompiledProgram(rules), customer: customer, redeem: redeem, context: context)
    }

    /// Calculates a receipt.
    /// - Parameters:
    ///   - lines: the receipt's lines, already validated.
    ///   - program: the merchant's program, compiled.
    ///   - customer: the identified customer, or nil for an anonymous receipt (which earns and spends nothing).
    ///   - redeem: what the till asks to spend; a request above what is allowed is capped here and explained
    ///     (the commit path checks the request separately and refuses instead).
    ///   - context: the store's local time, the presented codes and promotion usage.
    public static func calculate(
        lines: [ReceiptLine], program: CompiledProgram, customer: Customer?, redeem: RedeemRequest, context: ReceiptContext
    ) -> ReceiptCalculation {
        var work = ReceiptWork(lines: lines, program: program, customer: customer, context: context)
        let candidates = work.promotionCandidates()
        work.applyDiscounts(candidates)
        work.stamp()
        work.redeem(redeem)
        work.accrue(candidates)
        return work.result()
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

/// What the engine reads of a line.
struct LineFacts {
    /// The line's sum.
    let amount: Kopecks
    let quantity: Thousandths
    /// Whether its price is fixed (no discounts), it earns nothing, or points cannot pay for it: its flags, read once
    /// (the steps after read them here rather than copying the line, a retain per string and list in it).
    let fixedPrice: Bool
    let noAccrual: Bool
    let noRedemption: Bool
    /// The lowest it may go at all, points included: its minimum price × quantity.
    let priceFloor: Kopecks
    /// The lowest it may go after discounts: its price floor, and the policy's largest discount share.
    let floor: Kopecks
}

/// One calculation in progress: each step reads what the earlier ones left and adds its reasons.
struct ReceiptWork {
    let lines: [ReceiptLine]
    let program: CompiledProgram
    /// The program's rules (read through the program: a copy of every list and name in them cost each receipt a
    /// retain and a release apiece).
    // Inlined: a call returned a copy of the whole rules (perf: `memcpy` under `rules.getter`).
    @inline(__always) var rules: ProgramRules { program.rules }
    /// The rates the customer's level sets, else the program's; the receipt's sum may set the accrual rate (bands).
    var accrualRateBp: BasisPoints
    var maxRedeemShareBp: BasisPoints
    var discountBp: BasisPoints
    let customer: ReceiptCalculator.Customer?
    let context: ReceiptContext
    /// What the engine reads of each line, worked out once (one array: an array per fact cost each receipt an
    /// allocation apiece).
    let facts: [LineFacts]
    /// The receipt's sum before discounts.
    let total: Kopecks
    /// Each line's category, SKU and tags as the program's vocabulary numbers them (for scope tests).
    let terms: ReceiptTerms
    var discounts: [Kopecks]
    /// Lines a promotion discounted.
    var promoted: [Bool]
    /// Whether an exclusive promotion applies (then nothing else discounts).
    var exclusive = false
    var reasons: [Reason] = []
    var applied: [AppliedPromotion] = []
    /// The rules on `purchase` that added points; nil until one does (one collection less to copy on most receipts).
    var appliedRules: [AppliedRule]?
    var gifts: [Gift] = []
    var usedCodes: Set<String> = []
    var stamps: [StampOutcome] = []

    var redeemedKopecks: Kopecks = 0
    var redeemedPoints: Points = 0
    var lineRedeemedKopecks: [Kopecks]
    var lineRedeemedPoints: [Points]
    var maxRedeemable: Points = 0
    var ruleLimitPoints: Points = 0
    var lineEarned: [Points]

    init(lines: [ReceiptLine], program: CompiledProgram, customer: ReceiptCalculator.Customer?, context: ReceiptContext) {
        self.lines = lines
        self.program = program
        self.customer = customer
        self.context = context
        accrualRateBp = program.rules.accrualRateBp
        maxRedeemShareBp = program.rules.maxRedeemShareBp
        discountBp = program.rules.discountBp
        // Every line's facts in one pass, each array allocated once at its size.
        let count = lines.count, maxShare = program.rules.stacking.maxLineDiscountBp
        var facts: [LineFacts] = []
        facts.reserveCapacity(count)
        for index in lines.indices {
            let amount = lines[index].total, quantity = lines[index].quantity
            let priceFloor = min(amount, lines[index].minPrice.map { Arithmetic.mulDiv($0, quantity, 1000, .up) } ?? 0)
            var flags: (noDiscount: Bool, noAccrual: Bool, noRedemption: Bool) = (false, false, false)
            for flag in lines[index].flags {
                switch flag {
                case .noDiscount: flags.noDiscount = true
                case .noAccrual: flags.noAccrual = true
                case .noRedemption: flags.noRedemption = true
                }
            }
            facts.append(LineFacts(
                amount: amount, quantity: quantity, fixedPrice: flags.noDiscount, noAccrual: flags.noAccrual,
                noRedemption: flags.noRedemption, priceFloor: priceFloor, floor: max(priceFloor, amount - Arithmetic.mulDiv(amount, maxShare, 10_000))))
        }
        self.facts = facts
        terms = ReceiptTerms(lines, program.vocabulary)
        total = facts.reduce(0) { $0 + $1.amount }
        // A reason for each promotion the program has, a few for each line (its exclusions), and a few more, without
        // growing the array on the way (perf: growing it from room for the promotions alone was 3 % of a receipt).
        reasons.reserveCapacity(program.promotions.count + 4 * lines.count + 16)
        applied.reserveCapacity(program.promotions.count)
        let zeros = [Int64](repeating: 0, count: lines.count)
        discounts = zeros
        promoted = [Bool](repeating: false, count: lines.count)
        lineRedeemedKopecks = zeros
        lineRedeemedPoints = zeros
        lineEarned = zeros
        if let tier = customer?.tier {
            // The level's rates and cap replace the program's for this customer.
            accrualRateBp = tier.accrualRateBp
            maxRedeemShareBp = tier.maxRedeemShareBp ?? maxRedeemShareBp
            discountBp = tier.discountBp ?? discountBp
            reasons.append(.init("tier", .text(tier.name), .percent(tier.accrualRateBp)))
        }
    }

    /// What each line costs after discounts.
    var bases: [Kopecks] { zip(facts, discounts).map { $0.amount - $1 } }

    /// What line `index` costs after discounts.
    func base(_ index: Int) -> Kopecks { facts[index].amount - discounts[index] }

    /// The lines, numbered from 1 as reasons name them, that `holds` for (by index).
    func numbers(_ holds: (Int) -> Bool) -> [Int] {
        var numbers: [Int] = []
        // Reserved: growing the array reallocates it.
        numbers.reserveCapacity(lines.count)
        for index in lines.indices where holds(index) { numbers.append(index + 1) }
        return numbers
    }

    /// What the receipt costs after discounts.
    var totalAfterDiscounts: Kopecks { total - discounts.reduce(0, +) }

    func result() -> ReceiptCalculation {
        let outcomes = lines.indices.map { index in
            LineOutcome(
                line: index + 1, amount: facts[index].amount, discount: discounts[index],
                redeemedKopecks: lineRedeemedKopecks[index], redeemedPoints: lineRedeemedPoints[index],
                payable: base(index) - lineRedeemedKopecks[index], earnedPoints: lineEarned[index])
        }
        let discount = discounts.reduce(0, +)
        let codes = context.codes.map { CodeOutcome(code: $0.code, status: $0.status, applied: usedCodes.contains($0.code)) }
        return ReceiptCalculation(
            lines: outcomes, amount: total, discount: discount, redeemedKopecks: redeemedKopecks, redeemedPoints: redeemedPoints,
            payable: total - discount - redeemedKopecks, earnedPoints: lineEarned.reduce(0, +), maxRedeemable: maxRedeemable,
            ruleLimitPoints: ruleLimitPoints, promotions: applied, gifts: gifts, codes: codes, stamps: stamps, rules: appliedRules,
            explanation: reasons)
    }

    /// Records what a promotion gave (each promotion gives once: a discount or points) to the lines `numbers` (from 1).
    mutating func record(_ candidate: PromotionCandidate, discount: Kopecks = 0, points: Points = 0, lines numbers: [Int]) {
        if let code = candidate.code { usedCodes.insert(code) }
        applied.append(AppliedPromotion(
            id: candidate.id, name: candidate.name, discount: discount, earnedPoints: points,
            valueKopecks: discount + ReceiptCalculator.pointsToKopecksFloor(points, rules), lines: numbers, code: candidate.code))
    }

    /// Whether a promotion's budget can pay `value` more; explains the refusal.
    mutating func fitsBudget(_ candidate: PromotionCandidate, value: Kopecks) -> Bool {
        guard let budget = candidate.promotion.promotion.limits?.budgetKopecks else { return true }
        let left = budget - (context.usage[candidate.id]?.spentKopecks ?? 0)
        guard value > left else { return true }
        reasons.append(.init("promotion_budget_spent", promotion: candidate.id, .text(candidate.name), .money(max(0, left)), .money(value)))
        return false
    }
}
