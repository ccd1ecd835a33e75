import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// How many level rows the form offers.
    static let levelRows = 8

    /// `GET /console/program/levels`: the program's levels (tiers) as a table of rows.
    func levelsForm(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        if let formula = program.rules.tiers?.formula { return formulaPage(visit, formula, version: program.version) }
        return try await levelsPage(visit, fields: Self.levelFields(program.rules.tiers, visit.format), version: program.version, errors: [:])
    }

    /// `POST /console/program/levels`: saves the levels as a new version of the program. Rows without a name are left
    /// out; no rows at all means a program without levels.
    func saveLevels(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        let current = try await store.program(merchantId: session.merchantId)
        // Levels made by a formula are changed where the formula is (All rules), never replaced by rows here.
        if let formula = current.rules.tiers?.formula { return formulaPage(visit, formula, version: current.version, status: .conflict) }
        var errors: [String: String] = [:]
        let basis = TierRules.Basis(rawValue: form["basis"] ?? "") ?? .spend
        var levels = TierRules(basis: basis, windowDays: 365, keepReachedLevel: form["keepReachedLevel"] == "on")
        levels.period = TierRules.Period(rawValue: form["period"] ?? "") ?? .rolling
        levels.itemCategories = Self.list(form["itemCategories"])
        // The form names the discount's categories; SKUs and tags set in All rules stay.
        var discountLines = current.rules.tiers?.discountLines ?? LineScope()
        discountLines.categories = Self.list(form["discountCategories"])
        let scoped = [discountLines.categories, discountLines.skus, discountLines.tags].contains { !($0 ?? []).isEmpty }
        levels.discountLines = scoped ? discountLines : nil
        levels.timeZone = current.rules.tiers?.timeZone ?? levels.timeZone
        // What the form does not show (set in All rules) stays as it was.
        if let kept = current.rules.tiers {
            if levels.period == .bestMonth { levels.bestOfMonths = kept.bestOfMonths }
            levels.keepReachedDays = levels.keepReachedLevel ? 0 : kept.keepReachedDays
            levels.resetAfterDaysWithoutPurchase = kept.resetAfterDaysWithoutPurchase
            levels.minPurchaseKopecks = basis == .purchases ? kept.minPurchaseKopecks : 0
        }
        // Only a rolling window has days; calendar periods count their own months.
        if levels.period == .rolling {
            if let days = Int((form["windowDays"] ?? "").trimmingCharacters(in: .whitespaces)), (0...3650).contains(days) {
                levels.windowDays = days
            } else {
                errors["windowDays"] = visit.t("levels.windowInvalid")
            }
        }
        for row in 1...Self.levelRows {
            func field(_ name: String) -> String { (form["\(name)\(row)"] ?? "").trimmingCharacters(in: .whitespaces) }
            let name = field("name")
            guard !name.isEmpty else { continue }
            func percent(_ text: String) -> Int64?? { text.isEmpty ? .some(nil) : parsePoints(text).flatMap { $0 <= 10_000 ? $0 : nil }.map { .some($0) } }
            let threshold = basis == .spend ? parseMoney(field("threshold")) : Int64(field("threshold"))
            guard let threshold else { errors["row\(row)"] = visit.t("levels.thresholdInvalid"); continue }
            guard let rate = percent(field("rate")), let rate else { errors["row\(row)"] = visit.t("levels.percentInvalid"); continue }
            guard let share = percent(field("share")), let discount = percent(field("discount")) else {
                errors["row\(row)"] = visit.t("levels.percentInvalid")
                continue
            }
            if let previous = levels.tiers.last, threshold <= previous.threshold { errors["row\(row)"] = visit.t("levels.thresholdOrder") }
            if levels.tiers.isEmpty, threshold != 0 { errors["row\(row)"] = visit.t("levels.firstAtZero") }
            levels.tiers.append(Tier(
                name: String(name.prefix(100)), threshold: threshold, accrualRateBp: rate, maxRedeemShareBp: share, discountBp: discount,
                privileges: Self.list(field("privileges"))))
        }
        var rules = current.rules
        rules.tiers = levels.tiers.isEmpty ? nil : levels
        if basis == .items, levels.itemCategories.isEmpty { errors["itemCategories"] = visit.t("levels.itemCategoriesRequired") }
        if basis == .purchases, !levels.itemCategories.isEmpty { errors["itemCategories"] = visit.t("levels.itemCategoriesPurchases") }
        if errors.isEmpty, let violation = rules.violations().first(where: { $0.field.hasPrefix("tiers") || $0.field.hasPrefix("promotions") }) {
            // A promotion for a level that no longer exists, or a check the form does not make itself.
            errors["form"] = FieldWords.sentence(violation, in: visit.language)
        }
        let fields = form.filter { $0.key != "csrf" }
        guard errors.isEmpty else { return try await levelsPage(visit, fields: fields, version: current.version, errors: errors, status: .unprocessableContent) }
        if let refusal = try await save(rules, visit, session, version: form["version"]) {
            return try await levelsPage(visit, fields: fields, version: current.version, errors: ["form": refusal.text], status: refusal.status)
        }
        return Self.redirect("/console/program/levels?saved=1")
    }

    /// The levels of an accumulative discount by formula, described; the formula is edited on All rules.
    private func formulaPage(_ visit: Visit, _ formula: AccumulativeFormula, version: Int64, status: HTTPResponse.Status = .ok) -> Response {
        let f = visit.format
        let text = visit.t("levels.formula").replacingOccurrences(of: "{step}", with: "\(f.plain(formula.stepBp)) %")
            .replacingOccurrences(of: "{sum}", with: f.money(formula.stepKopecks)).replacingOccurrences(of: "{max}", with: "\(f.plain(formula.maxBp)) %")
        return render("levels", visit, status: status, ["version": version, "formula": text])
    }

    private func levelsPage(
        _ visit: Visit, fields: [String: String], version: Int64, errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let pickers = FormControls(visit: visit, fields: fields, errors: errors, prefix: "levels", catalogue: try await offeredCatalogue(visit))
        let basis = fields["basis"] ?? TierRules.Basis.spend.rawValue
        let lastFilled = (1...Self.levelRows).last { !(fields["name\($0)"] ?? "").isEmpty || errors["row\($0)"] != nil } ?? 0
        let context: [String: Any] = [
            "version": version, "saved": visit.query["saved"] == "1", "formError": errors["form"] ?? "",
            "bases": TierRules.Basis.allCases.map { ["value": $0.rawValue, "label": visit.t("levelBasis.\($0.rawValue)"), "selected": $0.rawValue == basis] },
            "periods": TierRules.Period.allCases.map {
                ["value": $0.rawValue, "label": visit.t("levelPeriod.\($0.rawValue)"), "selected": $0.rawValue == (fields["period"] ?? "rolling")]
            },
            "windowDays": fields["windowDays"] ?? "365", "windowDaysError": errors["windowDays"] ?? "",
            "itemCategoriesPicker": pickers.picker("itemCategories", .category),
            "discountCategoriesPicker": pickers.picker("discountCategories", .category),
            "keepReachedLevel": fields["keepReachedLevel"] == "on",
            // The levels there are and two empty rows for new ones (all rows a phone would scroll through are too many).
            "rows": (1...min(Self.levelRows, max(3, lastFilled + 2))).map { row in
                var values: [String: Any] = ["row": row, "legend": visit.t("levels.row").replacingOccurrences(of: "{n}", with: "\(row)")]
                for name in ["name", "threshold", "rate", "share", "discount", "privileges"] { values[name] = fields["\(name)\(row)"] ?? "" }
                if let error = errors["row\(row)"] { values["error"] = error }
                return values
            },
        ]
        return render("levels", visit, status: status, context)
    }

    /// The form's text for the levels: one row per level, thresholds in roubles (or purchases), rates in percent.
    static func levelFields(_ levels: TierRules?, _ f: Formatting) -> [String: String] {
        guard let levels else { return ["basis": "spend", "period": "rolling", "windowDays": "365"] }
        var fields = [
            "basis": levels.basis.rawValue, "period": levels.period.rawValue, "windowDays": String(levels.windowDays),
            "keepReachedLevel": levels.keepReachedLevel ? "on" : "", "itemCategories": levels.itemCategories.joined(separator: ", "),
            "discountCategories": (levels.discountLines?.categories ?? []).joined(separator: ", "),
        ]
        for (index, tier) in levels.tiers.prefix(levelRows).enumerated() {
            let row = index + 1
            fields["name\(row)"] = tier.name
            fields["threshold\(row)"] = levels.basis == .spend ? f.plain(tier.threshold) : String(tier.threshold)
            fields["rate\(row)"] = f.plain(tier.accrualRateBp)
            fields["share\(row)"] = tier.maxRedeemShareBp.map(f.plain) ?? ""
            fields["discount\(row)"] = tier.discountBp.map(f.plain) ?? ""
            fields["privileges\(row)"] = tier.privileges.joined(separator: ", ")
        }
        return fields
    }
}
