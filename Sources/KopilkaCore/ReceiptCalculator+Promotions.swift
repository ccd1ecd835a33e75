/// A promotion whose conditions the receipt meets, with the lines it looks at.
struct PromotionCandidate {
    let promotion: CompiledPromotion
    /// Indices of the lines in the promotion's scope (for discounts, those that allow discounts).
    let lines: [Int]
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
            reasons.append(.init(code: "promotion_excluded", message: "«\(other.name)»: «\(chosen.name)» is exclusive", promotion: other.id))
        }
        reasons.append(.init(code: "promotion_exclusive", message: "«\(chosen.name)» is exclusive: no other discount applies", promotion: chosen.id))
        return [chosen]
    }

    /// The promotions the presented codes unlock, by id; explains codes that cannot be used.
    mutating func unlockCodes() -> [String: String] {
        var unlocked: [String: String] = [:]
        for code in context.codes {
            switch code.status {
            case .valid: break
            case .unknown: reasons.append(.init(code: "code_unknown", message: "code \(code.code): no such code")); continue
            case .notStarted: reasons.append(.init(code: "code_not_started", message: "code \(code.code): not valid yet")); continue
            case .expired: reasons.append(.init(code: "code_expired", message: "code \(code.code): expired")); continue
            case .used: reasons.append(.init(code: "code_used", message: "code \(code.code): already used")); continue
            case .customerLimit:
                reasons.append(.init(code: "code_customer_limit", message: "code \(code.code): the customer has used this offer as often as allowed"))
                continue
            case .needsCustomer: reasons.append(.init(code: "code_needs_customer", message: "code \(code.code): needs an identified customer")); continue
            }
            guard let promotionId = code.promotionId else { continue }
            guard let promotion = program.promotions.first(where: { $0.id == promotionId }) else {
                reasons.append(.init(code: "code_promotion_inactive", message: "code \(code.code): its promotion is not running", promotion: promotionId))
                continue
            }
            if !promotion.promotion.requiresCode {
                reasons.append(.init(code: "code_not_needed", message: "code \(code.code): «\(promotion.promotion.name)» needs no code", promotion: promotionId))
            } else if unlocked[promotionId] != nil {
                reasons.append(.init(code: "code_duplicate", message: "code \(code.code): «\(promotion.promotion.name)» is unlocked by another code", promotion: promotionId))
            } else {
                unlocked[promotionId] = code.code
            }
        }
        return unlocked
    }

    /// The promotion as a candidate, or nil with the reason it does not apply.
    mutating func check(_ compiled: CompiledPromotion, unlocked: [String: String]) -> PromotionCandidate? {
        func skip(_ code: String, _ message: String) -> PromotionCandidate? {
            reasons.append(.init(code: code, message: compiled.prefix + message, promotion: compiled.promotion.id))
            return nil
        }
        let code = unlocked[compiled.promotion.id]
        if compiled.promotion.requiresCode, code == nil { return skip("promotion_needs_code", "needs a promo code") }
        if let miss = compiled.when?.miss(at: context.time) { return skip(miss.kind.promotionCode, miss.message) }
        if let stores = compiled.stores, !stores.contains(context.storeId ?? "") { return skip("promotion_other_store", "not in this store") }
        let promotion = compiled.promotion
        let needsCustomer = compiled.tiers != nil || compiled.groups != nil || !promotion.reward.isDiscount
            || promotion.limits?.usesPerCustomer != nil || promotion.birthday != nil || promotion.recencyDays != nil
        if needsCustomer, customer == nil { return skip("promotion_needs_customer", "needs an identified customer") }
        if let window = promotion.birthday {
            guard let birthday = context.facts.birthday, let today = context.time?.date, window.contains(today, birthday: birthday) else {
                return skip("promotion_not_birthday", "only around the customer's birthday")
            }
        }
        if let days = promotion.recencyDays {
            guard let last = context.facts.lastPurchase, let today = context.time?.date, today.day - last.day <= Int64(days) else {
                return skip("promotion_not_recent", "only when the previous purchase was at most \(days) days ago")
            }
        }
        if let tiers = compiled.tiers, !tiers.contains(customer?.tier?.name ?? "") {
            return skip("promotion_needs_tier", "for levels \(compiled.promotion.tiers?.map { "«\($0)»" }.joined(separator: ", ") ?? "")")
        }
        if let groups = compiled.groups, groups.isDisjoint(with: customer?.groups ?? []) {
            return skip("promotion_needs_group", "for groups \(compiled.promotion.groups?.joined(separator: ", ") ?? "")")
        }
        if let limits = compiled.promotion.limits {
            let usage = context.usage[compiled.promotion.id] ?? PromotionUsage()
            if let total = limits.totalUses, usage.uses >= total { return skip("promotion_limit_reached", "used \(usage.uses) of \(total) times") }
            if let perDay = limits.usesPerDay, usage.dayUses >= perDay { return skip("promotion_limit_reached", "used \(usage.dayUses) of \(perDay) times today") }
            if let perCustomer = limits.usesPerCustomer, usage.customerUses >= perCustomer {
                return skip("promotion_limit_reached", "the customer has used it \(usage.customerUses) of \(perCustomer) times")
            }
        }
        var matched: [Int] = []
        for index in lines.indices where compiled.lines?.matches(terms[index]) ?? true {
            if compiled.promotion.reward.isDiscount, compiled.promotion.reward.kind != .gift, fixedPrice[index] {
                reasons.append(.init(code: "promotion_excluded_flag", line: index + 1,
                                     message: "line \(index + 1): price is fixed (noDiscount), «\(compiled.promotion.name)» does not lower it", promotion: compiled.promotion.id))
            } else {
                matched.append(index)
            }
        }
        if matched.isEmpty { return skip("promotion_no_lines", "no line of the receipt is in its scope") }
        if let minimum = compiled.promotion.minAmountKopecks {
            let sum = matched.reduce(0) { $0 + amounts[$1] }
            if sum < minimum { return skip("promotion_below_threshold", "needs \(formatHundredths(minimum)), the lines add up to \(formatHundredths(sum))") }
        }
        if let minimum = compiled.promotion.minQuantity {
            let quantity = matched.reduce(0) { $0 + lines[$1].quantity }
            if quantity < minimum {
                return skip("promotion_below_threshold", "needs \(formatQuantity(minimum)) units, the lines hold \(formatQuantity(quantity))")
            }
        }
        return PromotionCandidate(promotion: compiled, lines: matched, code: code)
    }
}
