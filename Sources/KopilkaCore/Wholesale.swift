/// Volume discounts for wholesale customers: steps by quantity of a SKU or category, or by order sum.
/// Each line gets the largest discount of the steps it reaches.
public struct WholesaleRules: Codable, Sendable, Equatable {
    /// Customer groups the steps are for; absent for every customer (anonymous receipts too).
    public var groups: [String]?
    /// The steps: "from 10 units −5 %", "from 50 units −10 %", "from 100,000 ₽ −12 %".
    public var steps: [WholesaleStep]

    public init(groups: [String]? = nil, steps: [WholesaleStep]) {
        self.groups = groups
        self.steps = steps
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if steps.isEmpty || steps.count > 100 { errors.append(.init(field: "\(path).steps", message: "must hold 1…100 steps")) }
        if let groups, groups.isEmpty || groups.contains(where: { !(1...64).contains($0.count) }) {
            errors.append(.init(field: "\(path).groups", message: "list 1…64-character group names, or leave it out for everyone"))
        }
        for (index, step) in steps.enumerated() { errors += step.violations(path: "\(path).steps[\(index)]") }
        return errors
    }
}

/// One wholesale step: reached when the lines in scope hold `minQuantity` or add up to `minAmountKopecks`.
public struct WholesaleStep: Codable, Sendable, Equatable {
    /// Shown in explanations; without one, a step is named by its threshold.
    public var name: String?
    /// The lines counted and discounted; absent for the whole order.
    public var lines: LineScope?
    /// The quantity (thousandths) the lines in scope must hold together.
    public var minQuantity: Thousandths?
    /// The sum the lines in scope must reach together, in kopecks.
    public var minAmountKopecks: Kopecks?
    /// What the threshold counts: the lines in scope (absent, `lines`) or the whole order (`receipt`); the discount
    /// goes to the lines in scope either way.
    public var thresholdOn: ThresholdBasis?
    /// The discount on those lines, in basis points.
    public var discountBp: BasisPoints

    public init(
        name: String? = nil, lines: LineScope? = nil, minQuantity: Thousandths? = nil, minAmountKopecks: Kopecks? = nil, discountBp: BasisPoints,
        thresholdOn: ThresholdBasis? = nil
    ) {
        self.thresholdOn = thresholdOn
        self.name = name
        self.lines = lines
        self.minQuantity = minQuantity
        self.minAmountKopecks = minAmountKopecks
        self.discountBp = discountBp
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        switch (minQuantity, minAmountKopecks) {
        case (nil, nil): errors.append(.init(field: "\(path).minQuantity", message: "a step needs a quantity (minQuantity) or a sum (minAmountKopecks)"))
        case (.some, .some): errors.append(.init(field: "\(path).minAmountKopecks", message: "give either minQuantity or minAmountKopecks, not both"))
        case (let quantity?, nil) where !(1...ReceiptLine.Limits.maxQuantity).contains(quantity):
            errors.append(.init(field: "\(path).minQuantity", message: "must be positive (thousandths)"))
        case (nil, let amount?) where !(1...ReceiptLine.Limits.maxAmount).contains(amount):
            errors.append(.init(field: "\(path).minAmountKopecks", message: "must be positive"))
        default: break
        }
        if !(1...10_000).contains(discountBp) { errors.append(.init(field: "\(path).discountBp", message: "must be 1…10000 basis points")) }
        if let name, name.count > 200 { errors.append(.init(field: "\(path).name", message: "must be at most 200 characters")) }
        if let lines { errors += lines.violations(path: "\(path).lines") }
        return errors
    }
}
