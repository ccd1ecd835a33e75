/// A program prepared for the receipt engine: promotions switched on and sorted by priority, lists turned into
/// sets. Compiling once per program version keeps the per-receipt work to the receipt itself.
public struct CompiledProgram: Sendable {
    /// The rules as the merchant saved them.
    public let rules: ProgramRules
    let promotions: [CompiledPromotion]
    let wholesale: CompiledWholesale?
    let accrualLines: LineScope.Compiled?
    let redemptionLines: LineScope.Compiled?
    let accrualExcluded: Set<String>
    let redemptionExcluded: Set<String>
    let discountExcluded: Set<String>

    public init(_ rules: ProgramRules) {
        self.rules = rules
        promotions = rules.promotions.enumerated()
            .filter { $0.element.enabled }
            .sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }
            .map { CompiledPromotion($0.element) }
        wholesale = rules.wholesale.map(CompiledWholesale.init)
        accrualLines = rules.accrualScope?.lines.map(LineScope.Compiled.init)
        redemptionLines = rules.redemptionScope?.lines.map(LineScope.Compiled.init)
        accrualExcluded = Set(rules.accrualExcludedCategories)
        redemptionExcluded = Set(rules.redemptionExcludedCategories)
        discountExcluded = Set(rules.discountExcludedCategories)
    }
}

struct CompiledPromotion: Sendable {
    let promotion: Promotion
    let lines: LineScope.Compiled?
    let stores: Set<String>?
    let tiers: Set<String>?
    let groups: Set<String>?
    /// For buy-X-get-Y and n-th item: the group size and how many of it are discounted.
    let buy: Int
    let get: Int

    init(_ promotion: Promotion) {
        self.promotion = promotion
        lines = promotion.lines.map(LineScope.Compiled.init)
        stores = promotion.stores.map(Set.init)
        tiers = promotion.tiers.map(Set.init)
        groups = promotion.groups.map(Set.init)
        switch promotion.reward.kind {
        case .nthItem: (buy, get) = ((promotion.reward.n ?? 2) - 1, 1)
        default: (buy, get) = (promotion.reward.buy ?? 0, promotion.reward.get ?? 0)
        }
    }

    var id: String { promotion.id }
    var reward: Reward { promotion.reward }
}

struct CompiledWholesale: Sendable {
    let groups: Set<String>?
    let steps: [(step: WholesaleStep, lines: LineScope.Compiled?)]

    init(_ rules: WholesaleRules) {
        groups = rules.groups.map(Set.init)
        steps = rules.steps.map { ($0, $0.lines.map(LineScope.Compiled.init)) }
    }
}
