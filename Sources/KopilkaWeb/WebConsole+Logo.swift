import Foundation
import HTTPTypes
import Hummingbird
import KopilkaCore
import KopilkaStore

/// The shop's logo: uploaded by the owner on the join QR page, served to the join page, the poster, the cabinet and the
/// slip at `/join/{merchant}/logo`.
extension WebConsole {
    func addLogoRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/join/:merchant/logo") { request, context in
            await self.page(request) { try await self.logoImage($0, merchant: context.parameters.get("merchant")) }
        }
        router.post("/console/join/logo") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.uploadLogo($0, $1) } }
    }

    /// `GET /join/{merchant}/logo`: the image; pages ask for it with its upload time, so it may be cached for long.
    func logoImage(_ visit: Visit, merchant: String?) async throws -> Response {
        guard let merchantId = merchant.flatMap(parseID), let logo = try await store.logo(merchantId: merchantId) else {
            return Self.plain(.notFound, "No logo.")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: logo.contentType, .cacheControl: "public, max-age=86400",
                // What the browser says the type is never decides how it is read.
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: logo.image)))
    }

    /// `POST /console/join/logo` (a form with a file): `action=upload` takes a PNG, JPEG or WebP up to 256 KB;
    /// `action=remove` takes the logo away.
    func uploadLogo(_ visit: Visit, _ session: WebSession) async throws -> Response {
        guard let staffId = session.staff.flatMap({ parseID($0.id) }) else { return Self.redirect("/console/join") }
        if visit.form["action"] == "remove" {
            try await store.setLogo(merchantId: session.merchantId, nil, actor: .staff(staffId), now: visit.now)
            return Self.redirect("/console/join?logo=removed")
        }
        guard let image = visit.files["logo"] else {
            return try await joinPoster(visit, session, print: false, values: ["logoError": visit.t("join.logoMissing")], status: .unprocessableContent)
        }
        guard image.count <= MerchantLogo.largest, let type = MerchantLogo.contentType(of: image) else {
            return try await joinPoster(visit, session, print: false, values: ["logoError": visit.t("join.logoInvalid")], status: .unprocessableContent)
        }
        try await store.setLogo(
            merchantId: session.merchantId, MerchantLogo(contentType: type, image: image, updatedAt: visit.now), actor: .staff(staffId), now: visit.now)
        return Self.redirect("/console/join?logo=saved")
    }

    /// The logo's address for pages (nil without one): with its upload time, so a new logo is never an old cached one.
    func logoURL(_ merchantId: Int64) async throws -> String? {
        try await store.logo(merchantId: merchantId).map { "/join/\(merchantId)/logo?v=\($0.updatedAt)" }
    }
}
