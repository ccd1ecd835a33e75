/// What happens when a return reverses points the customer has already spent.
public enum ReturnPolicy: String, Codable, Sendable, CaseIterable {
    /// Reverse everything; the shortfall becomes a debt paid from future accruals (balance may go negative).
    case allowNegative
    /// Reverse only what the balance holds; the shortfall is recorded on the return as unrecovered.
    case capAtBalance
}

/// How earned points expire.
public enum ExpiryMode: String, Codable, Sendable, CaseIterable {
    /// `lifetimeDays` after they become spendable (0: never).
    case days
    /// `expiryPeriods` calendar months after they become spendable.
    case months
    /// At the end of the month `expiryPeriods` months after the one they became spendable in (0: that month).
    case endOfMonth
    /// At the end of the year `expiryPeriods` years after the one they became spendable in (0: that year).
    case endOfYear
    /// All of a customer's points burn `lifetimeDays` (or `expiryPeriods` calendar months, when set) after their last
    /// purchase: each purchase moves the date on. "After 6 months without a purchase" is `expiryPeriods: 6`.
    case inactivity
}

/// A merchant's bonus program: every number a receipt's outcome depends on.
///
/// Rates are in basis points (500 = 5 %), money in kopecks, points in hundredths.
/// Missing keys in JSON take the defaults below, so a merchant can send only what differs.
public struct ProgramRules: Codable, Sendable, Equatable {
    /// Share of the paid amount returned as points, in basis points (default 500 = 5 %).
    public var accrualRateBp: BasisPoints = 500
    /// What one whole point is worth in kopecks when spent (default 100: 1 point = 1 ₽).
    public var pointValueKopecks: Kopecks = 100
    /// At most this share of a receipt may be paid with points, in basis points (default 3000 = 30 %).
    public var maxRedeemShareBp: BasisPoints = 3000
    /// At least this much of a receipt is always paid in money (default 100 = 1 ₽).
    public var minPayableKopecks: Kopecks = 100
    /// How earned points are rounded to `pointsStep` (default down).
    public var accrualRounding: RoundingMode = .down
    /// The smallest amount of points earned or spent, in hundredths: 1 (kopeck-exact) or 100 (whole points).
    public var pointsStep: Points = 1
    /// The step a receipt's points are split over its lines in, and given back in on returns: `pointsStep`, or whole
    /// points when points are earned per whole sum ("1 point per 100 ₽"). Returning a line then leaves a balance on it.
    public var linePointsStep: Points { accrualPerKopecks > 0 ? max(pointsStep, 100) : pointsStep }
    /// Earned points stay pending this many days before they can be spent (0: at once).
    public var activationDelayDays: Int = 0
    /// Earned points expire this many days after they were earned (0: never).
    public var lifetimeDays: Int = 365
    /// Points given once, on registration (0: none).
    public var welcomeBonusPoints: Points = 0
    /// The welcome bonus expires this many days after registration (0: as other points do).
    public var welcomeBonusLifetimeDays: Int = 0
    /// The welcome bonus pays only for the next purchase: what that purchase does not spend of it burns.
    public var welcomeBonusNextOrderOnly: Bool = false
    /// Lines of these categories earn no points.
    public var accrualExcludedCategories: [String] = []
    /// Lines of these categories cannot be paid with points.
    public var redemptionExcludedCategories: [String] = []
    /// Whether the part of a line paid with points earns points too (default no).
    public var accrueOnRedeemedPart: Bool = false
    /// What a return does when reversed points were already spent.
    public var returnPolicy: ReturnPolicy = .allowNegative
    /// How long an online order's hold keeps points reserved, in seconds (default 30 minutes).
    public var holdTtlSeconds: Int = 1800
    /// An instant discount for identified customers, in basis points of each line that allows discounts (0: none).
    /// With levels, each level may set its own (an accumulative discount).
    public var discountBp: BasisPoints = 0
    /// Lines of these categories get no card discount.
    public var discountExcludedCategories: [String] = []
    /// Whether points may pay for lines that were discounted already (default yes).
    public var redeemOnDiscountedLines: Bool = true
    /// Levels whose accrual rate (and redemption cap) grow with qualifying spend; nil for a single rate.
    public var tiers: TierRules?
    /// Promotions (акции), applied by priority under `stacking`.
    public var promotions: [Promotion] = []
    /// Volume discounts for wholesale customers.
    public var wholesale: WholesaleRules?
    /// How discounts, promotions and points combine.
    public var stacking = StackingPolicy()
    /// Points are earned only on these lines and at these times (absent: everywhere, always).
    public var accrualScope: Restriction?
    /// Points may pay only for these lines and at these times (absent: everywhere, always).
    public var redemptionScope: Restriction?
    /// A card is issued only after a purchase of at least this much ("a free card from 3,000 ₽"); 0: anyone may join.
    public var cardFromPurchaseKopecks: Kopecks = 0
    /// Spending confirmation and cashier limits (default: all off).
    public var protection = Protection()
    /// The part of the money paid these ways earns no points (e.g. `credit`, `certificate`), when the till says how
    /// a receipt is paid.
    public var accrualExcludedPayments: [Payment.Method] = []
    /// Points pay for nothing on a receipt paid partly these ways ("points are neither earned nor spent on credit"),
    /// when the till says how a receipt is paid.
    public var redemptionExcludedPayments: [Payment.Method] = []
    /// Caps on the share of each line points may pay ("at most 30 % of each dish"); none by default.
    public var redemptionLineCaps: [LineCap] = []
    /// At most this many receipts a day earn a customer points (0: no limit).
    public var maxAccrualsPerDay: Int = 0
    /// At most this many receipts a day may a customer pay with points (0: no limit).
    public var maxRedemptionsPerDay: Int = 0
    /// How points expire (default: `lifetimeDays` after they become spendable).
    public var expiry: ExpiryMode = .days
    /// Months (or years, for `endOfYear`) for the calendar expiry modes, and for `inactivity` when set (0: `lifetimeDays`).
    public var expiryPeriods: Int = 0
    /// The IANA time zone in which months and years end (default Europe/Moscow).
    public var expiryTimeZone: String = "Europe/Moscow"
    /// "1 point per N ₽": whole points for each whole `accrualPerKopecks` paid, instead of a percentage (0: off).
    public var accrualPerKopecks: Kopecks = 0
    /// The accrual rate chosen by the receipt's own sum, after discounts (empty: the program's or the level's rate).
    public var accrualBands: [AccrualBand] = []
    /// A receipt earns points only from this sum, after discounts (0: any).
    public var minAccrualReceiptKopecks: Kopecks = 0
    /// Points may pay only for receipts from this sum, after discounts ("a minimum order to spend"; 0: any).
    public var minRedemptionReceiptKopecks: Kopecks = 0
    /// "Earn or spend": a receipt paid partly with points earns none (default no).
    public var earnOrSpend: Bool = false
    /// Whether a receipt with a valid promo code earns points (default yes).
    public var accrueWithCodes: Bool = true
    /// Whether lines a discount or promotion lowered earn points (default yes).
    public var accrueOnDiscountedLines: Bool = true
    /// Points may not pay on a receipt that has any discount ("not combined with other discounts"; default they may).
    public var redeemWithDiscounts: Bool = true
    /// Discounts and points together give at most this share of the receipt, in basis points; points are capped to
    /// stay within it (default 10000: no cap beyond the others).
    public var maxBenefitShareBp: BasisPoints = 10_000
    /// Stamp cards ("every 6th coffee free"), besides points.
    public var stampCards: [StampCard] = []
    /// "Bring a friend" rewards, simple and multi-level (absent: none).
    public var referral: ReferralRules?
    /// Points given outside receipts: on registration, a birthday, an action (a review, a completed profile), a level
    /// reached; each with its conditions, caps and lifetime.
    public var rules: [Rule] = []
    /// Points earned in a store are spent only in that store (default: one balance across all the merchant's stores).
    /// The welcome bonus, hand credits and referral rewards are spent anywhere.
    public var balancePerStore: Bool = false
    /// Members who agreed to messages get a text this many days before their points burn (0: no reminders); the
    /// server sends it through its SMS provider.
    public var expiryReminderDays: Int = 0
    /// Points below this are not worth a reminder (0: any).
    public var expiryReminderMinPoints: Points = 0

    /// The defaults: 5 % back, up to 30 % of a check, points live a year.
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case accrualRateBp, pointValueKopecks, maxRedeemShareBp, minPayableKopecks, accrualRounding, pointsStep
        case activationDelayDays, lifetimeDays, welcomeBonusPoints, accrualExcludedCategories
        case redemptionExcludedCategories, accrueOnRedeemedPart, returnPolicy, holdTtlSeconds, discountBp
        case discountExcludedCategories, redeemOnDiscountedLines, tiers, promotions, wholesale, stacking, accrualScope
        case redemptionScope, cardFromPurchaseKopecks, protection, accrualPerKopecks, accrualBands, minAccrualReceiptKopecks
        case minRedemptionReceiptKopecks, earnOrSpend, accrueWithCodes, accrueOnDiscountedLines, redeemWithDiscounts, maxBenefitShareBp
        case expiry, expiryPeriods, expiryTimeZone, maxAccrualsPerDay, maxRedemptionsPerDay, accrualExcludedPayments
        case redemptionExcludedPayments, redemptionLineCaps
        case welcomeBonusLifetimeDays, welcomeBonusNextOrderOnly, stampCards, referral, rules, balancePerStore
        case expiryReminderDays, expiryReminderMinPoints
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = ProgramRules()
        accrualRateBp = try c.decodeIfPresent(BasisPoints.self, forKey: .accrualRateBp) ?? d.accrualRateBp
        pointValueKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .pointValueKopecks) ?? d.pointValueKopecks
        maxRedeemShareBp = try c.decodeIfPresent(BasisPoints.self, forKey: .maxRedeemShareBp) ?? d.maxRedeemShareBp
        minPayableKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minPayableKopecks) ?? d.minPayableKopecks
        accrualRounding = try c.decodeIfPresent(RoundingMode.self, forKey: .accrualRounding) ?? d.accrualRounding
        pointsStep = try c.decodeIfPresent(Points.self, forKey: .pointsStep) ?? d.pointsStep
        activationDelayDays = try c.decodeIfPresent(Int.self, forKey: .activationDelayDays) ?? d.activationDelayDays
        lifetimeDays = try c.decodeIfPresent(Int.self, forKey: .lifetimeDays) ?? d.lifetimeDays
        welcomeBonusPoints = try c.decodeIfPresent(Points.self, forKey: .welcomeBonusPoints) ?? d.welcomeBonusPoints
        accrualExcludedCategories =
            try c.decodeIfPresent([String].self, forKey: .accrualExcludedCategories) ?? d.accrualExcludedCategories
        redemptionExcludedCategories =
            try c.decodeIfPresent([String].self, forKey: .redemptionExcludedCategories) ?? d.redemptionExcludedCategories
        accrueOnRedeemedPart = try c.decodeIfPresent(Bool.self, forKey: .accrueOnRedeemedPart) ?? d.accrueOnRedeemedPart
        returnPolicy = try c.decodeIfPresent(ReturnPolicy.self, forKey: .returnPolicy) ?? d.returnPolicy
        holdTtlSeconds = try c.decodeIfPresent(Int.self, forKey: .holdTtlSeconds) ?? d.holdTtlSeconds
        discountBp = try c.decodeIfPresent(BasisPoints.self, forKey: .discountBp) ?? d.discountBp
        discountExcludedCategories =
            try c.decodeIfPresent([String].self, forKey: .discountExcludedCategories) ?? d.discountExcludedCategories
        redeemOnDiscountedLines = try c.decodeIfPresent(Bool.self, forKey: .redeemOnDiscountedLines) ?? d.redeemOnDiscountedLines
        tiers = try c.decodeIfPresent(TierRules.self, forKey: .tiers)
        promotions = try c.decodeIfPresent([Promotion].self, forKey: .promotions) ?? []
        wholesale = try c.decodeIfPresent(WholesaleRules.self, forKey: .wholesale)
        stacking = try c.decodeIfPresent(StackingPolicy.self, forKey: .stacking) ?? d.stacking
        accrualScope = try c.decodeIfPresent(Restriction.self, forKey: .accrualScope)
        redemptionScope = try c.decodeIfPresent(Restriction.self, forKey: .redemptionScope)
        cardFromPurchaseKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .cardFromPurchaseKopecks) ?? 0
        protection = try c.decodeIfPresent(Protection.self, forKey: .protection) ?? d.protection
        accrualPerKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .accrualPerKopecks) ?? 0
        accrualBands = try c.decodeIfPresent([AccrualBand].self, forKey: .accrualBands) ?? []
        minAccrualReceiptKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minAccrualReceiptKopecks) ?? 0
        minRedemptionReceiptKopecks = try c.decodeIfPresent(Kopecks.self, forKey: .minRedemptionReceiptKopecks) ?? 0
        earnOrSpend = try c.decodeIfPresent(Bool.self, forKey: .earnOrSpend) ?? d.earnOrSpend
        accrueWithCodes = try c.decodeIfPresent(Bool.self, forKey: .accrueWithCodes) ?? d.accrueWithCodes
        accrueOnDiscountedLines = try c.decodeIfPresent(Bool.self, forKey: .accrueOnDiscountedLines) ?? d.accrueOnDiscountedLines
        redeemWithDiscounts = try c.decodeIfPresent(Bool.self, forKey: .redeemWithDiscounts) ?? d.redeemWithDiscounts
        maxBenefitShareBp = try c.decodeIfPresent(BasisPoints.self, forKey: .maxBenefitShareBp) ?? d.maxBenefitShareBp
        expiry = try c.decodeIfPresent(ExpiryMode.self, forKey: .expiry) ?? d.expiry
        expiryPeriods = try c.decodeIfPresent(Int.self, forKey: .expiryPeriods) ?? 0
        expiryTimeZone = try c.decodeIfPresent(String.self, forKey: .expiryTimeZone) ?? d.expiryTimeZone
        maxAccrualsPerDay = try c.decodeIfPresent(Int.self, forKey: .maxAccrualsPerDay) ?? 0
        maxRedemptionsPerDay = try c.decodeIfPresent(Int.self, forKey: .maxRedemptionsPerDay) ?? 0
        accrualExcludedPayments = try c.decodeIfPresent([Payment.Method].self, forKey: .accrualExcludedPayments) ?? []
        redemptionExcludedPayments = try c.decodeIfPresent([Payment.Method].self, forKey: .redemptionExcludedPayments) ?? []
        redemptionLineCaps = try c.decodeIfPresent([LineCap].self, forKey: .redemptionLineCaps) ?? []
        welcomeBonusLifetimeDays = try c.decodeIfPresent(Int.self, forKey: .welcomeBonusLifetimeDays) ?? 0
        welcomeBonusNextOrderOnly = try c.decodeIfPresent(Bool.self, forKey: .welcomeBonusNextOrderOnly) ?? false
        stampCards = try c.decodeIfPresent([StampCard].self, forKey: .stampCards) ?? []
        referral = try c.decodeIfPresent(ReferralRules.self, forKey: .referral)
        rules = try c.decodeIfPresent([Rule].self, forKey: .rules) ?? []
        balancePerStore = try c.decodeIfPresent(Bool.self, forKey: .balancePerStore) ?? false
        expiryReminderDays = try c.decodeIfPresent(Int.self, forKey: .expiryReminderDays) ?? 0
        expiryReminderMinPoints = try c.decodeIfPresent(Points.self, forKey: .expiryReminderMinPoints) ?? 0
    }

    /// Every rule that is out of range, as (field, message); empty when the program is valid.
    public func violations() -> [FieldError] {
        var errors: [FieldError] = []
        func check(_ ok: Bool, _ field: CodingKeys, _ message: String) {
            if !ok { errors.append(FieldError(field: field.rawValue, message: message)) }
        }
        check((0...10_000).contains(accrualRateBp), .accrualRateBp, "must be 0…10000 basis points (0–100 %)")
        check((1...1_000_000).contains(pointValueKopecks), .pointValueKopecks, "must be 1…1000000 kopecks")
        check((0...10_000).contains(maxRedeemShareBp), .maxRedeemShareBp, "must be 0…10000 basis points (0–100 %)")
        check((0...1_000_000_000).contains(minPayableKopecks), .minPayableKopecks, "must be 0…1000000000 kopecks")
        check(pointsStep == 1 || pointsStep == 100, .pointsStep, "must be 1 (hundredths) or 100 (whole points)")
        check((0...3650).contains(activationDelayDays), .activationDelayDays, "must be 0…3650 days")
        check((0...36500).contains(lifetimeDays), .lifetimeDays, "must be 0 (never) … 36500 days")
        check((0...100_000_000).contains(welcomeBonusPoints), .welcomeBonusPoints, "must be 0…100000000 hundredths")
        // A fixed amount off the step would leave balances off it: points that could never be spent in full.
        let offStep = "must be whole points: the program counts points in whole steps (pointsStep 100)"
        if pointsStep == 100 {
            check(welcomeBonusPoints % 100 == 0, .welcomeBonusPoints, offStep)
            for (index, promotion) in promotions.enumerated() where (promotion.reward.points ?? 0) % 100 != 0 {
                errors.append(FieldError(field: "promotions[\(index)].reward.points", message: offStep))
            }
            for (field, points) in [("referrerPoints", referral?.referrerPoints ?? 0), ("friendPoints", referral?.friendPoints ?? 0)]
            where points % 100 != 0 {
                errors.append(FieldError(field: "referral.\(field)", message: offStep))
            }
        }
        check((60...30 * 86_400).contains(holdTtlSeconds), .holdTtlSeconds, "must be 60…2592000 seconds")
        check(
            accrualExcludedCategories.count <= 1000 && accrualExcludedCategories.allSatisfy { $0.count <= 100 },
            .accrualExcludedCategories, "at most 1000 categories of at most 100 characters")
        check(
            redemptionExcludedCategories.count <= 1000 && redemptionExcludedCategories.allSatisfy { $0.count <= 100 },
            .redemptionExcludedCategories, "at most 1000 categories of at most 100 characters")
        check((0...10_000).contains(discountBp), .discountBp, "must be 0…10000 basis points (0–100 %)")
        check(
            discountExcludedCategories.count <= 1000 && discountExcludedCategories.allSatisfy { $0.count <= 100 },
            .discountExcludedCategories, "at most 1000 categories of at most 100 characters")
        if let tiers { errors += tiers.violations(path: "tiers") }
        check(promotions.count <= 1000, .promotions, "at most 1000 promotions")
        let tierNames = Set(tiers?.tiers.map(\.name) ?? [])
        var seen = Set<String>()
        for (index, promotion) in promotions.enumerated() {
            errors += promotion.violations(path: "promotions[\(index)]", tierNames: tierNames)
            if !seen.insert(promotion.id).inserted {
                errors.append(FieldError(field: "promotions[\(index)].id", message: "`\(promotion.id)` is used by another promotion"))
            }
        }
        if let wholesale { errors += wholesale.violations(path: "wholesale") }
        errors += stacking.violations(path: "stacking")
        if let accrualScope { errors += accrualScope.violations(path: "accrualScope") }
        if let redemptionScope { errors += redemptionScope.violations(path: "redemptionScope") }
        check(redemptionLineCaps.count <= 100, .redemptionLineCaps, "at most 100 caps")
        for (index, cap) in redemptionLineCaps.enumerated() { errors += cap.violations(path: "redemptionLineCaps[\(index)]") }
        check((0...ReceiptLine.Limits.maxAmount).contains(cardFromPurchaseKopecks), .cardFromPurchaseKopecks, "must be 0 (anyone may join) or a positive sum")
        errors += protection.violations(path: "protection")
        let sum = 0...ReceiptLine.Limits.maxAmount
        check(sum.contains(accrualPerKopecks), .accrualPerKopecks, "must be 0 (a percentage) or a positive sum per point")
        errors += AccrualBand.violations(accrualBands, path: CodingKeys.accrualBands.rawValue)
        check(
            [accrualPerKopecks > 0, !accrualBands.isEmpty, tiers != nil].filter { $0 }.count <= 1, .accrualBands,
            "one way to set the rate: levels, bands by receipt sum, or a point per sum")
        check(sum.contains(minAccrualReceiptKopecks), .minAccrualReceiptKopecks, "must be 0 or a positive sum")
        check(sum.contains(minRedemptionReceiptKopecks), .minRedemptionReceiptKopecks, "must be 0 or a positive sum")
        check((0...10_000).contains(maxBenefitShareBp), .maxBenefitShareBp, "must be 0…10000 basis points (0–100 %)")
        check((0...1200).contains(expiryPeriods), .expiryPeriods, "must be 0…1200")
        check(expiry != .months || expiryPeriods > 0, .expiryPeriods, "points expiring by months need at least 1 month")
        check(expiry != .days || expiryPeriods == 0, .expiryPeriods, "points expiring after days (lifetimeDays) count no months: set 0, or choose a calendar expiry")
        check(
            expiry != .inactivity || expiryPeriods > 0 || lifetimeDays > activationDelayDays, .lifetimeDays,
            "points that burn after days without a purchase need more days than the activation delay")
        check(
            expiry != .inactivity || expiryPeriods == 0 || expiryPeriods > activationDelayDays / 28, .expiryPeriods,
            "points that burn after months without a purchase need more time than the activation delay")
        check((1...64).contains(expiryTimeZone.count), .expiryTimeZone, "must be an IANA time zone, e.g. Europe/Moscow")
        check((0...3650).contains(welcomeBonusLifetimeDays), .welcomeBonusLifetimeDays, "must be 0 (as other points) … 3650 days")
        check((0...1000).contains(maxAccrualsPerDay), .maxAccrualsPerDay, "must be 0 (no limit) … 1000")
        check((0...1000).contains(maxRedemptionsPerDay), .maxRedemptionsPerDay, "must be 0 (no limit) … 1000")
        check((0...90).contains(expiryReminderDays), .expiryReminderDays, "must be 0 (no reminders) … 90 days")
        check((0...100_000_000).contains(expiryReminderMinPoints), .expiryReminderMinPoints, "must be 0 (any) … 100000000 hundredths")
        check(stampCards.count <= 20, .stampCards, "at most 20 stamp cards")
        if let referral { errors += referral.violations(path: CodingKeys.referral.rawValue) }
        check(rules.count <= 100, .rules, "at most 100 rules")
        var ruleIds = Set<String>()
        for (index, rule) in rules.enumerated() {
            errors += rule.violations(path: "rules[\(index)]", tierNames: tierNames, pointsStep: pointsStep)
            if !ruleIds.insert(rule.id).inserted {
                errors.append(FieldError(field: "rules[\(index)].id", message: "`\(rule.id)` is used by another rule"))
            }
        }
        var cardIds = Set<String>()
        for (index, card) in stampCards.enumerated() {
            errors += card.violations(path: "stampCards[\(index)]")
            if !cardIds.insert(card.id).inserted {
                errors.append(FieldError(field: "stampCards[\(index)].id", message: "`\(card.id)` is used by another stamp card"))
            }
        }
        return errors
    }

    /// Forgets settings that nothing reads beside the others (a window beside a calendar period, a reward's field its
    /// kind does not read): programs saved before such settings were refused may hold them, and must save again.
    public mutating func forgetUnreadSettings() {
        tiers?.forgetUnreadSettings()
        for index in promotions.indices { promotions[index].reward.forgetUnreadSettings() }
    }

    /// What the merchant's plan does not include, as (field, message); empty when the plan covers the program.
    public func planViolations(_ plan: Plan) -> [FieldError] {
        guard !plan.includesPromotions else { return [] }
        var errors: [FieldError] = []
        if !promotions.isEmpty {
            errors.append(FieldError(field: "promotions", message: "the \(plan.rawValue) plan includes the loyalty program only, not promotions"))
        }
        if wholesale != nil {
            errors.append(FieldError(field: "wholesale", message: "the \(plan.rawValue) plan includes the loyalty program only, not wholesale discounts"))
        }
        return errors
    }
}

/// One invalid field of a request, for problem+json `errors`.
public struct FieldError: Codable, Sendable, Equatable {
    /// The JSON path of the field, e.g. `lines[2].price`.
    public var field: String
    /// What is wrong, in a sentence.
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
