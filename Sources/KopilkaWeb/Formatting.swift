import Foundation
import KopilkaCore
import KopilkaStore

/// Numbers as people read them, in the page's language: `1 234,50 ₽` and `1 234,5` in Russian, `₽1,234.50` and
/// `1,234.5` in English.
struct Formatting: Sendable {
    let language: Language

    /// Kopecks as roubles, with kopecks only when there are any.
    func money(_ kopecks: Int64) -> String {
        let sign = kopecks < 0 ? "−" : ""
        let whole = grouped(abs(kopecks) / 100), cents = abs(kopecks) % 100
        let fraction = cents == 0 ? "" : (language == .ru ? "," : ".") + (cents < 10 ? "0" : "") + String(cents)
        return language == .ru ? "\(sign)\(whole)\(fraction) ₽" : "\(sign)₽\(whole)\(fraction)"
    }

    /// Points (hundredths) with up to two decimals, trailing zeros dropped.
    func points(_ hundredths: Int64) -> String {
        let sign = hundredths < 0 ? "−" : ""
        let whole = grouped(abs(hundredths) / 100), cents = abs(hundredths) % 100
        var fraction = cents == 0 ? "" : (cents < 10 ? "0" : "") + String(cents)
        if fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + whole + (fraction.isEmpty ? "" : (language == .ru ? "," : ".") + fraction)
    }

    /// Hundredths as typed into a form: no grouping, two decimals at most (`1234,5` in Russian, `1234.5` in English).
    func plain(_ hundredths: Int64) -> String {
        let text = points(hundredths)
        return text.filter { $0 != "\u{202F}" && !(language == .en && $0 == ",") }
    }

    /// A customer's level for a template: its name, and the next level with what is still to go — money, purchases or
    /// items, as the levels count, and of which categories when they count some only.
    func tier(_ standing: TierStanding, levels: TierRules) -> [String: Any] {
        let basis = levels.basis, categories = basis == .purchases ? [] : levels.itemCategories
        func toGo(_ left: Int64) -> String { counted(left) + (categories.isEmpty ? "" : " (\(categories.joined(separator: ", ")))") }
        func counted(_ amount: Int64) -> String {
            switch (basis, language) {
            case (.spend, _): money(amount)
            case (.purchases, .ru): "\(amount) \(Self.russianCount(amount, "покупка", "покупки", "покупок"))"
            case (.purchases, .en): amount == 1 ? "1 purchase" : "\(amount) purchases"
            case (.items, .ru): "\(amount) шт."
            case (.items, .en): amount == 1 ? "1 item" : "\(amount) items"
            }
        }
        return ["name": standing.tier, "next": standing.nextTier ?? "", "hasNext": standing.nextTier != nil,
                "toNext": standing.toNextTier.map(toGo) ?? ""]
    }

    /// The Russian noun for a count: `one` for 1, 21, 101…; `few` for 2–4, 22–24…; `many` for the rest (5–20, 11–14…).
    static func russianCount(_ count: Int64, _ one: String, _ few: String, _ many: String) -> String {
        let n = abs(count)
        if n % 10 == 1, n % 100 != 11 { return one }
        if (2...4).contains(n % 10), !(12...14).contains(n % 100) { return few }
        return many
    }

    /// A stamp card for a template: its name, the stamps as filled and empty marks, what is left to the reward and
    /// when the stamps burn.
    func stampCard(_ card: StampBalance, _ zone: TimeZone) -> [String: Any] {
        var values: [String: Any] = [
            "name": card.name, "count": "\(card.stamps) / \(card.stampsForReward)", "ready": card.stamps >= card.stampsForReward,
            "marks": (0..<card.stampsForReward).map { ["filled": $0 < card.stamps] }, "left": String(max(0, card.stampsForReward - card.stamps)),
        ]
        if let burns = card.expiresAt { values["burns"] = date(burns, zone) }
        return values
    }

    /// A whole number with thousands grouped.
    func count(_ value: Int64) -> String { (value < 0 ? "−" : "") + grouped(abs(value)) }

    /// Basis points as a percentage with one decimal.
    func percent(_ bp: Int64) -> String {
        let tenths = (bp + 5) / 10
        return "\(tenths / 10)\(language == .ru ? "," : ".")\(tenths % 10) %"
    }

    /// `part` of `whole` as a percentage ("—" when `whole` is 0).
    func share(_ part: Int64, of whole: Int64) -> String {
        whole == 0 ? "—" : percent((part * 20_000 + whole) / (2 * whole))
    }

    /// An instant as `YYYY-MM-DD HH:MM` in `zone` (the merchant's).
    func time(_ instant: Instant, _ zone: TimeZone) -> String {
        LocalTime(instant.seconds, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.seconds))))).description
    }

    /// An instant's date, `YYYY-MM-DD`, in `zone`.
    func date(_ instant: Instant, _ zone: TimeZone) -> String { String(time(instant, zone).prefix(10)) }

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

/// Parses what people type for money: `1234`, `1 234,50`, `1234.5` → kopecks; nil for anything else.
func parseMoney(_ text: String) -> Int64? { parseHundredths(text) }

/// Parses points as typed (`150`, `150,5`) → hundredths; nil for anything else.
func parsePoints(_ text: String) -> Int64? { parseHundredths(text) }

private func parseHundredths(_ text: String) -> Int64? {
    let cleaned = text.filter { !$0.isWhitespace && $0 != "\u{202F}" && $0 != "₽" }.replacingOccurrences(of: ",", with: ".")
    let parts = cleaned.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...2).contains(parts.count), let whole = Int64(parts[0]), whole >= 0, whole < 100_000_000_000 else { return nil }
    guard parts.count == 2 else { return whole * 100 }
    let fraction = parts[1]
    guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isASCII), let cents = Int64(fraction.count == 1 ? fraction + "0" : String(fraction))
    else { return nil }
    return whole * 100 + cents
}
