/// A program prepared for the receipt engine: promotions switched on and sorted by priority, lists turned into
/// sets. Compiling once per program version keeps the per-receipt work to the receipt itself.
public final class CompiledProgram: Sendable {
    /// The rules as the merchant saved them.
    public let rules: ProgramRules
    let promotions: [CompiledPromotion]
    let wholesale: CompiledWholesale?
    let accrualLines: LineScope.Compiled?
    let redemptionLines: LineScope.Compiled?
    /// The caps on a line's share paid with points, each with its lines (nil: every line).
    let redemptionLineCaps: [(maxShareBp: BasisPoints, lines: LineScope.Compiled?)]
    /// The lines a level's own discount lowers (`TierRules.discountLines`).
    let levelDiscountLines: LineScope.Compiled?
    let accrualWhen: Schedule.Compiled?
    let redemptionWhen: Schedule.Compiled?
    let accrualExcluded: Words
    let redemptionExcluded: Words
    let discountExcluded: Words
    let vocabulary: Vocabulary
    /// The stamp cards switched on.
    let stampCards: [CompiledStampCard]
    /// The program's rules on `purchase` switched on: their facts are read, and they run, only when there are some.
    public let purchaseRules: [Rule]
    /// Whether calculations read the customer's rule facts (`ReceiptContext.purchaseRules`): for rules on `purchase`
    /// and promotions with `conditions`, and only then.
    public let readsRuleFacts: Bool
    /// Whether calculations need `CustomerFacts` (daily limits, birthday or recency promotions): the store reads them
    /// only then.
    public let needsCustomerFacts: Bool

    public init(_ rules: ProgramRules) {
        self.rules = rules
        var vocabulary = Vocabulary()
        let scopes = rules.promotions.compactMap(\.lines) + (rules.wholesale?.steps.compactMap(\.lines) ?? [])
            + [rules.accrualScope?.lines, rules.redemptionScope?.lines, rules.tiers?.discountLines].compactMap { $0 }
            + rules.stampCards.compactMap(\.lines) + rules.redemptionLineCaps.compactMap(\.lines)
        for scope in scopes { vocabulary.add(scope) }
        self.vocabulary = vocabulary
        promotions = rules.promotions.enumerated()
            .filter { $0.element.enabled }
            .sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }
            .map { CompiledPromotion($0.element, vocabulary) }
        wholesale = rules.wholesale.map { CompiledWholesale($0, vocabulary) }
        accrualLines = rules.accrualScope?.lines.map { LineScope.Compiled($0, vocabulary) }
        redemptionLines = rules.redemptionScope?.lines.map { LineScope.Compiled($0, vocabulary) }
        redemptionLineCaps = rules.redemptionLineCaps.map { ($0.maxShareBp, $0.lines.map { LineScope.Compiled($0, vocabulary) }) }
        levelDiscountLines = rules.tiers?.discountLines.map { LineScope.Compiled($0, vocabulary) }
        accrualWhen = rules.accrualScope?.when.map(Schedule.Compiled.init)
        redemptionWhen = rules.redemptionScope?.when.map(Schedule.Compiled.init)
        accrualExcluded = Words(rules.accrualExcludedCategories)
        redemptionExcluded = Words(rules.redemptionExcludedCategories)
        discountExcluded = Words(rules.discountExcludedCategories)
        stampCards = rules.stampCards.filter(\.enabled).map { CompiledStampCard($0, vocabulary) }
        purchaseRules = rules.rules.filter { $0.enabled && $0.on == .purchase }
        readsRuleFacts = !purchaseRules.isEmpty || promotions.contains { $0.promotion.conditions != nil }
        needsCustomerFacts = rules.maxAccrualsPerDay > 0 || rules.maxRedemptionsPerDay > 0
            || rules.promotions.contains { $0.enabled && ($0.birthday != nil || $0.recencyDays != nil) }
    }
}

/// A few words (categories) a line's word is looked up in on every receipt.
struct Words: Sendable {
    private let list: [String]
    private let set: Set<String>

    init(_ words: [String]) {
        set = Set(words)
        list = Array(set)
    }

    var isEmpty: Bool { list.isEmpty }

    /// Compared one by one when there are few: a short string compares in a couple of instructions, where hashing it
    /// for the set took 4 % of a 5-line receipt (perf).
    func contains(_ word: String) -> Bool {
        list.count <= 8 ? list.contains(word) : set.contains(word)
    }
}

/// A class: candidates and discount sources refer to it many times per receipt, and a reference is one retain.
final class CompiledPromotion: Sendable {
    let promotion: Promotion
    let lines: LineScope.Compiled?
    let stores: Set<String>?
    let tiers: Set<String>?
    let groups: Set<String>?
    let when: Schedule.Compiled?
    /// For buy-X-get-Y and n-th item: the group size and how many of it are discounted.
    let buy: Int
    let get: Int
    /// Whether only an identified customer can have it (levels, groups, points, per-customer limits, birthdays, recency,
    /// conditions).
    let needsCustomer: Bool
    /// The values of the reasons that rule it out for the receipt, made once: each names the promotion, and most of a
    /// large program's promotions are ruled out on every receipt (building the values per receipt was an allocation
    /// apiece, a third of a receipt's allocations against the benchmark's 50 promotions).
    let named: [ReasonValue]
    /// Its name and each way its schedule can miss.
    let namedMisses: [(miss: ScheduleMiss, values: [ReasonValue])]
    /// Its name and its levels, and its name and its groups.
    let namedTiers: [ReasonValue]
    let namedGroups: [ReasonValue]

    init(_ promotion: Promotion, _ vocabulary: Vocabulary) {
        self.promotion = promotion
        needsCustomer = promotion.tiers != nil || promotion.groups != nil || !promotion.reward.isDiscount
            || promotion.limits?.usesPerCustomer != nil || promotion.birthday != nil || promotion.recencyDays != nil
            || promotion.conditions != nil
        lines = promotion.lines.map { LineScope.Compiled($0, vocabulary) }
        stores = promotion.stores.map(Set.init)
        tiers = promotion.tiers.map(Set.init)
        groups = promotion.groups.map(Set.init)
        when = promotion.when.map(Schedule.Compiled.init)
        switch promotion.reward.kind {
        case .nthItem: (buy, get) = ((promotion.reward.n ?? 2) - 1, 1)
        default: (buy, get) = (promotion.reward.buy ?? 0, promotion.reward.get ?? 0)
        }
        let name = ReasonValue.text(promotion.name)
        named = [name]
        namedMisses = (promotion.when?.misses ?? []).map { ($0, [name, .schedule($0)]) }
        namedTiers = [name, .names(promotion.tiers ?? [])]
        namedGroups = [name, .names(promotion.groups ?? [])]
    }

    /// The values of a reason that the promotion's schedule missed.
    func named(_ miss: ScheduleMiss) -> [ReasonValue] {
        namedMisses.first { $0.miss == miss }?.values ?? [named[0], .schedule(miss)]
    }

    var id: String { promotion.id }
    var reward: Reward { promotion.reward }
}

struct CompiledWholesale: Sendable {
    let groups: Set<String>?
    let steps: [(step: WholesaleStep, lines: LineScope.Compiled?)]

    init(_ rules: WholesaleRules, _ vocabulary: Vocabulary) {
        groups = rules.groups.map(Set.init)
        steps = rules.steps.map { step in (step, step.lines.map { LineScope.Compiled($0, vocabulary) }) }
    }
}
