import KopilkaCore

extension ReasonWords {
    /// The reasons in Russian, by code (and variant). Points are written with their noun («12 баллов»), money in
    /// roubles («129,90 ₽»).
    static let russian_: [String: String] = [
        "tier": "уровень «{1}»: {2} баллами",
        "promotion_budget_spent": "«{1}»: в бюджете акции осталось {2}, а этот чек взял бы {3}",
        "redemption_outside_schedule": "баллы сейчас нельзя потратить: {1}",
        "redemption_below_minimum": "баллами можно оплатить чек от {1}, а этот на {2}",
        "redemption_daily_limit": "чеков в день, которые можно оплатить баллами: не больше {1}",
        "redemption_excluded_payments": "баллами не оплачивается чек, оплаченный так: {1}",
        "redemption_not_with_discounts": "баллы не сочетаются с другими скидками, а в этом чеке скидка есть",
        "redemption_excluded_flag.no_discount": "строка {0}: цена фиксирована, баллами её не оплатить",
        "redemption_excluded_flag": "строка {0}: отмечена «без оплаты баллами»",
        "redemption_excluded_category": "строка {0}: категорию «{1}» нельзя оплатить баллами",
        "redemption_outside_scope": "строка {0}: баллами оплачиваются только товары, названные в программе",
        "redemption_line_capped": "строка {0}: баллами можно оплатить не больше {1} её стоимости",
        "redemption_excluded_discounted": "строка {0}: уже со скидкой, баллами её не оплатить",
        "redemption_needs_customer": "чек без покупателя нельзя оплатить баллами",
        "redemption_capped_share": "не больше {1} чека ({2})",
        "redemption_capped_benefit": "скидки и баллы вместе — не больше {1} чека (осталось {2})",
        "redemption_capped_min_payable": "столько, чтобы деньгами было оплачено не меньше {1}",
        "redemption_capped_eligible": "не больше суммы товаров, которые можно оплатить баллами ({1})",
        "redemption_capped_balance": "не больше доступных баллов ({1})",
        "redemption_applied": "баллами оплачено {2} чека ({1})",
        "accrual_needs_customer": "чек без покупателя не начисляет баллов",
        "accrual_earn_or_spend": "баллы потрачены, поэтому чек не начисляет баллов (или копить, или тратить)",
        "accrual_with_code": "чек с промокодом ({1}) не начисляет баллов",
        "accrual_daily_limit": "чеков в день с начислением баллов: не больше {1}",
        "accrual_below_minimum": "баллы начисляются на чек от {1}, а этот на {2}",
        "accrual_outside_schedule": "сейчас баллы не начисляются: {1}",
        "accrual_excluded_flag": "строка {0}: отмечена «без начисления»",
        "accrual_excluded_category": "строка {0}: на категорию «{1}» баллы не начисляются",
        "accrual_outside_scope": "строка {0}: баллы начисляются только на товары, названные в программе",
        "accrual_excluded_discounted": "строка {0}: со скидкой, баллы не начисляются",
        "accrual_excludes_redeemed_part": "на {1}, оплаченные баллами, баллы не начисляются",
        "accrual_excludes_payments": "на {1}, оплаченные так: {2}, баллы не начисляются",
        "accrual_per_amount": "1 балл за каждые {1}: за {2} начислено {3}",
        "accrual_band": "чек на {1}: ставка {2}",
        "accrual_rate": "{1} от {2}: начислено {3}",
        "card_offered": "покупка на {1} даёт карту бесплатно (от {2}): предложите её и зарегистрируйте покупателя с номером этого чека",
        "promotion_bonus": "«{1}»: +{2}",
        "rule_points": "«{1}»: +{2}",
        "rule_cap_reached": "«{1}»: лимит исчерпан",
        "promotion_multiplier": "«{1}»: ×{2} баллов на {3}: +{4}",
        "promotion_excluded": "«{1}»: акция «{2}» не сочетается с другими",
        "promotion_exclusive": "«{1}» не сочетается с другими скидками",
        "promotion_needs_code": "«{1}»: нужен промокод",
        "promotion_outside_schedule": "«{1}»: {2}",
        "promotion_not_started": "«{1}»: {2}",
        "promotion_ended": "«{1}»: {2}",
        "promotion_outside_days": "«{1}»: {2}",
        "promotion_outside_hours": "«{1}»: {2}",
        "promotion_other_store": "«{1}»: не действует в этом магазине",
        "promotion_needs_customer": "«{1}»: только покупателю с картой",
        "promotion_not_birthday": "«{1}»: только в дни рождения покупателя",
        "promotion_condition_not_met": "«{1}»: только если {2}",
        "promotion_not_recent": "«{1}»: только если с прошлой покупки прошло не больше {2} дн.",
        "promotion_needs_tier": "«{1}»: только для уровней {2}",
        "promotion_needs_group": "«{1}»: только для групп {2}",
        "promotion_limit_reached": "«{1}»: использований {2} из {3}",
        "promotion_limit_reached.today": "«{1}»: сегодня использований {2} из {3}",
        "promotion_limit_reached.customer": "«{1}»: использований покупателем {2} из {3}",
        "promotion_limit_reached.customer_day": "«{1}»: сегодня использований покупателем {2} из {3}",
        "promotion_limit_reached.customer_week": "«{1}»: на этой неделе использований покупателем {2} из {3}",
        "promotion_limit_reached.customer_month": "«{1}»: в этом месяце использований покупателем {2} из {3}",
        "promotion_limit_reached.customer_year": "«{1}»: в этом году использований покупателем {2} из {3}",
        "promotion_excluded_flag": "строка {0}: цена фиксирована, акция «{1}» её не снижает",
        "promotion_no_lines": "«{1}»: в чеке нет товаров, на которые она действует",
        "promotion_below_threshold": "«{1}»: нужно {2}, а подходящие товары стоят {3}",
        "promotion_below_threshold.units": "«{1}»: нужно {2} шт., а в чеке {3}",
        "promotion_below_threshold.receipt": "«{1}»: нужен чек от {2}, а этот на {3}",
        "promotion_below_threshold.receipt_units": "«{1}»: нужно {2} шт. в чеке, а в нём {3}",
        "promotion_gift": "«{1}»: {2} в подарок (строка {0}, −{3})",
        "promotion_gift.add": "«{1}»: добавьте в чек {2} ({3}), бесплатно",
        "promotion_applied": "«{1}»: −{2}, {3}",
        "promotion_no_effect": "«{1}»: цены уже не выше, чем даёт акция",
        "promotion_no_effect.points": "«{1}»: ни одна позиция чека не начисляет баллов",
        "promotion_not_best": "«{1}»: другая скидка больше на каждой позиции",
        "promotion_not_best.multiplier": "«{1}»: на её позиции действует больший множитель или они не начисляют баллов",
        "code_bonus": "код {1}: +{2}",
        "code_unknown": "код {1}: такого кода нет",
        "code_not_started": "код {1}: ещё не действует",
        "code_expired": "код {1}: срок действия истёк",
        "code_used": "код {1}: уже использован",
        "code_customer_limit": "код {1}: покупатель уже воспользовался предложением столько раз, сколько можно",
        "code_needs_customer": "код {1}: нужен покупатель с картой",
        "code_promotion_inactive": "код {1}: его акция сейчас не действует",
        "code_not_needed": "код {1}: для акции «{2}» код не нужен",
        "code_duplicate": "код {1}: акция «{2}» уже открыта другим кодом",
        "wholesale_needs_group": "оптовые цены только для групп {1}",
        "wholesale_excluded": "оптовые цены не сочетаются с эксклюзивной акцией",
        "wholesale_step_not_reached": "опт от {1}: {2}, нужно {3}",
        "wholesale_step_not_reached.named": "опт «{1}»: {2}, нужно {3}",
        "wholesale_step_not_reached.units": "опт от {1} шт.: {2} шт., нужно {3}",
        "wholesale_step_not_reached.named_units": "опт «{1}»: {2} шт., нужно {3}",
        "wholesale_step": "опт от {1}: скидка {2}, {3}",
        "wholesale_step.named": "опт «{1}»: скидка {2}, {3}",
        "wholesale_step.units": "опт от {1} шт.: скидка {2}, {3}",
        "wholesale_applied": "оптовые цены: −{1}, {2}",
        "wholesale_not_best": "оптовые цены: другая скидка больше на каждой позиции",
        "discount_needs_customer": "скидка по карте только покупателю с картой",
        "discount_excluded": "скидка по карте не сочетается с эксклюзивной акцией",
        "discount_excluded_promoted": "строка {0}: уже со скидкой по акции, скидка по карте не действует",
        "discount_outside_level": "строка {0}: скидка уровня на неё не действует",
        "discount_excluded_flag": "строка {0}: цена фиксирована, без скидки",
        "discount_excluded_category": "строка {0}: на категорию «{1}» скидка не действует",
        "discount_capped_floor": "строка {0}: скидки не опускают цену ниже {1}",
        "discount_rate": "скидка по карте {1}: −{2}, {3}",
        "discount_not_best": "скидка по карте: другая скидка больше на каждой позиции",
        "stamp_needs_customer": "«{1}»: штампы ставятся только покупателю с картой",
        "stamp_below_minimum": "«{1}»: позиции на {2}, штамп — от {3}",
        "stamp_reward_excluded": "«{1}»: награда не сочетается с эксклюзивной акцией, штампы остаются на карте",
        "stamp_reward_unavailable": "«{1}»: ни одна позиция не может стать наградой, штампы остаются на карте",
        "stamp_reward": "«{1}»: награда −{2}, {3}; списано штампов: {4}",
        "stamp_earned": "«{1}»: штампов +{2}, на карте {3} из {4}",
    ]

    /// A value as the Russian sentences write it.
    static func russian(_ value: ReasonValue) -> String {
        let f = Formatting(language: .ru)
        switch value {
        case .money(let kopecks): return f.money(kopecks)
        case .points(let hundredths):
            // A fraction takes the genitive singular: «12,5 балла».
            let noun = hundredths % 100 != 0 ? "балла" : Formatting.russianCount(hundredths / 100, "балл", "балла", "баллов")
            return "\(f.points(hundredths)) \(noun)"
        case .percent(let bp): return formatPercent(bp).replacingDot()
        case .quantity(let thousandths): return quantity(thousandths, separator: ",")
        case .count(let count): return String(count)
        case .text(let text): return text
        case .names(let names): return names.map { "«\($0)»" }.joined(separator: ", ")
        case .lines(let lines): return (lines.count == 1 ? "строка " : "строки ") + lines.map(String.init).joined(separator: ", ")
        case .payments(let methods): return methods.map(russianPayment).joined(separator: ", ")
        case .schedule(let miss):
            switch miss {
            case .timeUnknown: return "неизвестно местное время чека"
            case .startsOn(let date): return "действует с \(russianDate(date))"
            case .endedOn(let date): return "закончилась \(russianDate(date))"
            case .onlyOn(let days): return "только по дням: " + days.map { russianWeekdays[($0 - 1) % 7] }.joined(separator: ", ")
            case .within(let hours): return "только с \(hours.from) до \(hours.to)"
            }
        case .condition(let condition): return ConditionWords.russian.words(condition)
        }
    }

    static let russianWeekdays = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]

    static func russianPayment(_ method: Payment.Method) -> String {
        switch method {
        case .cash: "наличными"
        case .card: "картой"
        case .online: "онлайн"
        case .credit: "в кредит"
        case .certificate: "сертификатом"
        case .other: "иначе"
        }
    }

    /// `06.12.2026`.
    static func russianDate(_ date: LocalDate) -> String {
        let iso = date.description
        let parts = iso.split(separator: "-")
        return parts.count == 3 ? "\(parts[2]).\(parts[1]).\(parts[0])" : iso
    }
}

extension String {
    fileprivate func replacingDot() -> String { String(map { $0 == "." ? "," : $0 }) }
}
