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
        let items = try await store.catalogue(merchantId: session.merchantId, kind: nil)
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
                return row
            }
        }
        var context: [String: Any] = [
            "categories": rows(.category), "skus": rows(.sku), "hasItems": !items.isEmpty, "saved": visit.query["saved"] == "1",
        ]
        let unknown = Self.unknownCategories(rules, items)
        if !unknown.isEmpty { context["unknown"] = unknown.joined(separator: ", ") }
        context.merge(values) { _, new in new }
        return render("catalogue", visit, status: status, context)
    }

    /// `POST /console/program/catalogue`: the owner's name for a category or SKU.
    func nameCatalogueItem(_ visit: Visit, _ session: WebSession) async throws -> Response {
        guard let staffId = session.staff.flatMap({ parseID($0.id) }), let kind = CatalogueItem.Kind(rawValue: visit.form["kind"] ?? ""),
            let code = visit.form["code"]
        else { return Self.redirect("/console/program/catalogue") }
        let name = (visit.form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        guard name.count <= 100 else {
            return try await cataloguePage(visit, session, values: ["formError": visit.t("catalogue.nameLong")], status: .unprocessableContent)
        }
        guard try await store.nameCatalogueItem(
            merchantId: session.merchantId, kind: kind, code: code, name: name, actor: .staff(staffId), now: visit.now)
        else { return render("error", visit, status: .notFound, ["message": visit.t("catalogue.noItem")]) }
        return Self.redirect("/console/program/catalogue?saved=1")
    }

    /// The categories the program's rules name that no till has sent (none while the catalogue is empty: nothing is
    /// known yet).
    static func unknownCategories(_ rules: ProgramRules, _ items: [CatalogueItem]) -> [String] {
        let known = Set(items.filter { $0.kind == .category }.map(\.code))
        guard !known.isEmpty else { return [] }
        return categories(rules).filter { !known.contains($0) }
    }
}
