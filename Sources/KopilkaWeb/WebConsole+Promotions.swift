import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// The rewards the promotion form edits; the others (gifts, "2 + 1", the n-th item) are edited as rules (JSON).
    static let formKinds: [Reward.Kind] = [.percentOff, .amountOff, .fixedPrice, .pointsMultiplier, .bonusPoints]

    /// `GET /console/program/promotions[?edit=id]`: the promotions, each with its switch, and the form for a new one
    /// (or the one being edited).
    func promotions(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        let editing = visit.query["edit"].flatMap { id in program.rules.promotions.first { $0.id == id } }
        return try await promotionsPage(visit, program: program, fields: Self.promotionFields(editing, visit.format), errors: [:])
    }

    /// `POST /console/program/promotions`: adds a promotion, or changes the one named by `id`, as a new version.
    func savePromotion(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        let program = try await store.program(merchantId: session.merchantId)
        var rules = program.rules
        let existing = rules.promotions.firstIndex { $0.id == form["id"] }
        var errors: [String: String] = [:]
        func text(_ name: String) -> String { (form[name] ?? "").trimmingCharacters(in: .whitespaces) }

        let name = text("name")
        if name.isEmpty || name.count > 100 { errors["name"] = visit.t("promotions.nameRequired") }
        let kind = Reward.Kind(rawValue: form["kind"] ?? "").flatMap { Self.formKinds.contains($0) ? $0 : nil } ?? .percentOff
        var reward = existing.map { rules.promotions[$0].reward.kind == kind ? rules.promotions[$0].reward : Reward(kind: kind) } ?? Reward(kind: kind)
        if let value = parsePoints(text("value")), value > 0 {
            switch kind {
            case .percentOff: reward.percentBp = value
            case .amountOff: reward.amountKopecks = value
            case .fixedPrice: reward.priceKopecks = value
            case .pointsMultiplier: reward.multiplierPercent = value
            default: reward.points = value
            }
        } else {
            errors["value"] = visit.t("promotions.valueInvalid")
        }
        var schedule = Schedule()
        let weekdays = (1...7).filter { form["day\($0)"] == "on" }
        if !weekdays.isEmpty, weekdays.count < 7 { schedule.weekdays = weekdays }
        switch (text("hoursFrom"), text("hoursTo")) {
        case ("", ""): break
        case (let from, let to):
            if let from = ClockTime(from), let to = ClockTime(to), from != to { schedule.hours = HourWindow(from: from, to: to) } else { errors["hours"] = visit.t("promotions.hoursInvalid") }
        }
        for (field, set) in [("from", { (date: LocalDate) in schedule.from = date }), ("until", { schedule.until = $0 })] where !text(field).isEmpty {
            if let date = LocalDate(text(field)) { set(date) } else { errors[field] = visit.t("promotions.dateInvalid") }
        }
        var minimum: Kopecks?
        if !text("minAmount").isEmpty {
            if let value = parseMoney(text("minAmount")) { minimum = value } else { errors["minAmount"] = visit.t("program.number") }
        }

        var promotion = existing.map { rules.promotions[$0] } ?? Promotion(id: Self.newPromotionId(rules), name: name, reward: reward)
        promotion.name = name
        promotion.reward = reward
        promotion.enabled = form["enabled"] == "on"
        promotion.requiresCode = form["requiresCode"] == "on"
        promotion.exclusive = form["exclusive"] == "on"
        promotion.minAmountKopecks = minimum
        promotion.when = schedule == Schedule() ? nil : schedule
        let categories = Self.list(form["categories"]), skus = Self.list(form["skus"])
        promotion.lines = categories.isEmpty && skus.isEmpty ? nil : LineScope(categories: categories.isEmpty ? nil : categories, skus: skus.isEmpty ? nil : skus)
        let index = existing ?? rules.promotions.count
        if let existing { rules.promotions[existing] = promotion } else { rules.promotions.append(promotion) }
        if errors.isEmpty, let violation = rules.violations().first(where: { $0.field.hasPrefix("promotions[\(index)]") }) ?? rules.violations().first {
            errors["form"] = FieldWords.sentence(violation, in: visit.language)
        }
        let fields = form.filter { $0.key != "csrf" }
        guard errors.isEmpty else { return try await promotionsPage(visit, program: program, fields: fields, errors: errors, status: .unprocessableContent) }
        if let refusal = try await save(rules, visit, session, version: form["version"]) {
            return try await promotionsPage(visit, program: program, fields: fields, errors: ["form": refusal.text], status: refusal.status)
        }
        return Self.redirect("/console/program/promotions?saved=1")
    }

    /// `POST /console/program/promotions/{id}/switch`: turns a promotion on or off (`enabled=on|off`) as a new version.
    func switchPromotion(_ visit: Visit, _ session: WebSession, id: String?) async throws -> Response {
        try await changePromotions(visit, session) { promotions in
            guard let index = promotions.firstIndex(where: { $0.id == id }) else { return false }
            promotions[index].enabled = visit.form["enabled"] == "on"
            return true
        }
    }

    /// `POST /console/program/promotions/{id}/delete`: removes a promotion from the program (older versions keep it).
    func deletePromotion(_ visit: Visit, _ session: WebSession, id: String?) async throws -> Response {
        try await changePromotions(visit, session) { promotions in
            let before = promotions.count
            promotions.removeAll { $0.id == id }
            return promotions.count < before
        }
    }

    private func changePromotions(_ visit: Visit, _ session: WebSession, _ change: (inout [Promotion]) -> Bool) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        var rules = program.rules
        guard change(&rules.promotions) else { return render("error", visit, status: .notFound, ["message": visit.t("promotions.none")]) }
        var errors: [String: String] = [:]
        if let violation = rules.violations().first { errors["form"] = FieldWords.sentence(violation, in: visit.language) }
        if errors.isEmpty, let refusal = try await save(rules, visit, session, version: visit.form["version"]) { errors["form"] = refusal.text }
        guard errors.isEmpty else {
            return try await promotionsPage(visit, program: program, fields: Self.promotionFields(nil, visit.format), errors: errors, status: .unprocessableContent)
        }
        return Self.redirect("/console/program/promotions?saved=1")
    }

    private func promotionsPage(
        _ visit: Visit, program: ProgramView, fields: [String: String], errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let f = visit.format
        let pickers = FormControls(visit: visit, fields: fields, errors: errors, prefix: "promotions", catalogue: try await offeredCatalogue(visit))
        let kind = fields["kind"] ?? Reward.Kind.percentOff.rawValue
        var context: [String: Any] = [
            "version": program.version, "saved": visit.query["saved"] == "1", "formError": errors["form"] ?? "",
            "editing": !(fields["id"] ?? "").isEmpty, "kinds": Self.formKinds.map {
                ["value": $0.rawValue, "label": visit.t("promotionKind.\($0.rawValue)"), "selected": $0.rawValue == kind]
            },
            "days": (1...7).map { ["day": $0, "label": visit.t("promotions.day\($0)"), "checked": fields["day\($0)"] == "on"] },
            "list": program.rules.promotions.map { promotion in
                [
                    "id": promotion.id, "name": promotion.name, "reward": Self.describe(promotion.reward, visit), "enabled": promotion.enabled,
                    "when": Self.describe(promotion.when, visit), "editable": Self.formKinds.contains(promotion.reward.kind),
                    "minAmount": promotion.minAmountKopecks.map(f.money) ?? "", "hasMinAmount": promotion.minAmountKopecks != nil,
                    "state": visit.t(promotion.enabled ? "promotions.on" : "promotions.off"),
                    "toggle": visit.t(promotion.enabled ? "promotions.turnOff" : "promotions.turnOn"),
                    "toggleValue": promotion.enabled ? "off" : "on",
                ] as [String: Any]
            },
        ]
        context["hasList"] = !program.rules.promotions.isEmpty
        context["categoriesPicker"] = pickers.picker("categories", .category)
        context["skusPicker"] = pickers.picker("skus", .sku)
        for name in ["id", "name", "value", "categories", "skus", "hoursFrom", "hoursTo", "from", "until", "minAmount"] { context[name] = fields[name] ?? "" }
        for name in ["enabled", "requiresCode", "exclusive"] { context[name] = fields[name] == "on" }
        for (name, error) in errors where name != "form" { context[name + "Error"] = error }
        return render("promotions", visit, status: status, context)
    }

    /// The form's text for a promotion (an empty, switched-on form for a new one).
    static func promotionFields(_ promotion: Promotion?, _ f: Formatting) -> [String: String] {
        guard let promotion else { return ["enabled": "on", "kind": Reward.Kind.percentOff.rawValue] }
        let reward = promotion.reward
        let value: Int64? = switch reward.kind {
        case .percentOff: reward.percentBp
        case .amountOff: reward.amountKopecks
        case .fixedPrice: reward.priceKopecks
        case .pointsMultiplier: reward.multiplierPercent
        case .bonusPoints: reward.points
        default: nil
        }
        var fields = [
            "id": promotion.id, "name": promotion.name, "kind": reward.kind.rawValue, "value": value.map(f.plain) ?? "",
            "enabled": promotion.enabled ? "on" : "", "requiresCode": promotion.requiresCode ? "on" : "", "exclusive": promotion.exclusive ? "on" : "",
            "categories": promotion.lines?.categories?.joined(separator: ", ") ?? "", "skus": promotion.lines?.skus?.joined(separator: ", ") ?? "",
            "minAmount": promotion.minAmountKopecks.map(f.plain) ?? "",
            "from": promotion.when?.from?.description ?? "", "until": promotion.when?.until?.description ?? "",
            "hoursFrom": promotion.when?.hours?.from.description ?? "", "hoursTo": promotion.when?.hours?.to.description ?? "",
        ]
        for day in promotion.when?.weekdays ?? [] { fields["day\(day)"] = "on" }
        return fields
    }

    /// A key for a new promotion that no other has: `promo-1`, `promo-2`, ….
    static func newPromotionId(_ rules: ProgramRules) -> String {
        let taken = Set(rules.promotions.map(\.id))
        return (1...).lazy.map { "promo-\($0)" }.first { !taken.contains($0) }!
    }

    /// The reward in words: "скидка 20 %", "×2 баллов".
    static func describe(_ reward: Reward, _ visit: Visit) -> String {
        let f = visit.format
        let value: String = switch reward.kind {
        case .percentOff, .nthItem: "\(f.plain(reward.percentBp ?? 0)) %"
        case .amountOff: f.money(reward.amountKopecks ?? 0)
        case .fixedPrice: f.money(reward.priceKopecks ?? 0)
        case .pointsMultiplier: "×\(f.plain(reward.multiplierPercent ?? 0))"
        case .bonusPoints: f.points(reward.points ?? 0)
        case .buyXGetY: "\(reward.buy ?? 0) + \(reward.get ?? 0)"
        case .gift: reward.name ?? reward.sku ?? ""
        }
        return "\(visit.t("promotionKind.\(reward.kind.rawValue)")): \(value)"
    }

    /// When a promotion runs, in words: dates, days and hours ("always" when unrestricted).
    static func describe(_ schedule: Schedule?, _ visit: Visit) -> String {
        guard let schedule else { return visit.t("promotions.always") }
        var parts: [String] = []
        if let from = schedule.from { parts.append("\(visit.t("promotions.from")) \(from)") }
        if let until = schedule.until { parts.append("\(visit.t("promotions.until")) \(until)") }
        if let days = schedule.weekdays { parts.append(days.map { visit.t("promotions.day\($0)") }.joined(separator: ", ")) }
        if let hours = schedule.hours { parts.append(hours.description) }
        return parts.isEmpty ? visit.t("promotions.always") : parts.joined(separator: "; ")
    }
}
