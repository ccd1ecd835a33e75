import Foundation
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore

/// The customer's cabinet at `/cabinet/{merchant}`: sign in by phone with a one-time code sent by SMS, then the balance,
/// pending points and when they activate, points about to expire, level, history, the card as a barcode, consents,
/// the data export and erasure.
extension WebConsole {
    func addCabinetRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/cabinet/:merchant") { request, context in
            await self.page(request) { try await self.cabinetHome($0, merchant: context.parameters.get("merchant")) }
        }
        router.get("/cabinet/:merchant/sign-in") { request, context in
            await self.page(request) { try await self.cabinetSignIn($0, merchant: context.parameters.get("merchant")) }
        }
        router.post("/cabinet/:merchant/code") { request, context in
            await self.page(request) { try await self.cabinetSendCode($0, merchant: context.parameters.get("merchant")) }
        }
        router.post("/cabinet/:merchant/sign-in") { request, context in
            await self.page(request) { try await self.cabinetCheckCode($0, merchant: context.parameters.get("merchant")) }
        }
        router.post("/cabinet/:merchant/sign-out") { request, context in
            await self.page(request) { try await self.cabinetAction($0, merchant: context.parameters.get("merchant"), action: .signOut) }
        }
        router.post("/cabinet/:merchant/consent") { request, context in
            await self.page(request) { try await self.cabinetAction($0, merchant: context.parameters.get("merchant"), action: .consent) }
        }
        router.post("/cabinet/:merchant/erase") { request, context in
            await self.page(request) { try await self.cabinetAction($0, merchant: context.parameters.get("merchant"), action: .erase) }
        }
        router.get("/cabinet/:merchant/export") { request, context in
            await self.page(request) { try await self.cabinetExport($0, merchant: context.parameters.get("merchant")) }
        }
    }

    /// `GET /cabinet/{merchant}`
    func cabinetHome(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let merchantId = try await knownMerchant(merchant) else { return render("error", visit, status: .notFound, ["message": visit.t("cabinet.noShop")]) }
        guard let session = visit.cabinet, session.merchantId == merchantId, let customerId = session.customerId,
            let profile = try await store.customerProfile(merchantId: merchantId, customerId: customerId, now: visit.now), profile.erasedAt == nil,
            let summary = try await store.customer(merchantId: merchantId, .id(customerId), now: visit.now)
        else { return Self.redirect("/cabinet/\(merchantId)/sign-in") }
        let f = visit.format
        let zone = try await merchantZone(merchantId)
        let lots = try await store.openLots(merchantId: merchantId, customerId: customerId)
        let soon = lots.filter { ($0.expiresAt?.seconds ?? .max) <= visit.now + 30 * 86_400 && $0.activatesAt.seconds <= visit.now }
        let pending = lots.filter { $0.activatesAt.seconds > visit.now }
        let ledger = try await store.ledger(merchantId: merchantId, customerId: customerId, before: nil, limit: 30)
        let rules = try await store.program(merchantId: merchantId).rules
        var values: [String: Any] = [
            "card": profile.card, "barcode": Barcode.svg(profile.card, label: visit.t("cabinet.card") + " " + profile.card),
            // The same number as a QR code: a phone's camera at the web cashier reads it more easily than bars.
            "cardQR": QRCode(profile.card).map { $0.svg(label: visit.t("cabinet.cardQR") + " " + profile.card) } ?? "",
            "name": profile.name ?? "", "spendable": f.points(profile.balance.spendable), "pending": f.points(profile.balance.pending),
            "pendingLots": pending.map { ["points": f.points($0.remaining), "date": f.date($0.activatesAt, zone)] },
            "expiring": soon.map { ["points": f.points($0.remaining), "date": $0.expiresAt.map { f.date($0, zone) } ?? ""] },
            "hasPending": !pending.isEmpty, "hasExpiring": !soon.isEmpty,
            "history": (ledger?.entries ?? []).map {
                ["at": f.time($0.createdAt, zone), "kind": Self.label($0, rules: rules, visit), "amount": f.points($0.amount), "positive": $0.amount > 0]
            },
            "marketing": profile.consents.marketing, "personalDataAt": profile.consents.personalDataAt.map { f.date($0, zone) } ?? "—",
            "consentChanged": visit.query["consent"] == "1", "stampCards": summary.stamps.map { f.stampCard($0, zone) },
            "joined": visit.query["joined"] == "1", "shop": try await store.merchant(merchantId)?.name ?? "", "logo": try await logoURL(merchantId) ?? false,
        ]
        if let tier = summary.tier, let levels = rules.tiers { values["tier"] = f.tier(tier, levels: levels) }
        if let referral = rules.referral {
            let standing = try await store.referralSummary(merchantId: merchantId, customerId: customerId)
            values["referral"] = [
                "friends": String(standing.friends), "paid": f.points(standing.paidPoints), "pending": f.points(standing.pendingPoints),
                "referrerPoints": referral.referrerPoints > 0 ? f.points(referral.referrerPoints) : nil,
                "friendPoints": referral.friendPoints > 0 ? f.points(referral.friendPoints) : nil,
            ].compactMapValues { $0 }
        }
        return render("cabinet", visit, values.merging(cabinetFrame(merchantId, visit)) { a, _ in a })
    }

    /// `GET /cabinet/{merchant}/sign-in`: the phone.
    func cabinetSignIn(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let merchantId = try await knownMerchant(merchant) else { return render("error", visit, status: .notFound, ["message": visit.t("cabinet.noShop")]) }
        return render("cabinet-sign-in", visit, cabinetFrame(merchantId, visit).merging(["askPhone": true, "erased": visit.query["erased"] == "1"]) { a, _ in a })
    }

    /// `POST /cabinet/{merchant}/code`: sends a code to the phone, if it is a member's (the answer is the same either way,
    /// so the form does not tell who is a member).
    func cabinetSendCode(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let merchantId = try await knownMerchant(merchant) else { return render("error", visit, status: .notFound, ["message": visit.t("cabinet.noShop")]) }
        var frame = cabinetFrame(merchantId, visit)
        guard visit.signInTokenMatches else { return render("error", visit, status: .forbidden, ["message": visit.t("error.csrf")]) }
        guard let phone = Phone.normalize(visit.form["phone"] ?? "") else {
            frame["askPhone"] = true
            frame["phoneError"] = visit.t("cabinet.phoneInvalid")
            frame["phone"] = visit.form["phone"] ?? ""
            return render("cabinet-sign-in", visit, status: .unprocessableContent, frame)
        }
        guard let sendSMS else { return render("error", visit, status: .serviceUnavailable, ["message": visit.t("cabinet.noSMS")]) }
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        do {
            if try await store.issueLoginCode(merchantId: merchantId, phone: phone, code: code, now: visit.now) != nil {
                try await sendSMS(phone, visit.t("cabinet.smsText").replacingOccurrences(of: "{code}", with: code))
            }
        } catch KopilkaError.tooManyCodes {
            frame["askPhone"] = true
            frame["phoneError"] = visit.t("cabinet.tooMany")
            return render("cabinet-sign-in", visit, status: .tooManyRequests, frame)
        }
        frame["phone"] = phone
        frame["maskedPhone"] = Phone.masked(phone)
        return render("cabinet-sign-in", visit, frame)
    }

    /// `POST /cabinet/{merchant}/sign-in`: the code.
    func cabinetCheckCode(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let merchantId = try await knownMerchant(merchant) else { return render("error", visit, status: .notFound, ["message": visit.t("cabinet.noShop")]) }
        guard visit.signInTokenMatches else { return render("error", visit, status: .forbidden, ["message": visit.t("error.csrf")]) }
        let phone = Phone.normalize(visit.form["phone"] ?? "") ?? ""
        let code = (visit.form["code"] ?? "").filter(\.isNumber)
        if code.count == 6, let customerId = try await store.useLoginCode(merchantId: merchantId, phone: phone, code: code, now: visit.now) {
            let (token, hash) = Self.newToken()
            try await store.openSession(
                merchantId: merchantId, staffId: nil, customerId: customerId, tokenHash: hash, csrf: Self.newToken().token,
                expiresAt: visit.now + 30 * 86_400, now: visit.now)
            var response = Self.redirect("/cabinet/\(merchantId)")
            visit.setCookie(Visit.cabinetCookie, token, maxAge: 30 * 86_400, on: &response)
            return response
        }
        var frame = cabinetFrame(merchantId, visit)
        frame["phone"] = phone
        frame["maskedPhone"] = Phone.masked(phone)
        frame["codeError"] = visit.t("cabinet.codeWrong")
        return render("cabinet-sign-in", visit, status: .unprocessableContent, frame)
    }

    enum CabinetAction { case signOut, consent, erase }

    /// The cabinet's forms: sign out, marketing consent, erasure (each needs the session's CSRF token).
    func cabinetAction(_ visit: Visit, merchant: String?, action: CabinetAction) async throws -> Response {
        guard let merchantId = try await knownMerchant(merchant), let session = visit.cabinet, session.merchantId == merchantId,
            let customerId = session.customerId
        else { return Self.redirect("/cabinet/\(merchant ?? "")/sign-in") }
        guard let sent = visit.form["csrf"], constantTimeEqual(sent, session.csrf) else {
            return render("error", visit, status: .forbidden, ["message": visit.t("error.csrf")])
        }
        switch action {
        case .signOut:
            break
        case .consent:
            try await store.setMarketingConsent(
                merchantId: merchantId, customerId: customerId, consent: visit.form["marketing"] == "on", now: visit.now, actor: .customer(customerId))
            return Self.redirect("/cabinet/\(merchantId)?consent=1")
        case .erase:
            guard visit.form["confirm"] == "on" else { return Self.redirect("/cabinet/\(merchantId)#erase") }
            _ = try await store.eraseCustomer(merchantId: merchantId, customerId: customerId, now: visit.now, actor: .customer(customerId))
        }
        if let token = visit.cabinetToken { try await store.closeSession(tokenHash: Self.tokenHash(token)) }
        var response = Self.redirect("/cabinet/\(merchantId)/sign-in" + (action == .erase ? "?erased=1" : ""))
        visit.setCookie(Visit.cabinetCookie, "", maxAge: 0, on: &response)
        return response
    }

    /// `GET /cabinet/{merchant}/export`: everything held about the customer, as JSON (audited).
    func cabinetExport(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let merchantId = try await knownMerchant(merchant), let session = visit.cabinet, session.merchantId == merchantId,
            let customerId = session.customerId,
            let export = try await store.exportCustomer(merchantId: merchantId, customerId: customerId, now: visit.now, actor: .customer(customerId))
        else { return Self.redirect("/cabinet/\(merchant ?? "")/sign-in") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok,
            headers: [.contentType: "application/json; charset=utf-8", .contentDisposition: "attachment; filename=\"my-data.json\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(export))))
    }

    /// The merchant of a cabinet's path, when it exists.
    private func knownMerchant(_ text: String?) async throws -> Int64? {
        guard let id = text.flatMap(parseID), try await store.merchant(id) != nil else { return nil }
        return id
    }

    /// What every cabinet page shows: the shop's name, where home is, and the sign-out form when signed in.
    private func cabinetFrame(_ merchantId: Int64, _ visit: Visit) -> [String: Any] {
        var frame: [String: Any] = ["home": "/cabinet/\(merchantId)", "merchantId": String(merchantId)]
        if let session = visit.cabinet, session.merchantId == merchantId { frame["cabinet"] = ["csrf": session.csrf] }
        return frame
    }
}
