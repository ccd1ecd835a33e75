import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaWords

// What pages show beyond numbers: levels, stamp cards and times, in the page's language.
extension Formatting {
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

    /// An instant in `zone` (the merchant's) as its readers write it: `06.12.2026 14:05` in Russian, `6 Dec 2026 14:05` in
    /// English.
    func time(_ instant: Instant, _ zone: TimeZone) -> String {
        let local = Self.local(instant, zone)
        return day(local.date) + " " + ClockTime(minute: local.minute).description
    }

    /// An instant's date in `zone`: `06.12.2026` in Russian, `6 Dec 2026` in English.
    func date(_ instant: Instant, _ zone: TimeZone) -> String { day(Self.local(instant, zone).date) }

    /// A calendar date as the page's readers write it: `06.12.2026` in Russian, `6 Dec 2026` in English.
    func day(_ date: LocalDate) -> String {
        let iso = date.description
        let (year, month, dayOfMonth) = (iso.prefix(4), Int(iso.dropFirst(5).prefix(2)) ?? 1, iso.dropFirst(8))
        guard language == .ru else { return "\(Int(dayOfMonth) ?? 1) \(Self.englishMonths[month - 1]) \(year)" }
        return "\(dayOfMonth).\(iso.dropFirst(5).prefix(2)).\(year)"
    }

    /// A month as `YYYY-MM` (a cohort's) in words: `авг 2026`, `Aug 2026`; anything else as it is.
    func month(_ yearMonth: String) -> String {
        guard yearMonth.count == 7, let month = Int(yearMonth.suffix(2)), (1...12).contains(month) else { return yearMonth }
        let names = language == .ru ? Self.russianMonths : Self.englishMonths
        return "\(names[month - 1]) \(yearMonth.prefix(4))"
    }

    static let russianMonths = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
    static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func local(_ instant: Instant, _ zone: TimeZone) -> LocalTime {
        LocalTime(instant.seconds, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant.seconds)))))
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
