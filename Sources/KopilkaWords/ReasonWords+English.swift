import KopilkaCore

extension ReasonWords {
    /// The reasons in English, by code (and variant): what tills have always printed and logged.
    static let english_: [String: String] = [
        "tier": "level «{1}»: {2} back",
        "promotion_budget_spent": "«{1}»: its budget has {2} left, this receipt would take {3}",
        "redemption_outside_schedule": "points cannot be spent now: {1}",
        "redemption_below_minimum": "points pay for receipts from {1}; this one is {2}",
        "redemption_daily_limit": "points pay for at most {1} receipts a day",
        "redemption_excluded_payments": "points pay for nothing on a receipt paid by {1}",
        "redemption_not_with_discounts": "points do not combine with other discounts, and this receipt has one",
        "redemption_excluded_flag.no_discount": "line {0}: price is fixed (noDiscount), points cannot pay for it",
        "redemption_excluded_flag": "line {0}: marked noRedemption, points cannot pay for it",
        "redemption_excluded_category": "line {0}: category `{1}` excluded from redemption",
        "redemption_outside_scope": "line {0}: points may pay only for the program's redemption lines",
        "redemption_line_capped": "line {0}: points pay at most {1} of it",
        "redemption_excluded_discounted": "line {0}: discounted already, points cannot pay for it",
        "redemption_needs_customer": "an anonymous receipt cannot be paid with points",
        "redemption_capped_share": "capped at {1} of the check ({2})",
        "redemption_capped_benefit": "capped so that discounts and points give at most {1} of the check ({2} left)",
        "redemption_capped_min_payable": "capped so that at least {1} is paid in money",
        "redemption_capped_eligible": "capped at the sum of lines that points may pay for ({1})",
        "redemption_capped_balance": "capped at the spendable balance ({1} points)",
        "redemption_applied": "{1} points pay {2} of the check",
        "accrual_needs_customer": "an anonymous receipt earns no points",
        "accrual_earn_or_spend": "points were spent, so this receipt earns none (earn or spend)",
        "accrual_with_code": "a receipt with a promo code ({1}) earns no points",
        "accrual_daily_limit": "points are earned on at most {1} receipts a day",
        "accrual_below_minimum": "points are earned on receipts from {1}; this one is {2}",
        "accrual_outside_schedule": "no points are earned now: {1}",
        "accrual_excluded_flag": "line {0}: marked noAccrual, earns no points",
        "accrual_excluded_category": "line {0}: category `{1}` excluded from accrual",
        "accrual_outside_scope": "line {0}: points are earned only on the program's accrual lines",
        "accrual_excluded_discounted": "line {0}: discounted, earns no points",
        "accrual_excludes_redeemed_part": "the {1} paid with points earns no points",
        "accrual_excludes_payments": "the {1} paid by {2} earns no points",
        "accrual_per_amount": "1 point per {1}: {2} earns {3} points",
        "accrual_band": "a receipt of {1} earns at {2}",
        "accrual_rate": "{1} of {2} earns {3} points",
        "card_offered": "a purchase of {1} earns a free card (from {2}): offer it; register with this receipt's id",
        "promotion_bonus": "«{1}»: +{2} points",
        "rule_points": "«{1}»: +{2} points",
        "rule_cap_reached": "«{1}»: its limit is reached",
        "promotion_multiplier": "«{1}»: ×{2} points on {3}: +{4}",
        "promotion_excluded": "«{1}»: «{2}» is exclusive",
        "promotion_exclusive": "«{1}» is exclusive: no other discount applies",
        "promotion_needs_code": "«{1}»: needs a promo code",
        "promotion_outside_schedule": "«{1}»: {2}",
        "promotion_not_started": "«{1}»: {2}",
        "promotion_ended": "«{1}»: {2}",
        "promotion_outside_days": "«{1}»: {2}",
        "promotion_outside_hours": "«{1}»: {2}",
        "promotion_other_store": "«{1}»: not in this store",
        "promotion_needs_customer": "«{1}»: needs an identified customer",
        "promotion_not_birthday": "«{1}»: only around the customer's birthday",
        "promotion_condition_not_met": "«{1}»: only when {2}",
        "promotion_not_recent": "«{1}»: only when the previous purchase was at most {2} days ago",
        "promotion_needs_tier": "«{1}»: for levels {2}",
        "promotion_needs_group": "«{1}»: for groups {2}",
        "promotion_limit_reached": "«{1}»: used {2} of {3} times",
        "promotion_limit_reached.today": "«{1}»: used {2} of {3} times today",
        "promotion_limit_reached.customer": "«{1}»: the customer has used it {2} of {3} times",
        "promotion_limit_reached.customer_day": "«{1}»: the customer has used it {2} of {3} times today",
        "promotion_limit_reached.customer_week": "«{1}»: the customer has used it {2} of {3} times this week",
        "promotion_limit_reached.customer_month": "«{1}»: the customer has used it {2} of {3} times this month",
        "promotion_limit_reached.customer_year": "«{1}»: the customer has used it {2} of {3} times this year",
        "promotion_excluded_flag": "line {0}: price is fixed (noDiscount), «{1}» does not lower it",
        "promotion_no_lines": "«{1}»: no line of the receipt is in its scope",
        "promotion_below_threshold": "«{1}»: needs {2}, the lines add up to {3}",
        "promotion_below_threshold.units": "«{1}»: needs {2} units, the lines hold {3}",
        "promotion_below_threshold.receipt": "«{1}»: needs a receipt of {2}, this one is {3}",
        "promotion_below_threshold.receipt_units": "«{1}»: needs {2} units in the receipt, it holds {3}",
        "promotion_gift": "«{1}»: {2} free (line {0}, −{3})",
        "promotion_gift.add": "«{1}»: add {2} ({3}) to the receipt, free",
        "promotion_applied": "«{1}»: −{2} on {3}",
        "promotion_no_effect": "«{1}»: the prices are already at or below what it gives",
        "promotion_no_effect.points": "«{1}»: no line of the receipt can earn points",
        "promotion_not_best": "«{1}»: another discount is larger on every line",
        "promotion_not_best.multiplier": "«{1}»: a larger multiplier covers its lines, or they earn nothing",
        "code_bonus": "code {1}: +{2} points",
        "code_unknown": "code {1}: no such code",
        "code_not_started": "code {1}: not valid yet",
        "code_expired": "code {1}: expired",
        "code_used": "code {1}: already used",
        "code_customer_limit": "code {1}: the customer has used this offer as often as allowed",
        "code_needs_customer": "code {1}: needs an identified customer",
        "code_promotion_inactive": "code {1}: its promotion is not running",
        "code_not_needed": "code {1}: «{2}» needs no code",
        "code_duplicate": "code {1}: «{2}» is unlocked by another code",
        "wholesale_needs_group": "wholesale prices are for groups {1}",
        "wholesale_excluded": "wholesale prices do not combine with an exclusive promotion",
        "wholesale_step_not_reached": "wholesale from {1}: {2}, needs {3}",
        "wholesale_step_not_reached.named": "wholesale «{1}»: {2}, needs {3}",
        "wholesale_step_not_reached.units": "wholesale from {1} units: {2} units, needs {3}",
        "wholesale_step_not_reached.named_units": "wholesale «{1}»: {2} units, needs {3}",
        "wholesale_step": "wholesale from {1} reached: {2} off {3}",
        "wholesale_step.named": "wholesale «{1}» reached: {2} off {3}",
        "wholesale_step.units": "wholesale from {1} units reached: {2} off {3}",
        "wholesale_applied": "wholesale prices: −{1} on {2}",
        "wholesale_not_best": "wholesale prices: another discount is larger on every line",
        "discount_needs_customer": "the card discount needs an identified customer",
        "discount_excluded": "the card discount does not combine with an exclusive promotion",
        "discount_excluded_promoted": "line {0}: discounted by a promotion, no card discount",
        "discount_outside_level": "line {0}: the level's discount is not for this line",
        "discount_excluded_flag": "line {0}: price is fixed (noDiscount), no discount",
        "discount_excluded_category": "line {0}: category `{1}` excluded from the discount",
        "discount_capped_floor": "line {0}: discounts stop at the line's floor ({1})",
        "discount_rate": "card discount {1}: −{2} on {3}",
        "discount_not_best": "card discount: another discount is larger on every line",
        "stamp_needs_customer": "«{1}»: stamps need an identified customer",
        "stamp_below_minimum": "«{1}»: the lines add up to {2}, stamps from {3}",
        "stamp_reward_excluded": "«{1}»: no reward with an exclusive promotion, the stamps stay on the card",
        "stamp_reward_unavailable": "«{1}»: no line can take the reward, the stamps stay on the card",
        "stamp_reward": "«{1}»: reward −{2} on {3}, {4} stamps used",
        "stamp_earned": "«{1}»: +{2} stamps, {3} of {4} on the card",
    ]

    /// A value as the English sentences write it: amounts as `129.90`, as tills have always shown them.
    static func english(_ value: ReasonValue) -> String {
        switch value {
        case .money(let kopecks): formatHundredths(kopecks)
        case .points(let hundredths): formatHundredths(hundredths)
        case .percent(let bp): formatPercent(bp)
        case .quantity(let thousandths): quantity(thousandths, separator: ".")
        case .count(let count): String(count)
        case .text(let text): text
        case .names(let names): names.map { "«\($0)»" }.joined(separator: ", ")
        case .lines(let lines): (lines.count == 1 ? "line " : "lines ") + lines.map(String.init).joined(separator: ", ")
        case .payments(let methods): methods.map(\.rawValue).joined(separator: ", ")
        case .schedule(let miss):
            switch miss {
            case .timeUnknown: "the receipt's local time is unknown"
            case .startsOn(let date): "starts on \(date)"
            case .endedOn(let date): "ended on \(date)"
            case .onlyOn(let days): "only on " + days.map { englishWeekdays[($0 - 1) % 7] }.joined(separator: ", ")
            case .within(let hours): "outside \(hours)"
            }
        case .condition(let condition): ConditionWords.english.words(condition)
        }
    }

    static let englishWeekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    /// Thousandths as a quantity: `1500` → `1.5`, `10000` → `10`.
    static func quantity(_ value: Int64, separator: String) -> String {
        let whole = value / 1000, fraction = value % 1000
        guard fraction != 0 else { return "\(whole)" }
        var digits = String(abs(fraction) + 1000).dropFirst()
        while digits.hasSuffix("0") { digits = digits.dropLast() }
        return "\(whole)\(separator)\(digits)"
    }
}
