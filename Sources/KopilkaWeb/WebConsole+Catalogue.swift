import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

/// `/console/program/catalogue`: the categories and SKUs the tills have sent (learnt from receipts by the analytics
/// fold), with names the owner gives them, and the categories the program's rules name that no till has sent — a
/// promotion on «кофе» when the tills send `coffee` never applies.
extension WebConsole {
    func cataloguePage(_ visit: Visit, _ session: WebSession, values: [String: Any] = [:], status: HTTPResponse.Status = .ok) async throws -> Response {
        let items = try await store.catalogue(merchantId: session.merchantId, kind: nil, limit: 10_000)
        let rules = try await store.program(merchantId: session.merchantId).rules
        let zone = try await merchantZone(session.merchantId)
        let f = visit.format
        func rows(_ kind: CatalogueItem.Kind) -> [[String: Any]] {
            items.filter { $0.kind == kind }.prefix(500).map { item in
                var row: [String: Any] = [
                    "kind": kind.rawValue, "code": item.code, "name": item.name ?? "", "lines": f.count(item.lines), "last": f.date(item.lastSeen, zone),
                ]
                // Mustache takes an empty string for a value: only what there is.
                if let tillName = item.tillName, !tillName.isEmpty { row["tillName"] = tillName }
                if let category = item.category, !category.isEmpty { row["category"] = category }
                row["isSku"] = kind == .sku
                if kind == .sku {
                    row["price"] = item.price.map { f.plain($0) } ?? ""
                    if let till = item.tillPrice { row["tillPrice"] = f.money(till) }
                }
                if item.lastSeen.seconds == 0 { row["last"] = visit.t("catalogue.neverSold") }
                return row
            }
        }
        var context: [String: Any] = [
            "categories": rows(.category), "skus": rows(.sku), "hasItems": !items.isEmpty, "saved": visit.query["saved"] == "1",
            "added": visit.query["added"] == "1", "categoryCodes": items.filter { $0.kind == .category }.map(\.code),
            "newName": "", "newCategory": "", "newPrice": "", "newCode": "",
        ]
        let unknown = Self.unknownCategories(rules, items)
        if !unknown.isEmpty { context["unknown"] = unknown.joined(separator: ", ") }
        context.merge(values) { _, new in new }
        return render("catalogue", visit, status: status, context)
    }

    /// `POST /console/program/catalogue`: the owner's name for a category or SKU, and a SKU's price (empty: the last
    /// receipt's).
    func editCatalogueItem(_ visit: Visit, _ session: WebSession) async throws -> Response {
        guard let staffId = session.staff.flatMap({ parseID($0.id) }), let kind = CatalogueItem.Kind(rawValue: visit.form["kind"] ?? ""),
            let code = visit.form["code"]
        else { return Self.redirect("/console/program/catalogue") }
        let name = (visit.form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let priceText = (visit.form["price"] ?? "").trimmingCharacters(in: .whitespaces)
        let price = priceText.isEmpty ? nil : parseMoney(priceText)
        guard name.count <= 100 else {
            return try await cataloguePage(visit, session, values: ["formError": visit.t("catalogue.nameLong")], status: .unprocessableContent)
        }
        guard priceText.isEmpty || (price ?? 0) > 0 else {
            return try await cataloguePage(visit, session, values: ["formError": visit.t("cashier.linePriceInvalid")], status: .unprocessableContent)
        }
        guard try await store.editCatalogueItem(
            merchantId: session.merchantId, kind: kind, code: code, name: name, price: price, actor: .staff(staffId), now: visit.now)
        else { return render("error", visit, status: .notFound, ["message": visit.t("catalogue.noItem")]) }
        return Self.redirect("/console/program/catalogue?saved=1")
    }

    /// `POST /console/program/catalogue/add`: a SKU the tills have not sent yet (a café that sells from the web
    /// cashier only), with its category and price; its code is the name unless the owner gives one.
    func addCatalogueItem(_ visit: Visit, _ session: WebSession) async throws -> Response {
        guard let staffId = session.staff.flatMap({ parseID($0.id) }) else { return Self.redirect("/console/program/catalogue") }
        func field(_ name: String) -> String { (visit.form[name] ?? "").trimmingCharacters(in: .whitespaces) }
        let name = field("newName"), category = field("newCategory"), code = field("newCode").isEmpty ? name : field("newCode")
        let price = parseMoney(field("newPrice"))
        var errors: [String: Any] = [:]
        if name.isEmpty || name.count > 100 { errors["newNameError"] = visit.t("catalogue.newNameInvalid") }
        if code.count > 64 { errors["newCodeError"] = visit.t("catalogue.newCodeLong") }
        if category.count > 100 { errors["newCategoryError"] = visit.t("catalogue.nameLong") }
        if (price ?? 0) <= 0 { errors["newPriceError"] = visit.t("cashier.linePriceInvalid") }
        if errors.isEmpty, let price, try await !store.addCatalogueItem(
            merchantId: session.merchantId, code: code, name: name, category: category.isEmpty ? nil : category, price: price,
            actor: .staff(staffId), now: visit.now)
        {
            errors[field("newCode").isEmpty ? "newNameError" : "newCodeError"] = visit.t("catalogue.codeTaken")
        }
        guard errors.isEmpty else {
            var values = errors
            for name in ["newName", "newCategory", "newPrice", "newCode"] { values[name] = field(name) }
            return try await cataloguePage(visit, session, values: values, status: .unprocessableContent)
        }
        return Self.redirect("/console/program/catalogue?added=1")
    }

    /// What the settings forms' pickers offer: the categories, and the most sold SKUs.
    func offeredCatalogue(_ visit: Visit) async throws -> [CatalogueItem] {
        guard let merchantId = visit.session?.merchantId else { return [] }
        return try await store.catalogue(merchantId: merchantId, kind: .category, limit: 500)
            + store.catalogue(merchantId: merchantId, kind: .sku, limit: 2_000)
    }

    /// The categories the program's rules name that no till has sent (none while the catalogue is empty: nothing is
    /// known yet).
    static func unknownCategories(_ rules: ProgramRules, _ items: [CatalogueItem]) -> [String] {
        let known = Set(items.filter { $0.kind == .category }.map(\.code))
        guard !known.isEmpty else { return [] }
        return categories(rules).filter { !known.contains($0) }
    }
}
