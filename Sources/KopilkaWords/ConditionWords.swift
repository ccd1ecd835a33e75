import KopilkaCore

/// A rule's or a promotion's condition in words: what the fact is and the range it must lie in («покупок до этой — не
/// больше 0», «указан email»).
struct ConditionWords: Sendable {
    /// Each fact's name; an action's attribute is named as the integrator sent it.
    let labels: [String: String]
    /// A yes-or-no fact asked for yes, and for no.
    let flags: [String: (yes: String, no: String)]
    /// The range's shapes: `{1}` is the fact's name, `{2}` the low end, `{3}` the high end.
    let exactly: String, between: String, atLeast: String, atMost: String
    let attribute: @Sendable (String) -> String
    let money: @Sendable (Kopecks) -> String

    static let russian = ConditionWords(
        labels: [
            "customer.daysSinceJoined": "дней с регистрации", "customer.purchases": "покупок до этой",
            "customer.daysSinceLastPurchase": "дней с прошлой покупки", "customer.birthdayKnownDays": "дней, как известен день рождения",
            "receipt.amountKopecks": "сумма чека", "receipt.sumKopecks": "сумма после скидок", "receipt.paidKopecks": "оплачено деньгами",
            "receipt.items": "товаров в чеке",
        ],
        flags: [
            "customer.hasName": ("указано имя", "имя не указано"), "customer.hasEmail": ("указан email", "email не указан"),
            "customer.hasBirthday": ("указан день рождения", "день рождения не указан"),
            "customer.marketingConsent": ("есть согласие на рассылки", "нет согласия на рассылки"),
        ],
        exactly: "{1} — ровно {2}", between: "{1} — от {2} до {3}", atLeast: "{1} — не меньше {2}",
        atMost: "{1} — не больше {3}", attribute: { "«\($0)»" }, money: { ReasonWords.russian(.money($0)) })

    static let english = ConditionWords(
        labels: [
            "customer.daysSinceJoined": "the days since joining", "customer.purchases": "the number of purchases before this one",
            "customer.daysSinceLastPurchase": "the days since the last purchase",
            "customer.birthdayKnownDays": "the days the birthday has been known", "receipt.amountKopecks": "the receipt's sum",
            "receipt.sumKopecks": "the sum after discounts", "receipt.paidKopecks": "the part paid in money",
            "receipt.items": "the number of items on the receipt",
        ],
        flags: [
            "customer.hasName": ("the customer gave a name", "the customer gave no name"),
            "customer.hasEmail": ("the customer gave an email", "the customer gave no email"),
            "customer.hasBirthday": ("the customer gave a birthday", "the customer gave no birthday"),
            "customer.marketingConsent": ("the customer agreed to messages", "the customer did not agree to messages"),
        ],
        exactly: "{1} is exactly {2}", between: "{1} is from {2} to {3}", atLeast: "{1} is at least {2}",
        atMost: "{1} is at most {3}", attribute: { "`\($0)`" }, money: { ReasonWords.english(.money($0)) })

    func words(_ condition: RuleCondition) -> String {
        let (low, high) = (condition.atLeast, condition.atMost)
        if let flag = flags[condition.fact] {
            // 1 is yes and 0 is no; another range on a yes-or-no fact is written as a range.
            if (low ?? 0) >= 1, (high ?? 1) >= 1 { return flag.yes }
            if (low ?? 0) <= 0, let high, high <= 0 { return flag.no }
        }
        let label = labels[condition.fact] ?? attribute(String(condition.fact.dropFirst(RuleFacts.actionPrefix.count)))
        let isMoney = [RuleFacts.Receipt.amountKopecks, .sumKopecks, .paidKopecks].contains { $0.rawValue == condition.fact }
        func write(_ value: Int64?) -> String { value.map { isMoney ? money($0) : String($0) } ?? "" }
        let shape = switch (low, high) {
        case (let low?, let high?) where low == high: exactly
        case (.some, .some): between
        case (.some, nil): atLeast
        case (nil, .some): atMost
        case (nil, nil): "{1}"
        }
        let values = [label, write(low), write(high)]
        return ReasonWords.Segment.parse(shape).map { segment in
            switch segment {
            case .text(let text): text
            case .value(let index): index < values.count ? values[index] : ""
            case .line: ""
            }
        }.joined()
    }
}
