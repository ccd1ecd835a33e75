import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

/// `GET /console/audit?before=`: who changed what, newest first, in words — the owner's view of the audit chain the
/// API serves as JSON (`GET /v1/audit-log`).
extension WebConsole {
    func auditPage(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let before = visit.query["before"].flatMap { Int64($0) }
        let page = try await store.recentAudit(merchantId: session.merchantId, before: before, limit: 100)
        let staff = Dictionary(uniqueKeysWithValues: try await store.staff(merchantId: session.merchantId).map { ($0.id, $0.name) })
        let zone = try await merchantZone(session.merchantId)
        let f = visit.format
        let records: [[String: Any]] = page.records.map { record in
            var row: [String: Any] = [
                "at": f.time(record.at, zone), "who": who(record.actor, staff: staff, visit), "seq": String(record.seq),
                "what": Strings.table(visit.language)["audit." + record.action.replacingOccurrences(of: ".", with: "_")] ?? record.action,
            ]
            if let id = record.subject.split(separator: ":").dropFirst().first, record.subject.hasPrefix("customer:") {
                row["customer"] = String(id)
            }
            row["details"] = details(record, visit)
            return row
        }
        return render("audit", visit, ["records": records, "hasRecords": !records.isEmpty, "next": page.next ?? ""])
    }

    /// The actor in words: a member of staff by name, an API key, the customer in their cabinet, the operator.
    private func who(_ actor: String, staff: [String: String], _ visit: Visit) -> String {
        let parts = actor.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count > 1 ? parts[1] : nil) {
        case ("staff", let id?): return staff[id] ?? visit.t("audit.staffMember")
        case ("key", let id?): return visit.t("audit.key") + " " + id
        case ("customer", _): return visit.t("audit.customer")
        case ("operator", _): return visit.t("audit.operator")
        default: return actor
        }
    }

    /// What the record says beyond its action, where a sentence says it: an adjustment's points and reason, a program's
    /// version, a consent given or withdrawn.
    private func details(_ record: AuditRecord, _ visit: Visit) -> String {
        let after = record.after.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        let f = visit.format
        switch record.action {
        case "customer.adjust":
            guard let points = (after["points"] as? NSNumber)?.int64Value else { return "" }
            var text = (points > 0 ? "+" : "") + f.pointsCounted(points)
            if let reason = after["reason"] as? String { text += " · " + visit.t("audit.reason") + " «" + reason + "»" }
            if after["confirmed"] as? Bool == true { text += " · " + visit.t("audit.confirmed") }
            return text
        case "program.update":
            return (after["version"] as? NSNumber).map { visit.t("audit.version") + " " + $0.stringValue } ?? ""
        case "catalogue.edit", "catalogue.add", "catalogue.name":
            var parts: [String] = []
            if let name = after["name"] as? String, !name.isEmpty { parts.append("«\(name)»") }
            if let category = after["category"] as? String, !category.isEmpty { parts.append(category) }
            if let price = (after["price"] as? String).flatMap({ Int64($0) }) { parts.append(f.money(price)) }
            return parts.joined(separator: " · ")
        case "customer.consent":
            return visit.t((after["marketing"] as? Bool) == true ? "audit.consentGiven" : "audit.consentWithdrawn")
        default:
            return ""
        }
    }
}
