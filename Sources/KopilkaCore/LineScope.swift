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

        /// Whether the receipt's line `line` (from 0) belongs to the scope.
        func matches(_ terms: ReceiptTerms, line: Int) -> Bool {
            for index in terms.range(of: line) {
                let term = terms.numbers[index]
                if bits[term >> 6] & (1 << UInt64(term & 63)) != 0 { return true }
            }
            return false
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

    /// The numbers of a line's category, SKU and tags that some scope names, added to `numbers`.
    func add(category: String?, sku: String, tags lineTags: [String], to numbers: inout [Int]) {
        if let category, let term = categories[category] { numbers.append(term) }
        if let term = skus[sku] { numbers.append(term) }
        for tag in lineTags { if let term = tags[tag] { numbers.append(term) } }
    }
}

/// A receipt's lines' category, SKU and tags as numbers of the program's vocabulary (`Vocabulary`), all in one
/// array: an array per line cost each receipt an allocation apiece.
struct ReceiptTerms {
    /// Every line's numbers, line after line.
    private(set) var numbers: [Int] = []
    /// Where each line's numbers end in `numbers`.
    private var ends: [Int] = []

    init(_ lines: [ReceiptLine], _ vocabulary: Vocabulary) {
        // Most programs scope nothing by line: then no line has a number.
        guard vocabulary.count > 0 else { return }
        numbers.reserveCapacity(lines.count * 2)
        ends.reserveCapacity(lines.count)
        for index in lines.indices {
            vocabulary.add(category: lines[index].category, sku: lines[index].sku, tags: lines[index].tags, to: &numbers)
            ends.append(numbers.count)
        }
    }

    /// Where line `line`'s numbers are in `numbers`.
    func range(of line: Int) -> Range<Int> {
        ends.isEmpty ? 0..<0 : (line == 0 ? 0 : ends[line - 1])..<ends[line]
    }
}
