import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// `GET /console/program/stamps[?edit=id]`: the stamp cards ("every 6th coffee free") and the form for a new one
    /// (or the one being edited).
    func stampCards(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        let editing = visit.query["edit"].flatMap { id in program.rules.stampCards.first { $0.id == id } }
        return try await stampCardsPage(visit, program: program, fields: Self.stampCardFields(editing, visit.format), errors: [:])
    }

    /// `POST /console/program/stamps`: adds a stamp card, or changes the one named by `id`, as a new version.
    func saveStampCard(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        let program = try await store.program(merchantId: session.merchantId)
        var rules = program.rules
        let existing = rules.stampCards.firstIndex { $0.id == form["id"] }
        var errors: [String: String] = [:]
        func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespaces) }

        var card = existing.map { rules.stampCards[$0] } ?? StampCard(id: Self.newStampCardId(rules), name: "", every: 6)
        card.name = text("name")
        if card.name.isEmpty || card.name.count > 100 { errors["name"] = visit.t("promotions.nameRequired") }
        card.basis = StampCard.Basis(rawValue: form["basis"] ?? "") ?? .item
        card.reward = StampCard.RewardKind(rawValue: form["reward"] ?? "") ?? .freeItem
        if let every = Int(text("every")), (2...100).contains(every) { card.every = every } else { errors["every"] = visit.t("stamps.everyInvalid") }
        if let days = Int(text("lifetimeDays")), (0...3650).contains(days) { card.lifetimeDays = days } else { errors["lifetimeDays"] = visit.t("program.wholeNumber") }
        if let minimum = text("minAmount").isEmpty ? 0 : parseMoney(text("minAmount")) { card.minAmountKopecks = minimum } else {
            errors["minAmount"] = visit.t("program.number")
        }
        // One "size" field: the most a free item takes off (empty: the whole item), the sum or the percentage off.
        let value = text("value").isEmpty && card.reward == .freeItem ? 0 : parsePoints(text("value"))
        card.maxRewardKopecks = 0
        card.amountKopecks = 0
        card.percentBp = 0
        switch (card.reward, value) {
        case (_, nil): errors["value"] = visit.t("program.number")
        case (.freeItem, let value?): card.maxRewardKopecks = value
        case (.amountOff, let value?): card.amountKopecks = value
        case (.percentOff, let value?): card.percentBp = value
        }
        card.enabled = form["enabled"] == "on"
        let categories = Self.list(form["categories"]), skus = Self.list(form["skus"])
        card.lines = categories.isEmpty && skus.isEmpty ? nil : LineScope(categories: categories.isEmpty ? nil : categories, skus: skus.isEmpty ? nil : skus)
        let index = existing ?? rules.stampCards.count
        if let existing { rules.stampCards[existing] = card } else { rules.stampCards.append(card) }
        if errors.isEmpty, let violation = rules.violations().first(where: { $0.field.hasPrefix("stampCards[\(index)]") }) ?? rules.violations().first {
            // The field of the card's own check, beside its control; anything else above the form.
            let field = ["amountKopecks": "value", "percentBp": "value", "maxRewardKopecks": "value", "minAmountKopecks": "minAmount"]
            let name = violation.field.split(separator: ".").last.map(String.init) ?? ""
            errors[field[name] ?? (["name", "every", "lifetimeDays"].contains(name) ? name : "form")] = FieldWords.message(violation, in: visit.language)
        }
        let fields = form.filter { $0.key != "csrf" }
        guard errors.isEmpty else { return try await stampCardsPage(visit, program: program, fields: fields, errors: errors, status: .unprocessableContent) }
        if let refusal = try await save(rules, visit, session, version: form["version"]) {
            return try await stampCardsPage(visit, program: program, fields: fields, errors: ["form": refusal.text], status: refusal.status)
        }
        return Self.redirect("/console/program/stamps?saved=1")
    }

    /// `POST /console/program/stamps/{id}/delete`: removes a stamp card from the program. Customers' stamps on it stay
    /// in the ledger, and come back into use if a card with the same key is added again.
    func deleteStampCard(_ visit: Visit, _ session: WebSession, id: String?) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        var rules = program.rules
        guard rules.stampCards.contains(where: { $0.id == id }) else { return render("error", visit, status: .notFound, ["message": visit.t("stamps.none")]) }
        rules.stampCards.removeAll { $0.id == id }
        if let refusal = try await save(rules, visit, session, version: visit.form["version"]) {
            return try await stampCardsPage(visit, program: program, fields: Self.stampCardFields(nil, visit.format), errors: ["form": refusal.text], status: refusal.status)
        }
        return Self.redirect("/console/program/stamps?saved=1")
    }

    private func stampCardsPage(
        _ visit: Visit, program: ProgramView, fields: [String: String], errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let form = FormControls(visit: visit, fields: fields, errors: errors, prefix: "stamps", catalogue: try await offeredCatalogue(visit))
        func select(_ name: String, _ values: [String]) -> [String: Any] { form.select(name, values.map { ($0, visit.t("stamps.\(name).\($0)")) }) }
        let context: [String: Any] = [
            "version": program.version, "saved": visit.query["saved"] == "1", "formError": errors["form"] ?? "",
            "editing": !(fields["id"] ?? "").isEmpty, "id": fields["id"] ?? "", "hasList": !program.rules.stampCards.isEmpty,
            "list": program.rules.stampCards.map { card in
                ["id": card.id, "name": card.name, "rule": Self.describe(card, visit), "state": visit.t(card.enabled ? "promotions.on" : "promotions.off")]
            },
            "fields": [
                form.input("name", "text"), select("basis", StampCard.Basis.allCases.map(\.rawValue)), form.input("every", "numeric"),
                form.picker("categories", .category), form.picker("skus", .sku), form.input("minAmount"),
                select("reward", StampCard.RewardKind.allCases.map(\.rawValue)), form.input("value"), form.input("lifetimeDays", "numeric"),
                form.checkbox("enabled"),
            ],
        ]
        return render("stamps", visit, status: status, context)
    }

    /// The form's text for a stamp card (a switched-on "every 6th item free" for a new one).
    static func stampCardFields(_ card: StampCard?, _ f: Formatting) -> [String: String] {
        let card = card ?? StampCard(id: "", name: "", every: 6)
        let value: Int64 = switch card.reward {
        case .freeItem: card.maxRewardKopecks
        case .amountOff: card.amountKopecks
        case .percentOff: card.percentBp
        }
        return [
            "id": card.id, "name": card.name, "basis": card.basis.rawValue, "every": String(card.every), "reward": card.reward.rawValue,
            "value": card.reward == .freeItem && value == 0 ? "" : f.plain(value), "lifetimeDays": String(card.lifetimeDays),
            "minAmount": card.minAmountKopecks == 0 ? "" : f.plain(card.minAmountKopecks), "enabled": card.enabled ? "on" : "",
            "categories": card.lines?.categories?.joined(separator: ", ") ?? "", "skus": card.lines?.skus?.joined(separator: ", ") ?? "",
        ]
    }

    /// A key for a new card that no other has: `stamps-1`, `stamps-2`, ….
    static func newStampCardId(_ rules: ProgramRules) -> String {
        let taken = Set(rules.stampCards.map(\.id))
        return (1...).lazy.map { "stamps-\($0)" }.first { !taken.contains($0) }!
    }

    /// The card in words: "каждый 6-й товар — бесплатно, до 250 ₽".
    static func describe(_ card: StampCard, _ visit: Visit) -> String {
        let f = visit.format
        let reward: String = switch card.reward {
        case .freeItem: visit.t("stamps.reward.freeItem") + (card.maxRewardKopecks > 0 ? " \(visit.t("stamps.upTo")) \(f.money(card.maxRewardKopecks))" : "")
        case .amountOff: "\(visit.t("stamps.off")) \(f.money(card.amountKopecks))"
        case .percentOff: "\(visit.t("stamps.off")) \(f.plain(card.percentBp)) %"
        }
        let every = visit.t("stamps.every.\(card.basis.rawValue)").replacingOccurrences(of: "{n}", with: "\(card.every)")
        return "\(every): \(reward)"
    }
}
