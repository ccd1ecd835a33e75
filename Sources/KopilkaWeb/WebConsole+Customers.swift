import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// `GET /console/customers?q=`: search by phone, card or the start of a name.
    func customers(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let query = visit.query["q"] ?? ""
        let found = try await store.findCustomers(merchantId: session.merchantId, query: query, limit: 20, now: visit.now)
        if found.count == 1, query.filter(\.isNumber).count >= 10 { return Self.redirect("/console/customers/\(found[0].id)") }
        return render("customers", visit, [
            "q": query, "searched": !query.isEmpty,
            "results": found.map { summary in
                ["id": summary.id, "card": summary.card, "name": summary.maskedName ?? "—", "phone": summary.maskedPhone ?? "—",
                 "balance": visit.format.points(summary.balance.spendable), "tier": summary.tier?.tier ?? ""]
            },
        ])
    }

    /// `GET /console/customers/{id}`: the customer's card.
    func customer(_ visit: Visit, _ session: WebSession, id: String?, adjustment: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let customerId = id.flatMap(parseID),
            let profile = try await store.customerProfile(merchantId: session.merchantId, customerId: customerId, now: visit.now),
            let summary = try await store.customer(merchantId: session.merchantId, .id(customerId), now: visit.now)
        else { return render("error", visit, status: .notFound, ["message": visit.t("error.noCustomer")]) }
        let f = visit.format
        let zone = try await merchantZone(session.merchantId)
        let lots = try await store.openLots(merchantId: session.merchantId, customerId: customerId)
        let ledger = try await store.ledger(merchantId: session.merchantId, customerId: customerId, before: nil, limit: 50)
        let owner = session.staff?.role != .cashier
        let rules = try await store.program(merchantId: session.merchantId).rules
        var values: [String: Any] = [
            "id": profile.id, "card": profile.card,
            // Cashiers see what a till shows; owners and marketers the whole profile.
            "name": (owner ? profile.name : summary.maskedName) ?? "—", "phone": (owner ? profile.phone : summary.maskedPhone) ?? "—",
            "email": owner ? profile.email ?? "—" : "—", "birthday": owner ? profile.birthday ?? "—" : "—",
            "spendable": f.points(profile.balance.spendable), "pending": f.points(profile.balance.pending), "debt": f.points(profile.balance.debt),
            "hasDebt": profile.balance.debt > 0, "joined": f.date(profile.createdAt, zone),
            "marketing": visit.t(profile.consents.marketing ? "yes" : "no"),
            "personalData": visit.t(profile.consents.personalData ? "yes" : "no"),
            "erased": profile.erasedAt != nil, "canAdjust": owner, "key": UUID().uuidString, "adjusted": visit.query["adjusted"] == "1",
            "lots": lots.map {
                ["remaining": f.points($0.remaining), "earned": f.points($0.earned),
                 "activates": f.date($0.activatesAt, zone), "pending": $0.activatesAt.seconds > visit.now,
                 "expires": $0.expiresAt.map { f.date($0, zone) } ?? visit.t("customer.never")]
            },
            "history": (ledger?.entries ?? []).map {
                // Staff see why points were changed by hand; the customer's cabinet shows the kind only.
                ["at": f.time($0.createdAt, zone), "kind": Self.label($0, rules: rules, visit) + ($0.note.map { " · «\($0)»" } ?? ""),
                 "amount": f.points($0.amount),
                 "positive": $0.amount > 0, "receipt": $0.receiptId ?? ""]
            },
        ]
        if let tier = summary.tier, let levels = rules.tiers {
            values["tier"] = f.tier(tier, levels: levels)
        }
        values["stampCards"] = summary.stamps.map { f.stampCard($0, zone) }
        let protection = rules.protection
        if protection.onLimit == .block, protection.maxManualAdjustment > 0 || protection.maxManualAdjustmentPerDay > 0 {
            values["adjustLimits"] = Self.limitsText("adjust.limits", protection, today: 0, visit)
        }
        values.merge(adjustment) { _, new in new }
        return render("customer", visit, status: status, values)
    }

    /// `POST /console/customers/{id}/adjust`: credit or debit points by hand with a required reason (audited as the
    /// member of staff; the form's key makes a double submit count once).
    func adjust(_ visit: Visit, _ session: WebSession, id: String?) async throws -> Response {
        guard let staffId = session.staff.flatMap({ parseID($0.id) }) else { return Self.redirect("/console/sign-in") }
        guard let customerId = id.flatMap(parseID) else { return render("error", visit, status: .notFound, ["message": visit.t("error.noCustomer")]) }
        let reason = (visit.form["reason"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let direction = visit.form["direction"] == "debit" ? -1 : 1
        var errors: [String: Any] = [:]
        let points = parsePoints(visit.form["points"] ?? "")
        if points == nil || points == 0 { errors["pointsError"] = visit.t("adjust.pointsInvalid") }
        if reason.isEmpty { errors["reasonError"] = visit.t("adjust.reasonRequired") } else if reason.count > 500 { errors["reasonError"] = visit.t("adjust.reasonLong") }
        guard errors.isEmpty, let points else {
            errors["adjustPoints"] = visit.form["points"] ?? ""
            errors["adjustReason"] = reason
            return try await customer(visit, session, id: id, adjustment: errors, status: .unprocessableContent)
        }
        let key = visit.form["key"].flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString
        // Only the owner confirms an adjustment above the program's caps.
        let owner = session.staff?.role == .owner
        let command = AdjustmentCommand(
            customerId: customerId, points: points * Int64(direction), reason: reason, confirmed: owner && visit.form["confirm"] == "on")
        let stored = try await store.adjustPoints(
            merchantId: session.merchantId, command, actor: .staff(staffId),
            idempotency: IdempotencyKey(
                key: "console:\(key)", requestHash: Self.tokenHash("\(customerId)|\(command.points)|\(reason)|\(command.confirmed)")),
            now: visit.now, render: Outcome<AdjustmentMade>.render(visit.language))
        if var refusal = Outcome<AdjustmentMade>.refusal(stored) {
            var values: [String: Any] = ["adjustPoints": visit.form["points"] ?? "", "adjustReason": reason, "debit": direction < 0]
            if Outcome<AdjustmentMade>.refusalCode(stored) == "cashierLimit" {
                // Over the caps: the owner may confirm on the same form (the page's new key: the refusal stays with the old).
                let protection = try await store.program(merchantId: session.merchantId).rules.protection
                let today = try await store.adjustedToday(merchantId: session.merchantId, now: visit.now)
                refusal = Self.limitsText(owner ? "adjust.confirmNeeded" : "adjust.needsOwner", protection, today: today, visit)
                values["needsConfirm"] = owner
            }
            values["adjustError"] = refusal
            return try await customer(visit, session, id: id, adjustment: values, status: .unprocessableContent)
        }
        return Self.redirect("/console/customers/\(customerId)?adjusted=1")
    }
}

/// A use case's outcome kept as JSON with its idempotency key (as the API does) and read back by a page.
enum Outcome<T: Codable & Sendable> {
    /// Keeps the value as JSON, or the refusal as a sentence in `language` (a replay shows the first answer's words).
    static func render(_ language: Language) -> @Sendable (Result<T, KopilkaError>) -> StoredResponse {
        { result in
            switch result {
            case .success(let value):
                StoredResponse(status: 200, body: (try? Array(JSONEncoder().encode(value))) ?? [])
            case .failure(let error):
                StoredResponse(status: 422, body: Array("\(Refusal.code(error))\n\(Refusal.text(error, language))".utf8))
            }
        }
    }

    /// The value, when the use case succeeded.
    static func value(_ stored: StoredResponse) -> T? {
        stored.status == 200 ? try? JSONDecoder().decode(T.self, from: Data(stored.body)) : nil
    }

    /// What the use case refused, in words; nil when it succeeded.
    static func refusal(_ stored: StoredResponse) -> String? {
        stored.status == 200 ? nil : String(String(decoding: stored.body, as: UTF8.self).drop { $0 != "\n" }.dropFirst())
    }

    /// The refusal's kind (`Refusal.code`); nil when the use case succeeded.
    static func refusalCode(_ stored: StoredResponse) -> String? {
        stored.status == 200 ? nil : String(String(decoding: stored.body, as: UTF8.self).prefix { $0 != "\n" })
    }
}

/// A refusal of the store in one sentence for a page, in its language; a field's error in the owner's words (`FieldWords`).
enum Refusal {
    /// The refusal's kind, for a page that reacts to it (`confirmationRequired` shows the code's field).
    static func code(_ error: KopilkaError) -> String {
        String("\(error)".prefix { $0.isLetter || $0.isNumber })
    }

    static func text(_ error: KopilkaError, _ language: Language) -> String {
        let ru = language == .ru
        let f = Formatting(language: language)
        switch error {
        case .validation(let errors), .planLimit(let errors):
            return errors.map { FieldWords.sentence($0, in: language) }.joined(separator: "; ")
        case .insufficientPoints(let requested, let spendable):
            return ru ? "Не хватает баллов: нужно \(f.points(requested)), доступно \(f.points(spendable))"
                : "Not enough points: asked \(f.points(requested)), spendable \(f.points(spendable))"
        case .redemptionLimitExceeded(_, let limit, let because):
            let rule = because.map { ": " + ReasonWords.sentence($0, in: language) } ?? ""
            return (ru ? "На этот чек можно потратить не больше \(f.points(limit)) баллов" : "At most \(f.points(limit)) points may be spent on this receipt") + rule
        case .receiptAlreadyRegistered:
            return ru ? "Чек с этим номером уже зарегистрирован в магазине" : "This receipt number is already registered in the store"
        case .returnRefused(let refusal):
            guard ru else { return "\(refusal.field): \(refusal.message)" }
            switch refusal {
            case .nothingLeft: return "Всё по этому чеку уже возвращено"
            case .duplicateLine(_, let line): return "Строка \(line) указана дважды"
            case .noSuchLine(_, let line): return "В чеке нет строки \(line)"
            case .exceedsPurchase(_, let line, _): return "По строке \(line) возвращают больше, чем осталось"
            }
        case .cashierLimit(_, let detail):
            return ru ? "Отказано правилом защиты от злоупотреблений: \(detail)" : "Refused by the abuse protection: \(detail)"
        case .notFound:
            return ru ? "Не найдено" : "Not found"
        case .confirmationRequired:
            return ru ? "Программа просит подтвердить списание кодом из SMS: отправьте код покупателю и введите его"
                : "The program asks the customer to confirm spending with a code from an SMS: send the code and enter it"
        case .codeNotApplicable(_, let code, let status):
            return ru ? "Промокод \(code) не подходит (\(status))" : "The promo code \(code) does not apply (\(status))"
        case .confirmationFailed(_, let attemptsLeft):
            return ru ? "Код из SMS не подходит (осталось попыток: \(attemptsLeft))" : "The code from the SMS is wrong (\(attemptsLeft) attempts left)"
        case .confirmationNotEnabled:
            return ru ? "Программа не требует подтверждать списание кодом" : "The program does not ask to confirm spending with a code"
        case .tooManyCodes:
            return ru ? "Слишком много кодов: попробуйте позже" : "Too many codes: try again later"
        case .cardNeedsPurchase(let threshold, _):
            return ru ? "Карта выдаётся после покупки от \(f.money(threshold))" : "A card is issued after a purchase of \(f.money(threshold)) or more"
        case .purchaseAlreadyClaimed:
            return ru ? "За эту покупку карту уже получил другой покупатель" : "This purchase has given a card to another customer already"
        default:
            return ru ? "Отказано: \(error)" : "Refused: \(error)"
        }
    }
}

extension WebConsole {
    /// What a ledger entry is, in the page's words: the rule's own name for points a rule gave ("Подарок ко дню
    /// рождения"), the kind of entry otherwise.
    /// A sentence of the manual adjustment caps (`adjust.limits`, …) with the figures in points.
    static func limitsText(_ key: String, _ protection: Protection, today: Points, _ visit: Visit) -> String {
        let f = visit.format
        func cap(_ points: Points) -> String { points > 0 ? f.pointsCounted(points) : "∞" }
        return visit.t(key).replacingOccurrences(of: "{once}", with: cap(protection.maxManualAdjustment))
            .replacingOccurrences(of: "{day}", with: cap(protection.maxManualAdjustmentPerDay))
            .replacingOccurrences(of: "{today}", with: f.pointsCounted(today))
    }

    static func label(_ entry: LedgerEntryView, rules: ProgramRules, _ visit: Visit) -> String {
        entry.rule.flatMap { id in rules.rules.first { $0.id == id }?.name } ?? visit.t("kind.\(entry.kind.rawValue)")
    }
}
