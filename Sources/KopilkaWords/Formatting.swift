/// Numbers as people read them, in a language: `1 234,50 ₽` and `1 234,5` in Russian, `₽1,234.50` and `1,234.5` in
/// English.
public struct Formatting: Sendable {
    public let language: Language

    public init(language: Language) { self.language = language }

    /// Kopecks as roubles, with kopecks only when there are any.
    public func money(_ kopecks: Int64) -> String {
        let sign = kopecks < 0 ? "−" : ""
        let whole = grouped(abs(kopecks) / 100), cents = abs(kopecks) % 100
        let fraction = cents == 0 ? "" : (language == .ru ? "," : ".") + (cents < 10 ? "0" : "") + String(cents)
        return language == .ru ? "\(sign)\(whole)\(fraction) ₽" : "\(sign)₽\(whole)\(fraction)"
    }

    /// Points (hundredths) with up to two decimals, trailing zeros dropped.
    public func points(_ hundredths: Int64) -> String {
        let sign = hundredths < 0 ? "−" : ""
        let whole = grouped(abs(hundredths) / 100), cents = abs(hundredths) % 100
        var fraction = cents == 0 ? "" : (cents < 10 ? "0" : "") + String(cents)
        if fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + whole + (fraction.isEmpty ? "" : (language == .ru ? "," : ".") + fraction)
    }

    /// Points with their noun: `1 балл`, `3 балла`, `100 баллов`, `2,5 балла` (a fraction takes the genitive singular).
    public func pointsCounted(_ hundredths: Int64) -> String {
        let number = points(hundredths)
        guard language == .ru else { return number + (hundredths == 100 ? " point" : " points") }
        let noun = hundredths % 100 != 0 ? "балла" : Self.russianCount(hundredths / 100, "балл", "балла", "баллов")
        return number + " " + noun
    }

    /// Hundredths as typed into a form: no grouping, two decimals at most (`1234,5` in Russian, `1234.5` in English).
    public func plain(_ hundredths: Int64) -> String {
        let text = points(hundredths)
        return text.filter { $0 != "\u{202F}" && !(language == .en && $0 == ",") }
    }

    /// The Russian noun for a count: `one` for 1, 21, 101…; `few` for 2–4, 22–24…; `many` for the rest (5–20, 11–14…).
    public static func russianCount(_ count: Int64, _ one: String, _ few: String, _ many: String) -> String {
        let n = abs(count)
        if n % 10 == 1, n % 100 != 11 { return one }
        if (2...4).contains(n % 10), !(12...14).contains(n % 100) { return few }
        return many
    }

    /// A whole number with thousands grouped.
    public func count(_ value: Int64) -> String { (value < 0 ? "−" : "") + grouped(abs(value)) }

    /// Basis points as a percentage with one decimal.
    public func percent(_ bp: Int64) -> String {
        let tenths = (bp + 5) / 10
        return "\(tenths / 10)\(language == .ru ? "," : ".")\(tenths % 10) %"
    }

    /// `part` of `whole` as a percentage ("—" when `whole` is 0).
    public func share(_ part: Int64, of whole: Int64) -> String {
        whole == 0 ? "—" : percent((part * 20_000 + whole) / (2 * whole))
    }

    private func grouped(_ value: Int64) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += language == .ru ? "\u{202F}" : "," }
            out.append(digit)
        }
        return out
    }
}
