import Foundation
import KopilkaCore

/// A field's error as an owner reads it on a page: the core says "`promotions[1].reward.percentBp`: must be 1…10000
/// basis points"; a page says «Акция 2, скидка: от 0,01 до 100 %». Units become the owner's (percents, roubles, points),
/// paths become the thing's number and the setting's name. Anything not recognised is said plainly, never as JSON.
public enum FieldWords {
    /// The field and what is wrong with it, as one sentence for a form's message.
    public static func sentence(_ error: FieldError, in language: Language) -> String {
        let where_ = place(error.field, in: language)
        return where_.isEmpty ? message(error, in: language) : where_ + ": " + message(error, in: language)
    }

    /// What is wrong, with the field's own unit, for a message next to its field.
    public static func message(_ error: FieldError, in language: Language) -> String {
        let ru = language == .ru
        let text = error.message
        let f = Formatting(language: language)
        // "must be A…B unit", "must be 0 (no limit) … B unit", with an optional note after the unit.
        if let match = text.firstMatch(of: /^must be (\d+)(?: \(([^)]*)\))? ?… ?(\d+)(?: ([a-z ]+?))?(?: \(.*\))?(?:, .*)?$/) {
            guard let low = Int64(match.1), let high = Int64(match.3) else { return fallback(text, ru) }
            let unit = match.4.map(String.init) ?? ""
            let zeroMeansNone = match.2 != nil
            // Money, percents and points carry their sign on both ends; a count says its noun once, after the last.
            func amount(_ value: Int64, last: Bool = true) -> String {
                switch unit {
                case "basis points": return f.points(value) + " %"
                case "kopecks": return f.money(value)
                case "hundredths": return f.pointsCounted(value)
                case "thousandths of a unit": return f.count(value / 1000)
                default: return f.count(value) + (unit.isEmpty || !last ? "" : " " + noun(unit, value, ru))
                }
            }
            if zeroMeansNone {
                return ru ? "0 — без ограничения, или не больше \(amount(high))" : "0 for no limit, or at most \(amount(high))"
            }
            return ru ? "от \(amount(low, last: false)) до \(amount(high))" : "from \(amount(low, last: false)) to \(amount(high))"
        }
        if let match = text.firstMatch(of: /^must be at most (\d+) characters$/), let n = Int64(match.1) {
            return ru ? "не длиннее \(f.count(n)) \(noun("characters", n, ru))" : "at most \(n) characters"
        }
        switch text {
        case "must be positive", "must be positive (thousandths)", "must be a positive sum":
            return ru ? "больше нуля" : "above zero"
        case "must be 0 or a positive sum":
            return ru ? "0 или сумма больше нуля" : "0 or a sum above zero"
        default:
            return fallback(text, ru)
        }
    }

    /// Where a JSON path points, in words: `promotions[1].when.until` → «акция 2, «по»»; empty for a top-level field the
    /// form shows the message next to.
    public static func place(_ path: String, in language: Language) -> String {
        let ru = language == .ru
        var parts: [String] = []
        for segment in path.split(separator: ".") {
            if let match = segment.firstMatch(of: /^([A-Za-z]+)\[(\d+)\]$/), let index = Int(match.2) {
                let thing = String(match.1)
                parts.append((things[thing].map { ru ? $0.ru : $0.en } ?? thing) + " \(index + 1)")
            } else if let name = names[String(segment)] {
                parts.append("«" + (ru ? name.ru : name.en) + "»")
            }
        }
        guard !parts.isEmpty else { return "" }
        let text = parts.joined(separator: ", ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    /// An English message not recognised above: said in English, or plainly in Russian.
    private static func fallback(_ text: String, _ ru: Bool) -> String {
        ru ? "недопустимое значение" : text
    }

    private static func noun(_ unit: String, _ value: Int64, _ ru: Bool) -> String {
        guard ru else { return unit }
        switch unit {
        case "days": return Formatting.russianCount(value, "дня", "дней", "дней")
        case "characters": return Formatting.russianCount(value, "символа", "символов", "символов")
        case "seconds": return Formatting.russianCount(value, "секунды", "секунд", "секунд")
        case "minutes": return Formatting.russianCount(value, "минуты", "минут", "минут")
        case "months": return Formatting.russianCount(value, "месяца", "месяцев", "месяцев")
        case "attempts": return Formatting.russianCount(value, "попытки", "попыток", "попыток")
        case "units": return "шт."
        default: return unit
        }
    }

    /// Lists a program holds, by their JSON names.
    private static let things: [String: (ru: String, en: String)] = [
        "promotions": ("акция", "promotion"), "tiers": ("уровень", "level"), "stampCards": ("карта штампов", "stamp card"),
        "accrualBands": ("ступень шкалы", "band"), "rules": ("правило", "rule"), "conditions": ("условие", "condition"),
        "lines": ("строка", "line"), "steps": ("ступень", "step"), "levelRatesBp": ("уровень", "level"), "stores": ("магазин", "store"),
        "redemptionLineCaps": ("ограничение по строкам", "line cap"), "wholesale": ("оптовая скидка", "wholesale price"),
    ]

    /// Settings, by their JSON names, as the console's forms call them.
    private static let names: [String: (ru: String, en: String)] = [
        "name": ("название", "name"), "id": ("код", "id"), "from": ("с", "from"), "until": ("по", "until"), "days": ("дни недели", "weekdays"),
        "priority": ("приоритет", "priority"), "percentBp": ("процент", "percent"), "rateBp": ("процент", "percent"),
        "amountOffKopecks": ("скидка в рублях", "amount off"), "points": ("баллы", "points"), "multiplierPercent": ("множитель", "multiplier"),
        "minAmountKopecks": ("сумма от", "minimum sum"), "minQuantity": ("количество от", "minimum quantity"), "threshold": ("порог", "threshold"),
        "fromKopecks": ("сумма от", "from sum"), "every": ("каждый N-й", "every N-th"), "stampsForReward": ("штампов до награды", "stamps for a reward"),
        "lifetimeDays": ("срок жизни, дней", "lifetime, days"), "totalUses": ("всего использований", "total uses"),
        "usesPerDay": ("использований в день", "uses a day"), "usesPerCustomer": ("использований покупателем", "uses per customer"),
        "budgetKopecks": ("бюджет", "budget"), "categories": ("категории", "categories"), "skus": ("артикулы", "SKUs"),
        "recencyDays": ("дней с последней покупки", "days since the last purchase"), "activationDelayDays": ("через сколько дней доступны", "days before spendable"),
        "referrerPoints": ("баллы пригласившему", "points to the referrer"), "friendPoints": ("баллы другу", "points to the friend"),
        "waitDays": ("дней ожидания", "days to wait"), "minPurchaseKopecks": ("покупка от", "purchase from"),
        "maxPointsPerPurchase": ("не больше за покупку", "at most per purchase"), "maxPointsPerCustomer": ("не больше за покупателя", "at most per customer"),
    ]
}
