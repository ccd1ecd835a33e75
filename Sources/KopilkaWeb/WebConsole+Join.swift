import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

/// Joining the program from the customer's own phone at `/join/{merchant}`, the page the QR code at the counter
/// opens: the phone, a code by SMS that confirms it, a name, a birthday, the consents and the friend who brought them;
/// then the new card in the cabinet. A member's phone gets a sign-in code instead, on the same form. The owner prints
/// the QR code from `/console/join`.
extension WebConsole {
    func addJoinRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/join/:merchant") { request, context in
            await self.page(request) { try await self.joinStart($0, merchant: context.parameters.get("merchant")) }
        }
        router.post("/join/:merchant/code") { request, context in
            await self.page(request) { try await self.joinSendCode($0, merchant: context.parameters.get("merchant")) }
        }
        router.post("/join/:merchant") { request, context in
            await self.page(request) { try await self.joinFinish($0, merchant: context.parameters.get("merchant")) }
        }
        router.get("/console/join") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.joinPoster($0, $1, print: false) } }
        router.get("/console/join/poster") { request, _ in
            await self.page(request, roles: [.owner, .marketer]) { try await self.joinPoster($0, $1, print: true) }
        }
        router.get("/console/join/qr.svg") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.joinQR($0, $1, png: false) } }
        router.get("/console/join/qr.png") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.joinQR($0, $1, png: true) } }
        addLogoRoutes(to: router)
    }

    /// `GET /join/{merchant}[?friend=card]`: the shop, what joining gives, and the phone.
    func joinStart(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let (_, frame) = try await joinFrame(visit, merchant: merchant) else { return noShop(visit) }
        var values = frame
        values["askPhone"] = true
        values["friend"] = visit.query["friend"] ?? ""
        return render("join", visit, values)
    }

    /// `POST /join/{merchant}/code`: a code to the phone — to join, or to sign in when it is a member's.
    func joinSendCode(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let (merchantId, frame) = try await joinFrame(visit, merchant: merchant) else { return noShop(visit) }
        guard visit.signInTokenMatches else { return render("error", visit, status: .forbidden, ["message": visit.t("error.csrf")]) }
        var values = frame
        values["friend"] = visit.form["friend"] ?? ""
        guard let phone = Phone.normalize(visit.form["phone"] ?? "") else {
            values["askPhone"] = true
            values["phone"] = visit.form["phone"] ?? ""
            values["phoneError"] = visit.t("cabinet.phoneInvalid")
            return render("join", visit, status: .unprocessableContent, values)
        }
        guard let sendSMS else { return render("error", visit, status: .serviceUnavailable, ["message": visit.t("join.noSMS")]) }
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let issued: JoinCodeIssued
        do {
            issued = try await store.issueJoinCode(merchantId: merchantId, phone: phone, code: code, now: visit.now)
        } catch KopilkaError.tooManyCodes {
            values["askPhone"] = true
            values["phone"] = phone
            values["phoneError"] = visit.t("cabinet.tooMany")
            return render("join", visit, status: .tooManyRequests, values)
        }
        try await sendSMS(phone, visit.t(issued == .member ? "cabinet.smsText" : "join.smsText").replacingOccurrences(of: "{code}", with: code))
        values["phone"] = phone
        values["maskedPhone"] = Phone.masked(phone)
        if issued == .member {
            // The cabinet's own code form: the member signs in and sees their card.
            return render("cabinet-sign-in", visit, values.merging(["alreadyMember": true, "home": "/cabinet/\(merchantId)"]) { a, _ in a })
        }
        values["marketing"] = true
        return render("join", visit, values)
    }

    /// `POST /join/{merchant}`: the code and the details; the new member lands in the cabinet with their card.
    func joinFinish(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let (merchantId, frame) = try await joinFrame(visit, merchant: merchant) else { return noShop(visit) }
        guard visit.signInTokenMatches else { return render("error", visit, status: .forbidden, ["message": visit.t("error.csrf")]) }
        let form = visit.form
        let phone = Phone.normalize(form["phone"] ?? "") ?? ""
        var values = frame.merging([
            "phone": phone, "maskedPhone": Phone.masked(phone), "name": form["name"] ?? "", "birthday": form["birthday"] ?? "",
            "friend": form["friend"] ?? "", "personalData": form["personalData"] == "on", "marketing": form["marketing"] == "on",
        ]) { a, _ in a }
        var errors: [String: String] = [:]
        let birthday = (form["birthday"] ?? "").trimmingCharacters(in: .whitespaces)
        if !birthday.isEmpty, !Self.isPastDate(birthday, now: visit.now) { errors["birthdayError"] = visit.t("join.birthdayInvalid") }
        if form["personalData"] != "on" { errors["personalDataError"] = visit.t("join.consentNeeded") }
        let friend = (form["friend"] ?? "").trimmingCharacters(in: .whitespaces)
        let referrer = friend.isEmpty ? nil : Self.customerKey(friend)
        if !friend.isEmpty, referrer == nil { errors["friendError"] = visit.t("join.friendUnknown") }
        let code = (form["code"] ?? "").filter(\.isNumber)
        if code.count != 6 { errors["codeError"] = visit.t("cabinet.codeWrong") }
        guard errors.isEmpty else { return render("join", visit, status: .unprocessableContent, values.merging(errors) { _, b in b }) }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespaces)
        let customer = NewCustomer(
            phone: phone, name: name.isEmpty ? nil : String(name.prefix(100)), email: nil, birthday: birthday.isEmpty ? nil : birthday,
            personalDataConsent: true, marketingConsent: form["marketing"] == "on", referrer: referrer)
        let outcome: JoinOutcome
        do {
            outcome = try await store.join(merchantId: merchantId, customer, code: code, now: visit.now)
        } catch KopilkaError.validation(let fields) where fields.contains(where: { $0.field == "referrer" }) {
            values["friendError"] = visit.t("join.friendUnknown")
            return render("join", visit, status: .unprocessableContent, values)
        } catch KopilkaError.customerExists {
            return Self.redirect("/cabinet/\(merchantId)/sign-in")
        } catch KopilkaError.planLimit {
            return render("error", visit, status: .conflict, ["message": visit.t("join.full")])
        }
        guard case .joined(let customerId) = outcome else {
            values["codeError"] = visit.t("cabinet.codeWrong")
            return render("join", visit, status: .unprocessableContent, values)
        }
        let (token, hash) = Self.newToken()
        try await store.openSession(
            merchantId: merchantId, staffId: nil, customerId: customerId, tokenHash: hash, csrf: Self.newToken().token,
            expiresAt: visit.now + 30 * 86_400, now: visit.now)
        var response = Self.redirect("/cabinet/\(merchantId)?joined=1")
        visit.setCookie(Visit.cabinetCookie, token, maxAge: 30 * 86_400, on: &response)
        return response
    }

    /// `GET /console/join` and `/console/join/poster`: the QR code of the join page, to download or print on an A6 poster.
    func joinPoster(
        _ visit: Visit, _ session: WebSession, print: Bool, values: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let (_, frame) = try await joinFrame(visit, merchant: String(session.merchantId)) else { return noShop(visit) }
        let url = visit.origin + "/join/\(session.merchantId)"
        let qr = QRCode(url).map { $0.svg(label: visit.t("join.qrLabel")) } ?? ""
        var context = frame.merging(["url": url, "qr": qr]) { a, _ in a }
        if let saved = visit.query["logo"], ["saved", "removed"].contains(saved) { context["logoNotice"] = visit.t("join.logo.\(saved)") }
        context.merge(values) { _, new in new }
        return render(print ? "join-poster" : "join-qr", visit, status: status, context)
    }

    /// `GET /console/join/qr.svg|png`: the code alone, to put on the shop's own materials.
    func joinQR(_ visit: Visit, _ session: WebSession, png: Bool) async throws -> Response {
        guard let code = QRCode(visit.origin + "/join/\(session.merchantId)") else { return Self.plain(.internalServerError, "The address is too long.") }
        let bytes = png ? code.png(scale: 16) : Array(code.svg(label: visit.t("join.qrLabel")).utf8)
        return Response(
            status: .ok,
            headers: [
                .contentType: png ? "image/png" : "image/svg+xml", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"join-qr.\(png ? "png" : "svg")\"",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The merchant of a join page's path with what its pages show: the shop's name and what joining gives.
    private func joinFrame(_ visit: Visit, merchant: String?) async throws -> (Int64, [String: Any])? {
        guard let merchantId = merchant.flatMap(parseID), let shop = try await store.merchant(merchantId) else { return nil }
        let rules = try await store.program(merchantId: merchantId).rules
        let f = visit.format
        var frame: [String: Any] = ["merchantId": String(merchantId), "shop": shop.name, "home": "/join/\(merchantId)"]
        if let logo = try await logoURL(merchantId) { frame["logo"] = logo }
        if rules.welcomeBonusPoints > 0 { frame["welcome"] = f.pointsCounted(rules.welcomeBonusPoints) }
        if let referral = rules.referral, referral.friendPoints > 0 { frame["friendPoints"] = f.pointsCounted(referral.friendPoints) }
        // A program that issues cards after a purchase registers at the till only.
        if rules.cardFromPurchaseKopecks > 0 { frame["atTillOnly"] = f.money(rules.cardFromPurchaseKopecks) }
        return (merchantId, frame)
    }

    private func noShop(_ visit: Visit) -> Response {
        render("error", visit, status: .notFound, ["message": visit.t("cabinet.noShop")])
    }

    /// A real past date as `YYYY-MM-DD` (what a date input sends), from 1900 on.
    static func isPastDate(_ text: String, now: UnixSeconds) -> Bool {
        guard let date = LocalDate(text), text >= "1900-01-01" else { return false }
        return date.day * 86_400 < now
    }
}
