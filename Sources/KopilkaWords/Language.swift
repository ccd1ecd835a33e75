/// The languages Kopilka speaks: Russian first (the primary market), English.
public enum Language: String, Sendable, CaseIterable {
    case ru, en

    /// The other language, for a page's switch.
    public var other: Language { self == .ru ? .en : .ru }
    /// The language's name in itself, for the switch.
    public var name: String { self == .ru ? "Русский" : "English" }

    /// The first language of an `Accept-Language` header that Kopilka speaks, by the client's weights
    /// (`en-US,en;q=0.9,ru;q=0.8` → English); nil when it names none of them.
    public init?(acceptLanguage header: String) {
        var best: (language: Language, weight: Int)?
        for item in header.split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingSpaces }
            guard let tag = parts.first?.lowercased() else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = Language(rawValue: primary) else { continue }
            // Weights in thousandths: `q=0.8` → 800; without one, 1000.
            var weight = 1000
            for parameter in parts.dropFirst() where parameter.hasPrefix("q=") {
                weight = Self.thousandths(parameter.dropFirst(2)) ?? 0
            }
            if weight > 0, weight > best?.weight ?? 0 { best = (language, weight) }
        }
        guard let best else { return nil }
        self = best.language
    }

    private static func thousandths(_ text: Substring) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard let whole = Int(parts[0]), (0...1).contains(whole), parts.count <= 2 else { return nil }
        let fraction = parts.count == 2 ? String(parts[1].prefix(3)) : ""
        guard fraction.allSatisfy(\.isASCII), let digits = Int(fraction.padding(3)) else { return nil }
        return min(1000, whole * 1000 + digits)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text = text.dropFirst() }
        while text.last == " " || text.last == "\t" { text = text.dropLast() }
        return text
    }
}

extension String {
    fileprivate func padding(_ length: Int) -> String { self + String(repeating: "0", count: max(0, length - count)) }
}
