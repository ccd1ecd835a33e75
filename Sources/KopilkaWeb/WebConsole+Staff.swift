import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore

extension WebConsole {
    /// `GET /console/staff`: the merchant's staff (owners only), a form to add one, and per member a role, a switch
    /// and a new password.
    func staffPage(_ visit: Visit, _ session: WebSession) async throws -> Response {
        try await staffPage(visit, session, fields: ["role": StaffRole.cashier.rawValue], values: [:])
    }

    /// `POST /console/staff`: adds a member of staff with a generated password, shown once on the next page.
    func addStaff(_ visit: Visit, _ session: WebSession) async throws -> Response {
        guard let ownerId = session.staff.flatMap({ parseID($0.id) }) else { return Self.redirect("/console/sign-in") }
        let form = visit.form
        var errors: [String: Any] = [:]
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        if name.isEmpty || name.count > 100 { errors["nameError"] = visit.t("staff.nameRequired") }
        if !Self.looksLikeEmail(email) { errors["emailError"] = visit.t("staff.emailInvalid") }
        guard let role = StaffRole(rawValue: form["role"] ?? "") else { return try await staffPage(visit, session, fields: form, values: errors, status: .unprocessableContent) }
        guard errors.isEmpty else { return try await staffPage(visit, session, fields: form, values: errors, status: .unprocessableContent) }
        let password = Self.newPassword()
        do {
            _ = try await store.createStaff(
                merchantId: session.merchantId, email: email, name: name, role: role, password: try Passwords.hash(password), now: visit.now,
                actor: .staff(ownerId))
        } catch KopilkaError.validation {
            return try await staffPage(visit, session, fields: form, values: ["emailError": visit.t("staff.emailTaken")], status: .unprocessableContent)
        }
        return try await staffPage(visit, session, fields: ["role": StaffRole.cashier.rawValue], values: ["issued": ["email": email, "password": password]])
    }

    /// `POST /console/staff/{id}`: `action=update` sets the role and whether the member is switched off;
    /// `action=password` gives them a new password (shown once) and ends their sessions.
    func changeStaff(_ visit: Visit, _ session: WebSession, id: String?) async throws -> Response {
        guard let ownerId = session.staff.flatMap({ parseID($0.id) }) else { return Self.redirect("/console/sign-in") }
        guard let staffId = id.flatMap(parseID), let member = try await store.staff(merchantId: session.merchantId).first(where: { $0.id == id })
        else { return render("error", visit, status: .notFound, ["message": visit.t("staff.none")]) }
        let form = visit.form
        if form["action"] == "password" {
            let password = Self.newPassword()
            try await store.setStaffPassword(
                merchantId: session.merchantId, staffId: staffId, password: try Passwords.hash(password), now: visit.now, actor: .staff(ownerId))
            return try await staffPage(visit, session, fields: ["role": StaffRole.cashier.rawValue], values: ["issued": ["email": member.email, "password": password]])
        }
        let role = StaffRole(rawValue: form["role"] ?? "") ?? member.role
        do {
            _ = try await store.updateStaff(
                merchantId: session.merchantId, staffId: staffId, role: role, disabled: form["active"] != "on", now: visit.now, actor: .staff(ownerId))
        } catch KopilkaError.validation {
            return try await staffPage(visit, session, fields: ["role": StaffRole.cashier.rawValue], values: ["formError": visit.t("staff.lastOwner")], status: .unprocessableContent)
        }
        return Self.redirect("/console/staff?saved=1")
    }

    private func staffPage(_ visit: Visit, _ session: WebSession, fields: [String: String], values: [String: Any], status: HTTPResponse.Status = .ok) async throws -> Response {
        let zone = try await merchantZone(session.merchantId)
        let f = visit.format
        var context = values
        context["saved"] = visit.query["saved"] == "1"
        context["members"] = try await store.staff(merchantId: session.merchantId).map { member in
            [
                "id": member.id, "name": member.name, "email": member.email, "since": f.date(member.createdAt, zone),
                "active": member.disabledAt == nil, "isMe": member.id == session.staff?.id,
                "roles": StaffRole.allCases.map { ["value": $0.rawValue, "label": visit.t("role.\($0.rawValue)"), "selected": $0 == member.role] },
            ] as [String: Any]
        }
        context["roles"] = StaffRole.allCases.map { ["value": $0.rawValue, "label": visit.t("role.\($0.rawValue)"), "selected": $0.rawValue == fields["role"]] }
        context["name"] = fields["name"] ?? ""
        context["email"] = fields["email"] ?? ""
        return render("staff", visit, status: status, context)
    }

    /// A password to hand over: 14 letters and digits without look-alikes (about 70 bits).
    static func newPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<14).map { _ in "abcdefghjkmnpqrstuvwxyz23456789".randomElement(using: &generator)! })
    }

    /// `name@host.tld`, without spaces: enough to catch typing mistakes (the address is a login, never mailed).
    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasPrefix(".")
            && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
    }
}
