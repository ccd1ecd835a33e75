/// Which lines of a receipt a rule touches: a line matches when its category, its SKU or one of its tags is listed.
public struct LineScope: Codable, Sendable, Equatable {
    /// The merchant's categories.
    public var categories: [String]?
    /// Article codes.
    public var skus: [String]?
    /// Labels a till puts on lines, e.g. `redPrice` for "red price tag" goods.
    public var tags: [String]?

    public init(categories: [String]? = nil, skus: [String]? = nil, tags: [String]? = nil) {
        self.categories = categories
        self.skus = skus
        self.tags = tags
    }

    /// What is wrong with the scope, fields prefixed by `path`.
    public func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        for (name, list) in [("categories", categories), ("skus", skus), ("tags", tags)] {
            if let list, list.count > 10_000 || list.contains(where: { $0.isEmpty || $0.count > 100 }) {
                errors.append(.init(field: "\(path).\(name)", message: "at most 10000 entries of 1…100 characters"))
            }
        }
        if (categories ?? []).isEmpty, (skus ?? []).isEmpty, (tags ?? []).isEmpty {
            errors.append(.init(field: path, message: "name at least one category, SKU or tag (leave `lines` out for every line)"))
        }
        return errors
    }

    /// The scope prepared for matching: a bit per category, SKU and tag of the program's vocabulary.
    struct Compiled: Sendable {
        let bits: [UInt64]

        init(_ scope: LineScope, _ vocabulary: Vocabulary) {
            var bits = [UInt64](repeating: 0, count: vocabulary.count / 64 + 1)
            for term in vocabulary.terms(of: scope) { bits[term >> 6] |= 1 << UInt64(term & 63) }
            self.bits = bits
        }

        /// Whether a line with these terms (from `Vocabulary.terms(of:)`) belongs to the scope.
        func matches(_ terms: [Int]) -> Bool {
            terms.contains { bits[$0 >> 6] & (1 << UInt64($0 & 63)) != 0 }
        }
    }
}

/// Every category, SKU and tag the program's scopes name, numbered: a receipt's lines are looked up once,
/// and each scope test is then a bit test instead of hashing strings per promotion and line.
struct Vocabulary: Sendable {
    private(set) var categories: [String: Int] = [:]
    private(set) var skus: [String: Int] = [:]
    private(set) var tags: [String: Int] = [:]
    private(set) var count = 0

    mutating func add(_ scope: LineScope) {
        func add(_ words: [String]?, to table: inout [String: Int]) {
            for word in words ?? [] where table[word] == nil {
                table[word] = count
                count += 1
            }
        }
        add(scope.categories, to: &categories)
        add(scope.skus, to: &skus)
        add(scope.tags, to: &tags)
    }

    func terms(of scope: LineScope) -> [Int] {
        (scope.categories ?? []).compactMap { categories[$0] } + (scope.skus ?? []).compactMap { skus[$0] } + (scope.tags ?? []).compactMap { tags[$0] }
    }

    /// The numbers of a line's category, SKU and tags that some scope names.
    func terms(of line: ReceiptLine) -> [Int] {
        var terms: [Int] = []
        if let category = line.category, let term = categories[category] { terms.append(term) }
        if let term = skus[line.sku] { terms.append(term) }
        for tag in line.tags { if let term = tags[tag] { terms.append(term) } }
        return terms
    }
}
