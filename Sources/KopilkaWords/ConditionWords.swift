import KopilkaCore

/// A rule's or a promotion's condition in words: what the fact is and the range it must lie in («покупок — не больше 0»,
/// «указан email»).
enum ConditionWords {
    static func russian(_ condition: RuleCondition) -> String {
        if let flag = flag(condition) {
            switch RuleFacts.Customer(rawValue: condition.fact) {
            case .hasName: return flag ? "указано имя" : "имя не указано"
            case .hasEmail: return flag ? "указан email" : "email не указан"
            case .hasBirthday: return flag ? "указан день рождения" : "день рождения не указан"
            default: return flag ? "есть согласие на рассылки" : "нет согласия на рассылки"
            }
        }
        let label: String
        switch RuleFacts.Customer(rawValue: condition.fact) {
        case .daysSinceJoined: label = "дней с регистрации"
        case .purchases: label = "покупок до этой"
        case .daysSinceLastPurchase: label = "дней с прошлой покупки"
        case .birthdayKnownDays: label = "дней, как известен день рождения"
        default:
            switch RuleFacts.Receipt(rawValue: condition.fact) {
            case .amountKopecks: label = "сумма чека"
            case .sumKopecks: label = "сумма после скидок"
            case .paidKopecks: label = "оплачено деньгами"
            case .items: label = "товаров в чеке"
            case nil: label = "«\(condition.fact.dropFirst(RuleFacts.actionPrefix.count))»"
            }
        }
        let write = { (value: Int64) in isMoney(condition) ? ReasonWords.russian(.money(value)) : String(value) }
        switch (condition.atLeast, condition.atMost) {
        case (let low?, let high?) where low == high: return "\(label) — ровно \(write(low))"
        case (let low?, let high?): return "\(label) — от \(write(low)) до \(write(high))"
        case (let low?, nil): return "\(label) — не меньше \(write(low))"
        case (nil, let high?): return "\(label) — не больше \(write(high))"
        case (nil, nil): return label
        }
    }

    static func english(_ condition: RuleCondition) -> String {
        if let flag = flag(condition) {
            switch RuleFacts.Customer(rawValue: condition.fact) {
            case .hasName: return flag ? "the customer gave a name" : "the customer gave no name"
            case .hasEmail: return flag ? "the customer gave an email" : "the customer gave no email"
            case .hasBirthday: return flag ? "the customer gave a birthday" : "the customer gave no birthday"
            default: return flag ? "the customer agreed to messages" : "the customer did not agree to messages"
            }
        }
        let label: String
        switch RuleFacts.Customer(rawValue: condition.fact) {
        case .daysSinceJoined: label = "the days since joining"
        case .purchases: label = "the number of purchases before this one"
        case .daysSinceLastPurchase: label = "the days since the last purchase"
        case .birthdayKnownDays: label = "the days the birthday has been known"
        default:
            switch RuleFacts.Receipt(rawValue: condition.fact) {
            case .amountKopecks: label = "the receipt's sum"
            case .sumKopecks: label = "the sum after discounts"
            case .paidKopecks: label = "the part paid in money"
            case .items: label = "the number of items on the receipt"
            case nil: label = "`\(condition.fact.dropFirst(RuleFacts.actionPrefix.count))`"
            }
        }
        let write = { (value: Int64) in isMoney(condition) ? ReasonWords.english(.money(value)) : String(value) }
        switch (condition.atLeast, condition.atMost) {
        case (let low?, let high?) where low == high: return "\(label) is exactly \(write(low))"
        case (let low?, let high?): return "\(label) is from \(write(low)) to \(write(high))"
        case (let low?, nil): return "\(label) is at least \(write(low))"
        case (nil, let high?): return "\(label) is at most \(write(high))"
        case (nil, nil): return label
        }
    }

    /// For a yes-or-no fact: whether the condition asks for yes (true) or no (false); nil for other facts and ranges.
    private static func flag(_ condition: RuleCondition) -> Bool? {
        switch RuleFacts.Customer(rawValue: condition.fact) {
        case .hasName, .hasEmail, .hasBirthday, .marketingConsent:
            if (condition.atLeast ?? 0) >= 1, (condition.atMost ?? 1) >= 1 { return true }
            if (condition.atLeast ?? 0) <= 0, condition.atMost.map({ $0 <= 0 }) ?? false { return false }
            return nil
        default: return nil
        }
    }

    private static func isMoney(_ condition: RuleCondition) -> Bool {
        switch RuleFacts.Receipt(rawValue: condition.fact) {
        case .amountKopecks, .sumKopecks, .paidKopecks: true
        default: false
        }
    }
}
