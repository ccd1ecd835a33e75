import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

extension WebConsole {
    /// `GET /console/program/rules`: the whole program as JSON (the document `PUT /v1/program` takes), for what the
    /// forms do not cover: wholesale, stacking, scopes, protection, gifts and "2 + 1" promotions, limits.
    func rulesForm(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let program = try await store.program(merchantId: session.merchantId)
        return rulesPage(visit, text: Self.prettyJSON(program.rules), version: program.version, problems: [])
    }

    /// `POST /console/program/rules`: saves the edited JSON as a new version when it reads and passes every check;
    /// otherwise lists what is wrong, field by field, and saves nothing.
    func saveRules(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let form = visit.form
        let text = form["rules"] ?? ""
        let current = try await store.program(merchantId: session.merchantId)
        let rules: ProgramRules
        do {
            rules = try JSONDecoder().decode(ProgramRules.self, from: Data(text.utf8))
        } catch {
            return rulesPage(visit, text: text, version: current.version, problems: [(error as? DecodingError).map { "JSON: \($0.readable)" } ?? "JSON: \(error)"], status: .unprocessableContent)
        }
        let violations = rules.violations()
        guard violations.isEmpty else {
            return rulesPage(visit, text: text, version: current.version, problems: violations.map { "\($0.field): " + FieldWords.message($0, in: visit.language) }, status: .unprocessableContent)
        }
        if let refusal = try await save(rules, visit, session, version: form["version"]) {
            return rulesPage(visit, text: text, version: current.version, problems: [refusal.text], status: refusal.status)
        }
        return Self.redirect("/console/program/rules?saved=1")
    }

    private func rulesPage(_ visit: Visit, text: String, version: Int64, problems: [String], status: HTTPResponse.Status = .ok) -> Response {
        render("rules", visit, status: status, [
            "version": version, "saved": visit.query["saved"] == "1", "rules": text, "problems": problems, "hasProblems": !problems.isEmpty,
        ])
    }

    static func prettyJSON(_ rules: ProgramRules) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.userInfo[TierRules.forEditing] = true
        return (try? encoder.encode(rules)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
