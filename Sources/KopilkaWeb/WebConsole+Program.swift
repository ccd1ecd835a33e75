import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// `GET /console/program`: the program's main settings, a preview of a receipt, and the versions.
    func programForm(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        return try await programPage(visit, session, fields: Self.fields(of: program.rules, visit.format), version: program.version, errors: [:])
    }

    /// `POST /console/program`: saves the settings as a new version; each invalid field gets its message next to it and
    /// nothing is saved. A version saved by someone else meanwhile is not overwritten.
    func saveProgram(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        let current = try await store.program(merchantId: session.merchantId)
        var rules = current.rules
        var errors: [String: String] = [:]
        func hundredths(_ name: String, _ set: (Int64) -> Void) {
            guard let value = parseMoney(form[name] ?? "") else { return errors[name] = visit.t("program.number") }
            set(value)
        }
        func whole(_ name: String, _ message: String = "program.wholeNumber", _ set: (Int) -> Void) {
            guard let value = Int((form[name] ?? "").trimmingCharacters(in: .whitespaces)), value >= 0 else { return errors[name] = visit.t(message) }
            set(value)
        }
        hundredths("accrualRate") { rules.accrualRateBp = $0 }
        hundredths("pointValue") { rules.pointValueKopecks = $0 }
        hundredths("maxRedeemShare") { rules.maxRedeemShareBp = $0 }
        hundredths("minPayable") { rules.minPayableKopecks = $0 }
        hundredths("welcomeBonus") { rules.welcomeBonusPoints = $0 }
        hundredths("discount") { rules.discountBp = $0 }
        whole("activationDelayDays") { rules.activationDelayDays = $0 }
        whole("lifetimeDays") { rules.lifetimeDays = $0 }
        hundredths("accrualPer") { rules.accrualPerKopecks = $0 }
        hundredths("minAccrualReceipt") { rules.minAccrualReceiptKopecks = $0 }
        hundredths("minRedemptionReceipt") { rules.minRedemptionReceiptKopecks = $0 }
        hundredths("maxBenefitShare") { rules.maxBenefitShareBp = $0 }
        rules.expiry = ExpiryMode(rawValue: form["expiry"] ?? "") ?? rules.expiry
        whole("expiryPeriods") { rules.expiryPeriods = $0 }
        rules.accrueOnDiscountedLines = form["accrueOnDiscountedLines"] == "on"
        rules.accrueWithCodes = form["accrueWithCodes"] == "on"
        rules.earnOrSpend = form["earnOrSpend"] == "on"
        rules.redeemWithDiscounts = form["redeemWithDiscounts"] == "on"
        rules.accrualExcludedCategories = Self.list(form["accrualExcluded"])
        rules.redemptionExcludedCategories = Self.list(form["redemptionExcluded"])
        rules.accrueOnRedeemedPart = form["accrueOnRedeemedPart"] == "on"
        rules.returnPolicy = ReturnPolicy(rawValue: form["returnPolicy"] ?? "") ?? rules.returnPolicy
        whole("welcomeBonusLifetimeDays") { rules.welcomeBonusLifetimeDays = $0 }
        rules.welcomeBonusNextOrderOnly = form["welcomeBonusNextOrderOnly"] == "on"
        whole("maxAccrualsPerDay", "program.wholeCount") { rules.maxAccrualsPerDay = $0 }
        whole("maxRedemptionsPerDay", "program.wholeCount") { rules.maxRedemptionsPerDay = $0 }
        rules.balancePerStore = form["balancePerStore"] == "on"
        whole("expiryReminderDays") { rules.expiryReminderDays = $0 }
        hundredths("expiryReminderMinPoints") { rules.expiryReminderMinPoints = $0 }
        rules.accrualExcludedPayments = Payment.Method.allCases.filter { form["noAccrual-\($0.rawValue)"] == "on" }
        rules.redemptionExcludedPayments = Payment.Method.allCases.filter { form["noRedemption-\($0.rawValue)"] == "on" }
        // Bands by the receipt's sum: the rows filled in, in order; `bandRow[i]` is the form's row of band i.
        var bandRow: [Int] = []
        rules.accrualBands = []
        for row in 1...Self.bandRows {
            let from = (form["band\(row)From"] ?? "").trimmingCharacters(in: .whitespaces), rate = (form["band\(row)Rate"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !from.isEmpty || !rate.isEmpty else { continue }
            guard let fromKopecks = parseMoney(from) else { errors["band\(row)From"] = visit.t("program.number"); continue }
            guard let rateBp = parsePoints(rate) else { errors["band\(row)Rate"] = visit.t("program.number"); continue }
            rules.accrualBands.append(AccrualBand(fromKopecks: fromKopecks, rateBp: rateBp))
            bandRow.append(row)
        }
        // "Bring a friend": kept only when it rewards someone.
        var referral = ReferralRules()
        hundredths("referrerPoints") { referral.referrerPoints = $0 }
        hundredths("friendPoints") { referral.friendPoints = $0 }
        hundredths("referralMinPurchase") { referral.minPurchaseKopecks = $0 }
        whole("referralWaitDays") { referral.waitDays = $0 }
        hundredths("referralMaxPerPurchase") { referral.maxPointsPerPurchase = $0 }
        hundredths("referralMaxPerCustomer") { referral.maxPointsPerCustomer = $0 }
        // Levels up to the last one filled in; an empty one below it pays nothing.
        let levelTexts = (1...3).map { (form["referralLevel\($0)"] ?? "").trimmingCharacters(in: .whitespaces) }
        for (index, text) in levelTexts.enumerated().prefix((levelTexts.lastIndex { !$0.isEmpty } ?? -1) + 1) {
            guard let rate = text.isEmpty ? 0 : parsePoints(text) else { errors["referralLevel\(index + 1)"] = visit.t("program.number"); continue }
            referral.levelRatesBp.append(rate)
        }
        rules.referral = referral.referrerPoints > 0 || referral.friendPoints > 0 || referral.levelRatesBp.contains(where: { $0 > 0 }) ? referral : nil
        // The core's own checks, reported against the form's fields (a rule named as its field needs no entry).
        var formField = [
            "accrualRateBp": "accrualRate", "pointValueKopecks": "pointValue", "maxRedeemShareBp": "maxRedeemShare",
            "minPayableKopecks": "minPayable", "welcomeBonusPoints": "welcomeBonus", "discountBp": "discount",
            "accrualExcludedCategories": "accrualExcluded", "redemptionExcludedCategories": "redemptionExcluded",
            "accrualPerKopecks": "accrualPer", "accrualBands": "accrualPer", "minAccrualReceiptKopecks": "minAccrualReceipt",
            "minRedemptionReceiptKopecks": "minRedemptionReceipt", "maxBenefitShareBp": "maxBenefitShare",
            "referral.referrerPoints": "referrerPoints", "referral.friendPoints": "friendPoints", "referral.minPurchaseKopecks": "referralMinPurchase",
            "referral.waitDays": "referralWaitDays", "referral.maxPointsPerPurchase": "referralMaxPerPurchase",
            "referral.maxPointsPerCustomer": "referralMaxPerCustomer",
        ]
        for level in 0..<3 { formField["referral.levelRatesBp[\(level)]"] = "referralLevel\(level + 1)" }
        for (index, row) in bandRow.enumerated() {
            formField["accrualBands[\(index)].fromKopecks"] = "band\(row)From"
            formField["accrualBands[\(index)].rateBp"] = "band\(row)Rate"
        }
        if errors.isEmpty {
            for violation in rules.violations() {
                let field = formField[violation.field] ?? (Self.fieldNames.contains(violation.field) ? violation.field : "form")
                if errors[field] == nil {
                    // Next to its own field the message needs no place; on the form's top, it says which setting.
                    errors[field] = field == "form" ? FieldWords.sentence(violation, in: visit.language) : FieldWords.message(violation, in: visit.language)
                }
            }
        }
        let fields = Dictionary(uniqueKeysWithValues: Self.fieldNames.map { ($0, form[$0] ?? "") })
        guard errors.isEmpty else { return try await programPage(visit, session, fields: fields, version: current.version, errors: errors, status: .unprocessableContent) }
        if let refusal = try await save(rules, visit, session, version: form["version"]) {
            return try await programPage(visit, session, fields: fields, version: current.version, errors: ["form": refusal.text], status: refusal.status)
        }
        return Self.redirect("/console/program?saved=1")
    }

    /// Saves `rules` as the program's next version, on top of the `version` the form was made from; the refusal in
    /// words when someone saved meanwhile or the plan does not allow it (nil when saved). The rules are valid already.
    func save(_ rules: ProgramRules, _ visit: Visit, _ session: WebSession, version: String?) async throws -> (text: String, status: HTTPResponse.Status)? {
        guard let staffId = session.staff.flatMap({ parseID($0.id) }) else { return ("", .forbidden) }
        do {
            _ = try await store.updateProgram(
                merchantId: session.merchantId, rules: rules, expectedVersion: Int64(version ?? ""), now: visit.now, actor: .staff(staffId))
            return nil
        } catch KopilkaError.versionConflict {
            return (visit.t("program.conflict"), .conflict)
        } catch KopilkaError.planLimit(let problems), KopilkaError.validation(let problems) {
            return (problems.map { FieldWords.sentence($0, in: visit.language) }.joined(separator: "; "), .unprocessableContent)
        }
    }

    private func programPage(
        _ visit: Visit, _ session: WebSession, fields: [String: String], version: Int64, errors: [String: String], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let f = visit.format
        let zone = try await merchantZone(session.merchantId)
        let versions = try await store.programVersions(merchantId: session.merchantId, limit: 20)
        let authors = try await store.programAuthors(merchantId: session.merchantId, limit: 20)
        let staff = Dictionary(uniqueKeysWithValues: try await store.staff(merchantId: session.merchantId).map { ("staff:" + $0.id, $0.name) })
        let current = versions.first?.rules ?? ProgramRules()
        // The preview: the engine on a 1,000 ₽ receipt of a customer without a level, from the saved settings (a
        // customer with no points for what it earns, one with plenty for what points may pay).
        let check: Int64 = 1_000_00
        func preview(balance: Points) -> ReceiptCalculation {
            var rules = current
            rules.tiers = nil
            return ReceiptCalculator.calculate(
                lines: [ReceiptLine(sku: "preview", price: check)], rules: rules, customer: .init(spendablePoints: balance), redeem: .points(0))
        }
        let earned = preview(balance: 0).earnedPoints
        let payable = ReceiptCalculator.pointsToKopecksFloor(preview(balance: 100_000_000_00).maxRedeemable, current)
        var context: [String: Any] = [
            "version": version, "saved": visit.query["saved"] == "1", "formError": errors["form"] ?? "",
            "preview": visit.t("program.preview").replacingOccurrences(of: "{check}", with: f.money(check))
                .replacingOccurrences(of: "{earned}", with: f.points(earned)).replacingOccurrences(of: "{payable}", with: f.money(payable)),
            "versions": zip(versions, versions.dropFirst().map(Optional.some) + [nil]).map { view, previous in
                var row: [String: Any] = [
                    "version": view.version, "at": f.time(view.updatedAt, zone),
                    "who": authors[view.version].map { staff[$0] ?? (($0.hasPrefix("key:") ? visit.t("audit.key") : visit.t("audit.operator"))) } ?? "—",
                    "changes": previous.map { Self.changes(from: $0.rules, to: view.rules, visit) } ?? visit.t("program.first"),
                ]
                // Any earlier version can be made the current one again (as a new version).
                if view.version != version { row["restorable"] = true }
                return row
            },
            "current": String(version),
        ]
        var warnings = Self.warnings(current, visit)
        let unknown = Self.unknownCategories(current, try await store.catalogue(merchantId: session.merchantId, kind: .category, limit: 10_000))
        if !unknown.isEmpty { warnings.append(visit.t("catalogue.unknown") + " " + unknown.joined(separator: ", ")) }
        context["warnings"] = warnings
        context["hasWarnings"] = !warnings.isEmpty
        context["fieldsets"] = Self.programFieldsets(visit, fields: fields, errors: errors, catalogue: try await offeredCatalogue(visit))
        return render("program", visit, status: status, context)
    }

    /// How many rows of bands by the receipt's sum the form offers.
    static let bandRows = 5

    /// The form's fieldsets and their controls, for the `form-field` partial.
    static func programFieldsets(_ visit: Visit, fields: [String: String], errors: [String: String], catalogue: [CatalogueItem]) -> [[String: Any]] {
        let form = FormControls(visit: visit, fields: fields, errors: errors, prefix: "program", catalogue: catalogue)
        let bands = (1...bandRows).flatMap { row in
            [form.input("band\(row)From", label: visit.t("program.bandFrom").replacingOccurrences(of: "{n}", with: "\(row)")),
             form.input("band\(row)Rate", label: visit.t("program.bandRate").replacingOccurrences(of: "{n}", with: "\(row)"))]
        }
        let levels = (1...3).map { form.input("referralLevel\($0)", label: visit.t("program.referralLevel").replacingOccurrences(of: "{n}", with: "\($0)")) }
        let sections: [(String, [[String: Any]])] = [
            ("earning", [
                form.input("accrualRate"), form.input("discount"), form.input("accrualPer"), form.input("minAccrualReceipt"), form.picker("accrualExcluded", .category),
                form.input("maxAccrualsPerDay", "numeric"), form.checkbox("accrueOnRedeemedPart"), form.checkbox("accrueOnDiscountedLines"),
                form.checkbox("accrueWithCodes"),
                form.choices(visit.t("program.noAccrualPayments"), Payment.Method.allCases.map { ("noAccrual-\($0.rawValue)", visit.t("payment.\($0.rawValue)")) }),
            ]),
            ("bands", bands),
            ("welcome", [form.input("welcomeBonus"), form.input("welcomeBonusLifetimeDays", "numeric"), form.checkbox("welcomeBonusNextOrderOnly")]),
            ("spending", [
                form.input("pointValue"), form.input("maxRedeemShare"), form.input("minPayable"), form.picker("redemptionExcluded", .category),
                form.choices(
                    visit.t("program.noRedemptionPayments"),
                    Payment.Method.allCases.map { ("noRedemption-\($0.rawValue)", visit.t("payment.\($0.rawValue)")) }),
                form.select("returnPolicy", ReturnPolicy.allCases.map { ($0.rawValue, visit.t("program.policy.\($0.rawValue)")) }),
                form.input("minRedemptionReceipt"), form.input("maxBenefitShare"), form.input("maxRedemptionsPerDay", "numeric"), form.checkbox("earnOrSpend"),
                form.checkbox("redeemWithDiscounts"), form.checkbox("balancePerStore"),
            ]),
            ("lifetime", [
                form.input("activationDelayDays", "numeric"), form.input("lifetimeDays", "numeric"),
                form.select("expiry", ExpiryMode.allCases.map { ($0.rawValue, visit.t("expiryMode.\($0.rawValue)")) }), form.input("expiryPeriods", "numeric"),
                form.input("expiryReminderDays", "numeric"), form.input("expiryReminderMinPoints"),
            ]),
            ("referral", [
                form.input("referrerPoints"), form.input("friendPoints"), form.input("referralMinPurchase"), form.input("referralWaitDays", "numeric"),
            ] + levels + [form.input("referralMaxPerPurchase"), form.input("referralMaxPerCustomer")]),
        ]
        return sections.map { ["legend": visit.t("program.\($0.0)"), "fields": $0.1] }
    }

    /// Every field of the form, to give back what was typed when it is refused.
    static let fieldNames = [
        "accrualRate", "pointValue", "maxRedeemShare", "minPayable", "welcomeBonus", "discount", "activationDelayDays", "lifetimeDays",
        "accrualExcluded", "redemptionExcluded", "returnPolicy", "accrueOnRedeemedPart", "accrualPer", "minAccrualReceipt",
        "minRedemptionReceipt", "maxBenefitShare", "accrueOnDiscountedLines", "accrueWithCodes", "earnOrSpend", "redeemWithDiscounts",
        "expiry", "expiryPeriods", "welcomeBonusLifetimeDays", "welcomeBonusNextOrderOnly", "maxAccrualsPerDay", "maxRedemptionsPerDay",
        "balancePerStore", "expiryReminderDays", "expiryReminderMinPoints", "referrerPoints", "friendPoints", "referralMinPurchase",
        "referralWaitDays", "referralMaxPerPurchase", "referralMaxPerCustomer",
    ] + (1...bandRows).flatMap { ["band\($0)From", "band\($0)Rate"] } + (1...3).map { "referralLevel\($0)" }
        + Payment.Method.allCases.map { "noAccrual-\($0.rawValue)" } + Payment.Method.allCases.map { "noRedemption-\($0.rawValue)" }

    /// The form's text for the rules: percentages and roubles as people type them.
    static func fields(of rules: ProgramRules, _ f: Formatting) -> [String: String] {
        let plain = f.plain
        var fields = [
            "accrualRate": plain(rules.accrualRateBp), "pointValue": plain(rules.pointValueKopecks), "maxRedeemShare": plain(rules.maxRedeemShareBp),
            "minPayable": plain(rules.minPayableKopecks), "welcomeBonus": plain(rules.welcomeBonusPoints), "discount": plain(rules.discountBp),
            "activationDelayDays": String(rules.activationDelayDays), "lifetimeDays": String(rules.lifetimeDays),
            "accrualExcluded": rules.accrualExcludedCategories.joined(separator: ", "),
            "redemptionExcluded": rules.redemptionExcludedCategories.joined(separator: ", "), "returnPolicy": rules.returnPolicy.rawValue,
            "accrueOnRedeemedPart": rules.accrueOnRedeemedPart ? "on" : "",
            "accrualPer": plain(rules.accrualPerKopecks), "minAccrualReceipt": plain(rules.minAccrualReceiptKopecks),
            "minRedemptionReceipt": plain(rules.minRedemptionReceiptKopecks), "maxBenefitShare": plain(rules.maxBenefitShareBp),
            "accrueOnDiscountedLines": rules.accrueOnDiscountedLines ? "on" : "", "accrueWithCodes": rules.accrueWithCodes ? "on" : "",
            "earnOrSpend": rules.earnOrSpend ? "on" : "", "redeemWithDiscounts": rules.redeemWithDiscounts ? "on" : "",
            "expiry": rules.expiry.rawValue, "expiryPeriods": String(rules.expiryPeriods),
            "welcomeBonusLifetimeDays": String(rules.welcomeBonusLifetimeDays), "welcomeBonusNextOrderOnly": rules.welcomeBonusNextOrderOnly ? "on" : "",
            "maxAccrualsPerDay": String(rules.maxAccrualsPerDay), "maxRedemptionsPerDay": String(rules.maxRedemptionsPerDay),
            "balancePerStore": rules.balancePerStore ? "on" : "", "expiryReminderDays": String(rules.expiryReminderDays),
            "expiryReminderMinPoints": plain(rules.expiryReminderMinPoints),
        ]
        for method in rules.accrualExcludedPayments { fields["noAccrual-\(method.rawValue)"] = "on" }
        for method in rules.redemptionExcludedPayments { fields["noRedemption-\(method.rawValue)"] = "on" }
        for (index, band) in rules.accrualBands.prefix(bandRows).enumerated() {
            fields["band\(index + 1)From"] = plain(band.fromKopecks)
            fields["band\(index + 1)Rate"] = plain(band.rateBp)
        }
        let referral = rules.referral ?? ReferralRules()
        fields["referrerPoints"] = plain(referral.referrerPoints)
        fields["friendPoints"] = plain(referral.friendPoints)
        fields["referralMinPurchase"] = plain(referral.minPurchaseKopecks)
        fields["referralWaitDays"] = String(referral.waitDays)
        fields["referralMaxPerPurchase"] = plain(referral.maxPointsPerPurchase)
        fields["referralMaxPerCustomer"] = plain(referral.maxPointsPerCustomer)
        for (index, rate) in referral.levelRatesBp.enumerated() { fields["referralLevel\(index + 1)"] = plain(rate) }
        return fields
    }

    /// `a, b ,c` → `["a", "b", "c"]`.
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// What changed between two versions, key by key (`accrualRateBp: 500 → 700`).
    /// What a version changed, in the form's words: «Начислять, % от оплаченного: 5 → 7»; parts of the program edited on
    /// their own pages (promotions, levels, …) by name.
    static func changes(from old: ProgramRules, to new: ProgramRules, _ visit: Visit) -> String {
        let f = visit.format
        let a = fields(of: old, f), b = fields(of: new, f)
        func shown(_ name: String, _ value: String?) -> String {
            let value = value ?? ""
            if name == "returnPolicy" { return visit.t("program.policy.\(value)") }
            if name == "expiry" { return visit.t("expiryMode.\(value)") }
            if name.hasPrefix("noAccrual-") || name.hasPrefix("noRedemption-") || checkboxes.contains(name) {
                return visit.t(value == "on" ? "yes" : "no")
            }
            return value.isEmpty ? "—" : value
        }
        func label(_ name: String) -> String {
            if let method = name.split(separator: "-").dropFirst().first, name.contains("-") {
                let list = visit.t(name.hasPrefix("noAccrual") ? "program.noAccrualPayments" : "program.noRedemptionPayments")
                return list + " — " + visit.t("payment.\(method)")
            }
            if name.hasPrefix("band") { return visit.t("program.bands") }
            if name.hasPrefix("referralLevel") { return visit.t("program.referralLevel").replacingOccurrences(of: "{n}", with: String(name.suffix(1))) }
            return visit.t("program.\(name)")
        }
        var parts = fieldNames.filter { (a[$0] ?? "") != (b[$0] ?? "") }.map { "\(label($0)): \(shown($0, a[$0])) → \(shown($0, b[$0]))" }
        // The parts with pages of their own, said by name.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func same<T: Encodable>(_ part: (ProgramRules) -> T) -> Bool { (try? encoder.encode(part(old))) == (try? encoder.encode(part(new))) }
        if !same(\.promotions) { parts.append(visit.t("program.changedPromotions")) }
        if !same(\.tiers) { parts.append(visit.t("program.changedLevels")) }
        if !same(\.stampCards) { parts.append(visit.t("program.changedStamps")) }
        if !same(\.rules) { parts.append(visit.t("program.changedRules")) }
        if !same(\.protection) { parts.append(visit.t("program.changedProtection")) }
        if parts.isEmpty, !same({ $0 }) { parts.append(visit.t("program.changedOther")) }
        return parts.isEmpty ? "—" : parts.joined(separator: "; ")
    }

    /// The form's checkboxes, shown as yes or no in the version log.
    static let checkboxes: Set<String> = [
        "accrueOnRedeemedPart", "accrueOnDiscountedLines", "accrueWithCodes", "earnOrSpend", "redeemWithDiscounts", "welcomeBonusNextOrderOnly",
        "balancePerStore",
    ]

    /// Settings that change the program in a way the form alone does not show: levels that set their own rates, a
    /// share of 0 that stops points paying at all.
    static func warnings(_ rules: ProgramRules, _ visit: Visit) -> [String] {
        var warnings: [String] = []
        if let tiers = rules.tiers, !tiers.tiers.isEmpty { warnings.append(visit.t("program.warnLevels")) }
        if rules.maxBenefitShareBp == 0 || rules.maxRedeemShareBp == 0 { warnings.append(visit.t("program.warnNoSpending")) }
        if rules.accrualRateBp == 0 && rules.accrualBands.isEmpty && (rules.tiers?.tiers.isEmpty ?? true) { warnings.append(visit.t("program.warnNoEarning")) }
        return warnings
    }

    /// `POST /console/program/restore`: makes an earlier version the program again, as a new version.
    func restoreProgram(_ visit: Visit, _ session: WebSession) async throws -> Response {
        guard let wanted = visit.form["restore"].flatMap({ Int64($0) }),
            let earlier = try await store.programVersion(merchantId: session.merchantId, version: wanted)
        else { return render("error", visit, status: .notFound, ["message": visit.t("program.noVersion")]) }
        if let refusal = try await save(earlier.rules, visit, session, version: visit.form["version"]) {
            let current = try await store.program(merchantId: session.merchantId)
            return try await programPage(
                visit, session, fields: Self.fields(of: current.rules, visit.format), version: current.version, errors: ["form": refusal.text],
                status: refusal.status)
        }
        return Self.redirect("/console/program?saved=1")
    }
}
