/// A promotion whose conditions the receipt meets, with the lines it looks at.
struct PromotionCandidate {
    let promotion: CompiledPromotion
    /// Indices of the lines in the promotion's scope (for discounts, those that allow discounts).
    let lines: LineSet
    /// The code that unlocked it.
    let code: String?

    var id: String { promotion.id }
    var reward: Reward { promotion.reward }
    var name: String { promotion.promotion.name }
}

extension ReceiptWork {
    /// Checks every switched-on promotion's conditions, in priority order, and explains those that do not apply.
    /// When an exclusive promotion applies, it is the only candidate.
    mutating func promotionCandidates() -> [PromotionCandidate] {
        let unlocked = unlockCodes()
        var found: [PromotionCandidate] = []
        for promotion in program.promotions {
            if let candidate = check(promotion, unlocked: unlocked) { found.append(candidate) }
        }
        guard let chosen = found.first(where: { $0.promotion.promotion.exclusive }) else { return found }
        exclusive = true
        for other in found where other.id != chosen.id {
            reasons.append(.init("promotion_excluded", promotion: other.id, .text(other.name), .text(chosen.name)))
        }
        reasons.append(.init("promotion_exclusive", promotion: chosen.id, .text(chosen.name)))
        return [chosen]
    }

    /// The promotions the presented codes unlock, by id; explains codes that cannot be used.
    mutating func unlockCodes() -> [String: String] {
        var unlocked: [String: String] = [:]
        for code in context.codes {
            switch code.status {
            case .valid: break
            case .unknown: reasons.append(.init("code_unknown", .text(code.code))); continue
            case .notStarted: reasons.append(.init("code_not_started", .text(code.code))); continue
            case .expired: reasons.append(.init("code_expired", .text(code.code))); continue
            case .used: reasons.append(.init("code_used", .text(code.code))); continue
            case .customerLimit: reasons.append(.init("code_customer_limit", .text(code.code))); continue
            case .needsCustomer: reasons.append(.init("code_needs_customer", .text(code.code))); continue
            }
            guard let promotionId = code.promotionId else { continue }
            guard let promotion = program.promotions.first(where: { $0.id == promotionId }) else {
                reasons.append(.init("code_promotion_inactive", promotion: promotionId, .text(code.code)))
                continue
            }
            if !promotion.promotion.requiresCode {
                reasons.append(.init("code_not_needed", promotion: promotionId, .text(code.code), .text(promotion.promotion.name)))
            } else if unlocked[promotionId] != nil {
                reasons.append(.init("code_duplicate", promotion: promotionId, .text(code.code), .text(promotion.promotion.name)))
            } else {
                unlocked[promotionId] = code.code
            }
        }
        return unlocked
    }

    /// The promotion as a candidate, or nil with the reason it does not apply.
    mutating func check(_ compiled: CompiledPromotion, unlocked: [String: String]) -> PromotionCandidate? {
        // Every reason about the promotion names it first; its values are built in one array (most promotions of a
        // large program are ruled out on every receipt, so this runs often).
        func skip(_ code: String, variant: String? = nil, _ first: ReasonValue? = nil, _ second: ReasonValue? = nil) -> PromotionCandidate? {
            var values: [ReasonValue] = []
            values.reserveCapacity(3)
            values.append(.text(compiled.promotion.name))
            if let first { values.append(first) }
            if let second { values.append(second) }
            return skip(code, variant: variant, values: values)
        }
        // The same with values made when the program was compiled (`CompiledPromotion.named`).
        func skip(_ code: String, variant: String? = nil, values: [ReasonValue]) -> PromotionCandidate? {
            reasons.append(Reason(code, variant: variant, promotion: compiled.promotion.id, values: values))
            return nil
        }
        let code = unlocked.isEmpty ? nil : unlocked[compiled.promotion.id]
        if compiled.promotion.requiresCode, code == nil { return skip("promotion_needs_code", values: compiled.named) }
        if let miss = compiled.when?.miss(at: context.time) { return skip(miss.promotionCode, values: compiled.named(miss)) }
        if let stores = compiled.stores, !stores.contains(context.storeId ?? "") { return skip("promotion_other_store", values: compiled.named) }
        if compiled.needsCustomer, customer == nil { return skip("promotion_needs_customer", values: compiled.named) }
        if let window = compiled.promotion.birthday {
            guard let birthday = context.facts.birthday, let today = context.time?.date, window.contains(today, birthday: birthday) else {
                return skip("promotion_not_birthday", values: compiled.named)
            }
        }
        if let days = compiled.promotion.recencyDays {
            guard let last = context.facts.lastPurchase, let today = context.time?.date, today.day - last.day <= Int64(days) else {
                return skip("promotion_not_recent", .count(Int64(days)))
            }
        }
        if let tiers = compiled.tiers, !tiers.contains(customer?.tier?.name ?? "") {
            return skip("promotion_needs_tier", values: compiled.namedTiers)
        }
        if let groups = compiled.groups, groups.isDisjoint(with: customer?.groups ?? []) {
            return skip("promotion_needs_group", values: compiled.namedGroups)
        }
        if let conditions = compiled.promotion.conditions {
            let facts = context.purchaseRules?.facts ?? RuleFacts()
            if let failed = conditions.first(where: { !$0.holds(in: facts) }) {
                return skip("promotion_condition_not_met", .condition(failed))
            }
        }
        if let limits = compiled.promotion.limits {
            let usage = context.usage[compiled.promotion.id] ?? PromotionUsage()
            if let total = limits.totalUses, usage.uses >= total {
                return skip("promotion_limit_reached", .count(Int64(usage.uses)), .count(Int64(total)))
            }
            if let perDay = limits.usesPerDay, usage.dayUses >= perDay {
                return skip("promotion_limit_reached", variant: "today", .count(Int64(usage.dayUses)), .count(Int64(perDay)))
            }
            if let perCustomer = limits.usesPerCustomer, usage.customerUses >= perCustomer {
                // Counted over all time, or in this day, week, month or year (`customer_year`).
                let variant = limits.customerPeriod.map { "customer_\($0.rawValue)" } ?? "customer"
                return skip("promotion_limit_reached", variant: variant, .count(Int64(usage.customerUses)), .count(Int64(perCustomer)))
            }
        }
        var matched = LineSet(lineCount: lines.count)
        let scope = compiled.lines
        for index in lines.indices where scope?.matches(terms, line: index) ?? true {
            if compiled.promotion.reward.isDiscount, compiled.promotion.reward.kind != .gift, facts[index].fixedPrice {
                reasons.append(.init("promotion_excluded_flag", line: index + 1, promotion: compiled.promotion.id, values: compiled.named))
            } else {
                matched.insert(index)
            }
        }
        if matched.isEmpty { return skip("promotion_no_lines", values: compiled.named) }
        // The threshold counts the matching lines, or the whole receipt ("toys −3 % on an order from 1,000 ₽").
        let wholeReceipt = compiled.promotion.thresholdOn == .receipt
        if let minimum = compiled.promotion.minAmountKopecks {
            let sum = wholeReceipt ? total : matched.reduce(0) { $0 + facts[$1].amount }
            if sum < minimum {
                return skip("promotion_below_threshold", variant: wholeReceipt ? "receipt" : nil, .money(minimum), .money(sum))
            }
        }
        if let minimum = compiled.promotion.minQuantity {
            let quantity = wholeReceipt ? facts.reduce(0) { $0 + $1.quantity } : matched.reduce(0) { $0 + facts[$1].quantity }
            if quantity < minimum {
                let variant = wholeReceipt ? "receipt_units" : "units"
                return skip("promotion_below_threshold", variant: variant, .quantity(minimum), .quantity(quantity))
            }
        }
        return PromotionCandidate(promotion: compiled, lines: matched, code: code)
    }
}
