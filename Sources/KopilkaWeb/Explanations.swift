import Foundation
import KopilkaCore

/// The engine's explanations and the store's refusals in the page's language.
///
/// The engine explains in English, for tills and logs, and the reasons' codes are its stable part. A Russian page reads
/// each sentence against the English pattern of its code, takes the values out and puts them into the Russian
/// sentence, formatted the Russian way. A sentence no pattern matches stays English: a wrong translation would be
/// worse than an untranslated one, and a test runs the engine to keep the patterns in step with it.
enum Explanations {
    /// `reason` as a page in `language` shows it.
    static func text(_ reason: Reason, _ language: Language) -> String {
        guard language == .ru else { return reason.message }
        return russian(reason) ?? reason.message
    }

    /// The Russian sentence, or nil when the English one matches no pattern of its code.
    static func russian(_ reason: Reason) -> String? {
        let f = Formatting(language: .ru)
        for pattern in patterns[reason.code] ?? [] {
            guard let values = pattern.match(reason.message) else { continue }
            var sentence = pattern.russian
            for (index, (kind, value)) in zip(pattern.kinds, values).enumerated() {
                sentence = sentence.replacingOccurrences(of: "{\(index + 1)}", with: kind.russian(value, f))
            }
            return sentence
        }
        return nil
    }

    /// A value inside an English sentence: its shape there, and how a Russian sentence writes it.
    enum Kind: Character {
        /// A name or a code, kept as it is.
        case text = "s"
        /// Kopecks as `129.90`.
        case money = "m"
        /// Points in hundredths as `12.50`.
        case points = "n"
        /// A percentage, `5 %` or `5.5 %`.
        case percent = "p"
        /// A quantity, `2` or `1.5`.
        case quantity = "q"
        /// A line number.
        case line = "i"
        /// `line 3` or `lines 1, 2`.
        case lines = "l"
        /// Why a schedule does not hold now.
        case schedule = "w"

        var regex: String {
            switch self {
            case .text: "(.+?)"
            case .money, .points: "(-?\\d+\\.\\d\\d)"
            case .percent: "(\\d+(?:\\.\\d+)? %)"
            case .quantity: "(\\d+(?:\\.\\d+)?)"
            case .line: "(\\d+)"
            case .lines: "(lines? [\\d, ]+)"
            case .schedule: "(.+)"
            }
        }

        func russian(_ value: String, _ f: Formatting) -> String {
            switch self {
            case .text, .line: return value
            case .money: return parseSigned(value).map(f.money) ?? value
            case .points: return parseSigned(value).map(f.points) ?? value
            case .percent, .quantity: return value.replacingOccurrences(of: ".", with: ",")
            case .lines: return value.hasPrefix("lines ") ? "строки " + value.dropFirst(6) : "строка " + value.dropFirst(5)
            case .schedule: return Explanations.schedule(value)
            }
        }

        private func parseSigned(_ value: String) -> Int64? {
            value.hasPrefix("-") ? parseMoney(String(value.dropFirst())).map { -$0 } : parseMoney(value)
        }
    }

    /// An English pattern (values as `{m}`, `{s}`, … by `Kind`) and its Russian sentence (values as `{1}`, `{2}`, …).
    struct Pattern {
        let regex: NSRegularExpression
        let kinds: [Kind]
        let russian: String

        init(_ english: String, _ russian: String) {
            var expression = "^", kinds: [Kind] = []
            var rest = Substring(english)
            while let open = rest.firstIndex(of: "{") {
                expression += NSRegularExpression.escapedPattern(for: String(rest[..<open]))
                let kind = Kind(rawValue: rest[rest.index(after: open)])!
                kinds.append(kind)
                expression += kind.regex
                rest = rest[rest.index(open, offsetBy: 3)...]
            }
            expression += NSRegularExpression.escapedPattern(for: String(rest)) + "$"
            self.regex = try! NSRegularExpression(pattern: expression)
            self.kinds = kinds
            self.russian = russian
        }

        func match(_ sentence: String) -> [String]? {
            let range = NSRange(sentence.startIndex..., in: sentence)
            guard let found = regex.firstMatch(in: sentence, range: range) else { return nil }
            return (1..<found.numberOfRanges).map { String(sentence[Range(found.range(at: $0), in: sentence)!]) }
        }
    }

    /// Why a schedule does not hold (`Schedule`'s sentences), in Russian.
    static func schedule(_ english: String) -> String {
        let days = ["Monday": "пн", "Tuesday": "вт", "Wednesday": "ср", "Thursday": "чт", "Friday": "пт", "Saturday": "сб", "Sunday": "вс"]
        if english == "the receipt's local time is unknown" { return "неизвестно местное время чека" }
        if english.hasPrefix("starts on ") { return "действует с " + english.dropFirst(10) }
        if english.hasPrefix("ended on ") { return "закончилось " + english.dropFirst(9) }
        if english.hasPrefix("only on ") {
            return "только по дням: " + english.dropFirst(8).components(separatedBy: ", ").map { days[$0] ?? $0 }.joined(separator: ", ")
        }
        if english.hasPrefix("outside ") { return "вне часов " + english.dropFirst(8) }
        return english
    }

    /// The patterns by reason code, in the engine's English (`ReceiptCalculator` and its extensions).
    static let patterns: [String: [Pattern]] = [
        "tier": [.init("level «{s}»: {p} back", "уровень «{1}»: {2} баллами")],
        "promotion_budget_spent": [.init(
            "«{s}»: its budget has {m} left, this receipt would take {m}", "«{1}»: в бюджете акции осталось {2}, а этот чек взял бы {3}")],
        "redemption_outside_schedule": [.init("points cannot be spent now: {w}", "баллы сейчас нельзя потратить: {1}")],
        "redemption_excluded_flag": [
            .init("line {i}: price is fixed (noDiscount), points cannot pay for it", "строка {1}: цена фиксирована, баллами её не оплатить"),
            .init("line {i}: marked noRedemption, points cannot pay for it", "строка {1}: отмечена «без оплаты баллами»"),
        ],
        "redemption_excluded_category": [.init("line {i}: category `{s}` excluded from redemption", "строка {1}: категорию «{2}» нельзя оплатить баллами")],
        "redemption_outside_scope": [.init(
            "line {i}: points may pay only for the program's redemption lines", "строка {1}: баллами оплачиваются только товары, названные в программе")],
        "redemption_excluded_discounted": [.init("line {i}: discounted already, points cannot pay for it", "строка {1}: уже со скидкой, баллами её не оплатить")],
        "redemption_needs_customer": [.init("an anonymous receipt cannot be paid with points", "чек без покупателя нельзя оплатить баллами")],
        "redemption_capped_share": [.init("capped at {p} of the check ({m})", "не больше {1} чека ({2})")],
        "redemption_capped_min_payable": [.init("capped so that at least {m} is paid in money", "столько, чтобы деньгами было оплачено не меньше {1}")],
        "redemption_capped_eligible": [.init(
            "capped at the sum of lines that points may pay for ({m})", "не больше суммы товаров, которые можно оплатить баллами ({1})")],
        "redemption_capped_balance": [.init("capped at the spendable balance ({n} points)", "не больше доступных баллов ({1})")],
        "redemption_applied": [.init("{n} points pay {m} of the check", "{1} баллов оплачивают {2} чека")],
        "accrual_needs_customer": [.init("an anonymous receipt earns no points", "чек без покупателя не начисляет баллов")],
        "accrual_outside_schedule": [.init("no points are earned now: {w}", "сейчас баллы не начисляются: {1}")],
        "accrual_excluded_flag": [.init("line {i}: marked noAccrual, earns no points", "строка {1}: отмечена «без начисления»")],
        "accrual_excluded_category": [.init("line {i}: category `{s}` excluded from accrual", "строка {1}: на категорию «{2}» баллы не начисляются")],
        "accrual_outside_scope": [.init(
            "line {i}: points are earned only on the program's accrual lines", "строка {1}: баллы начисляются только на товары, названные в программе")],
        "accrual_excludes_redeemed_part": [.init("the {m} paid with points earns no points", "на {1}, оплаченные баллами, баллы не начисляются")],
        "accrual_rate": [.init("{p} of {m} earns {n} points", "{1} от {2}: {3} баллов")],
        "redemption_below_minimum": [.init(
            "points pay for receipts from {m}; this one is {m}", "баллами можно оплатить чек от {1}, а этот на {2}")],
        "redemption_not_with_discounts": [.init(
            "points do not combine with other discounts, and this receipt has one", "баллы не сочетаются с другими скидками, а в этом чеке скидка есть")],
        "redemption_capped_benefit": [.init(
            "capped so that discounts and points give at most {p} of the check ({m} left)", "скидки и баллы вместе — не больше {1} чека (осталось {2})")],
        "accrual_earn_or_spend": [.init(
            "points were spent, so this receipt earns none (earn or spend)", "баллы потрачены, поэтому чек не начисляет баллов (или копить, или тратить)")],
        "accrual_with_code": [.init("a receipt with a promo code ({s}) earns no points", "чек с промокодом ({1}) не начисляет баллов")],
        "accrual_below_minimum": [.init(
            "points are earned on receipts from {m}; this one is {m}", "баллы начисляются на чек от {1}, а этот на {2}")],
        "accrual_excluded_discounted": [.init("line {i}: discounted, earns no points", "строка {1}: со скидкой, баллы не начисляются")],
        "accrual_per_amount": [.init("1 point per {m}: {m} earns {n} points", "1 балл за каждые {1}: {2} дают {3} баллов")],
        "accrual_band": [.init("a receipt of {m} earns at {p}", "чек на {1}: ставка {2}")],
        "redemption_daily_limit": [.init("points pay for at most {i} receipts a day", "баллами можно оплатить не больше {1} чеков в день")],
        "accrual_daily_limit": [.init("points are earned on at most {i} receipts a day", "баллы начисляются не больше чем на {1} чеков в день")],
        "promotion_not_birthday": [.init("«{s}»: only around the customer's birthday", "«{1}»: только в дни рождения покупателя")],
        "promotion_not_recent": [.init(
            "«{s}»: only when the previous purchase was at most {i} days ago", "«{1}»: только если прошлая покупка была не больше {2} дней назад")],
        "accrual_excludes_payments": [.init("the {m} paid by {s} earns no points", "на {1}, оплаченные так: {2}, баллы не начисляются")],
        "promotion_needs_code": [.init("«{s}»: needs a promo code", "«{1}»: нужен промокод")],
        "promotion_outside_schedule": [.init("«{s}»: {w}", "«{1}»: {2}")],
        "promotion_not_started": [.init("«{s}»: {w}", "«{1}»: {2}")],
        "promotion_ended": [.init("«{s}»: {w}", "«{1}»: {2}")],
        "promotion_outside_days": [.init("«{s}»: {w}", "«{1}»: {2}")],
        "promotion_outside_hours": [.init("«{s}»: {w}", "«{1}»: {2}")],
        "promotion_other_store": [.init("«{s}»: not in this store", "«{1}»: не действует в этом магазине")],
        "promotion_needs_customer": [.init("«{s}»: needs an identified customer", "«{1}»: только покупателю с картой")],
        "promotion_needs_tier": [.init("«{s}»: for levels {s}", "«{1}»: только для уровней {2}")],
        "promotion_needs_group": [.init("«{s}»: for groups {s}", "«{1}»: только для групп {2}")],
        "promotion_limit_reached": [
            .init("«{s}»: used {i} of {i} times", "«{1}»: использована {2} из {3} раз"),
            .init("«{s}»: used {i} of {i} times today", "«{1}»: сегодня использована {2} из {3} раз"),
            .init("«{s}»: the customer has used it {i} of {i} times", "«{1}»: покупатель воспользовался ею {2} из {3} раз"),
        ],
        "promotion_no_lines": [.init("«{s}»: no line of the receipt is in its scope", "«{1}»: в чеке нет товаров, на которые она действует")],
        "promotion_below_threshold": [
            .init("«{s}»: needs {m}, the lines add up to {m}", "«{1}»: нужно {2}, а подходящие товары стоят {3}"),
            .init("«{s}»: needs {q} units, the lines hold {q}", "«{1}»: нужно {2} шт., а в чеке {3}"),
        ],
        "promotion_no_effect": [
            .init("«{s}»: no line of the receipt can earn points", "«{1}»: ни одна позиция чека не начисляет баллов"),
            .init("«{s}»: the prices are already at or below what it gives", "«{1}»: цены уже не выше, чем даёт акция"),
        ],
        "promotion_bonus": [.init("«{s}»: +{n} points", "«{1}»: +{2} баллов")],
        "code_bonus": [.init("code {s}: +{n} points", "код {1}: +{2} баллов")],
        "card_offered": [.init(
            "a purchase of {m} earns a free card (from {m}): offer it; register with this receipt's id",
            "покупка на {1} даёт карту бесплатно (от {2}): предложите её и зарегистрируйте покупателя с номером этого чека")],
        "promotion_not_best": [
            .init("«{s}»: a larger multiplier covers its lines, or they earn nothing", "«{1}»: на её позиции действует больший множитель или они не начисляют баллов"),
            .init("«{s}»: another discount is larger on every line", "«{1}»: другая скидка больше на каждой позиции"),
        ],
        "promotion_multiplier": [.init("«{s}»: ×{q} points on {m}: +{n}", "«{1}»: ×{2} баллов на {3}: +{4}")],
        "promotion_excluded": [.init("«{s}»: «{s}» is exclusive", "«{1}»: акция «{2}» не сочетается с другими")],
        "promotion_exclusive": [.init("«{s}» is exclusive: no other discount applies", "«{1}» не сочетается с другими скидками")],
        "code_unknown": [.init("code {s}: no such code", "код {1}: такого кода нет")],
        "code_not_started": [.init("code {s}: not valid yet", "код {1}: ещё не действует")],
        "code_expired": [.init("code {s}: expired", "код {1}: срок действия истёк")],
        "code_used": [.init("code {s}: already used", "код {1}: уже использован")],
        "code_customer_limit": [.init(
            "code {s}: the customer has used this offer as often as allowed", "код {1}: покупатель уже воспользовался предложением столько раз, сколько можно")],
        "code_needs_customer": [.init("code {s}: needs an identified customer", "код {1}: нужен покупатель с картой")],
        "code_promotion_inactive": [.init("code {s}: its promotion is not running", "код {1}: его акция сейчас не действует")],
        "code_not_needed": [.init("code {s}: «{s}» needs no code", "код {1}: для акции «{2}» код не нужен")],
        "code_duplicate": [.init("code {s}: «{s}» is unlocked by another code", "код {1}: акция «{2}» уже открыта другим кодом")],
        "promotion_excluded_flag": [.init(
            "line {i}: price is fixed (noDiscount), «{s}» does not lower it", "строка {1}: цена фиксирована, акция «{2}» её не снижает")],
        "discount_excluded_promoted": [.init(
            "line {i}: discounted by a promotion, no card discount", "строка {1}: уже со скидкой по акции, скидка по карте не действует")],
        "wholesale_needs_group": [.init("wholesale prices are for groups {s}", "оптовые цены только для групп {1}")],
        "wholesale_excluded": [.init("wholesale prices do not combine with an exclusive promotion", "оптовые цены не сочетаются с эксклюзивной акцией")],
        "wholesale_step_not_reached": [
            .init("wholesale «{s}»: {q} units, needs {q}", "опт «{1}»: {2} шт., нужно {3}"),
            .init("wholesale «{s}»: {m}, needs {m}", "опт «{1}»: {2}, нужно {3}"),
        ],
        "wholesale_step": [.init("wholesale «{s}» reached: {p} off {l}", "опт «{1}»: скидка {2}, {3}")],
        "discount_needs_customer": [.init("the card discount needs an identified customer", "скидка по карте только покупателю с картой")],
        "discount_excluded": [.init("the card discount does not combine with an exclusive promotion", "скидка по карте не сочетается с эксклюзивной акцией")],
        "discount_excluded_flag": [.init("line {i}: price is fixed (noDiscount), no discount", "строка {1}: цена фиксирована, без скидки")],
        "discount_excluded_category": [.init(
            "line {i}: category `{s}` excluded from the discount", "строка {1}: на категорию «{2}» скидка не действует")],
        "discount_outside_level": [.init("line {i}: the level's discount is not for this line", "строка {1}: скидка уровня на неё не действует")],
        "discount_capped_floor": [.init("line {i}: discounts stop at the line's floor ({m})", "строка {1}: скидки не опускают цену ниже {2}")],
        "wholesale_applied": [.init("wholesale prices: −{m} on {l}", "оптовые цены: −{1}, {2}")],
        "discount_rate": [.init("card discount {p}: −{m} on {l}", "скидка по карте {1}: −{2}, {3}")],
        "promotion_gift": [
            .init("«{s}»: {s} free (line {i}, −{m})", "«{1}»: {2} в подарок (строка {3}, −{4})"),
            .init("«{s}»: add {s} ({s}) to the receipt, free", "«{1}»: добавьте в чек {2} ({3}), бесплатно"),
        ],
        "promotion_applied": [.init("«{s}»: −{m} on {l}", "«{1}»: −{2}, {3}")],
        "stamp_needs_customer": [.init("«{s}»: stamps need an identified customer", "«{1}»: штампы ставятся только покупателю с картой")],
        "stamp_below_minimum": [.init("«{s}»: the lines add up to {m}, stamps from {m}", "«{1}»: позиции на {2}, штамп — от {3}")],
        "stamp_reward_excluded": [.init(
            "«{s}»: no reward with an exclusive promotion, the stamps stay on the card",
            "«{1}»: награда не сочетается с эксклюзивной акцией, штампы остаются на карте")],
        "stamp_reward_unavailable": [.init(
            "«{s}»: no line can take the reward, the stamps stay on the card", "«{1}»: ни одна позиция не может стать наградой, штампы остаются на карте")],
        "stamp_reward": [.init("«{s}»: reward −{m} on {l}, {q} stamps used", "«{1}»: награда −{2}, {3}; списано штампов: {4}")],
        "stamp_earned": [.init("«{s}»: +{q} stamps, {q} of {q} on the card", "«{1}»: штампов +{2}, на карте {3} из {4}")],
        "wholesale_not_best": [.init("wholesale prices: another discount is larger on every line", "оптовые цены: другая скидка больше на каждой позиции")],
        "discount_not_best": [.init("card discount: another discount is larger on every line", "скидка по карте: другая скидка больше на каждой позиции")],
    ]
}
