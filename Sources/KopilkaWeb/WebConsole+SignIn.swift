import Hummingbird
import KopilkaCore
import KopilkaStore

extension WebConsole {
    /// `GET /console/sign-in`
    func signInForm(_ visit: Visit) async throws -> Response {
        if visit.session?.staff != nil { return Self.redirect("/console") }
        return render("sign-in", visit, ["next": safeNext(visit.query["next"]) ?? ""])
    }

    /// `POST /console/sign-in`: email and password; a wrong pair gets the same message whichever was wrong.
    func signIn(_ visit: Visit) async throws -> Response {
        let email = (visit.form["email"] ?? "").trimmingCharacters(in: .whitespaces)
        let password = visit.form["password"] ?? ""
        let next = safeNext(visit.form["next"])
        guard visit.signInTokenMatches else {
            return render("sign-in", visit, status: .forbidden, ["email": email, "next": next ?? "", "formError": visit.t("error.csrf")])
        }
        var errors: [String: Any] = [:]
        if email.isEmpty { errors["emailError"] = visit.t("signIn.emailRequired") }
        if password.isEmpty { errors["passwordError"] = visit.t("signIn.passwordRequired") }
        if errors.isEmpty, !signInFailures.take(email, now: visit.now) {
            errors["formError"] = visit.t("signIn.throttled")
        } else if errors.isEmpty {
            let found = try await store.staffCredentials(email: email)
            // An unknown email costs the same hashing as a known one: the time taken does not tell which emails exist.
            if Passwords.verify(password, against: found?.password ?? Passwords.unknownAccount), let found {
                signInFailures.succeeded(email)
                let (token, hash) = Self.newToken()
                try await store.openSession(
                    merchantId: found.merchantId, staffId: parseID(found.staff.id), customerId: nil, tokenHash: hash, csrf: Self.newToken().token,
                    expiresAt: visit.now + sessionSeconds, now: visit.now)
                var response = Self.redirect(next ?? (found.staff.role == .cashier ? "/console/cashier" : "/console/dashboard"))
                visit.setCookie(Visit.sessionCookie, token, maxAge: sessionSeconds, on: &response)
                return response
            }
            errors["formError"] = visit.t("signIn.wrong")
        }
        var values = errors
        values["email"] = email
        values["next"] = next ?? ""
        return render("sign-in", visit, status: .unprocessableContent, values)
    }

    /// `POST /console/sign-out`
    func signOut(_ visit: Visit) async throws -> Response {
        if let token = visit.sessionToken { try await store.closeSession(tokenHash: Self.tokenHash(token)) }
        var response = Self.redirect("/console/sign-in")
        visit.setCookie(Visit.sessionCookie, "", maxAge: 0, on: &response)
        return response
    }

    /// A page of the console to go to after signing in; nil for anything else (no open redirects).
    private func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/console/"), !next.hasPrefix("//"), !next.contains("\\") else { return nil }
        return next
    }
}
