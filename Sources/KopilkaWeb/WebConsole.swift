import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore
import Logging
import Synchronization

/// The merchant's web console (sign-in, dashboard, program, customers, the web cashier) under `/console`, and the
/// customers' cabinet under `/cabinet/{merchant}`: server-rendered pages, Russian by default (`?lang=en` switches and
/// is remembered in a cookie). Pages work without JavaScript; every form carries a CSRF token.
public struct WebConsole: Sendable {
    let store: any LoyaltyStore
    let clock: @Sendable () -> UnixSeconds
    let pages: Pages
    /// How long a sign-in lasts.
    let sessionSeconds: Int64 = 12 * 3600
    /// Whether cookies are marked `Secure` (sent over HTTPS only; browsers also keep them on http://localhost).
    let secureCookies: Bool
    let logger: Logger
    /// Failed sign-ins by email: each guess costs a tenth of a second of scrypt, so guessing is slowed per account.
    let signInFailures = SignInThrottle()
    /// Sends a text to a phone (E.164): the cabinet's sign-in codes; nil when no SMS provider is configured.
    let sendSMS: (@Sendable (String, String) async throws -> Void)?

    /// The console over `store`; fails only if a template in the bundle does not parse.
    public init(
        store: any LoyaltyStore, clock: @escaping @Sendable () -> UnixSeconds, secureCookies: Bool = true, logger: Logger = Logger(label: "kopilka.web"),
        sendSMS: (@Sendable (String, String) async throws -> Void)? = nil
    ) throws {
        self.store = store
        self.clock = clock
        self.pages = try Pages()
        self.secureCookies = secureCookies
        self.logger = logger
        self.sendSMS = sendSMS
    }

    /// Adds the console's routes (and its CSS and script under `/static`).
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { _, _ in Self.redirect("/console") }
        router.get("/console") { request, _ in await self.page(request) { visit in
            guard let staff = visit.session?.staff else { return Self.redirect("/console/sign-in") }
            return Self.redirect(staff.role == .cashier ? "/console/cashier" : "/console/dashboard")
        } }
        router.get("/console/sign-in") { request, _ in await self.page(request) { try await self.signInForm($0) } }
        router.post("/console/sign-in") { request, _ in await self.page(request) { try await self.signIn($0) } }
        router.post("/console/sign-out") { request, _ in await self.page(request, roles: StaffRole.allCases) { visit, _ in try await self.signOut(visit) } }
        router.get("/console/dashboard") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.dashboard($0, $1) } }
        router.get("/console/dashboard.csv") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.dashboardCSV($0, $1) } }
        router.get("/console/program") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.programForm($0, $1) } }
        router.post("/console/program") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.saveProgram($0, $1) } }
        router.post("/console/program/restore") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.restoreProgram($0, $1) } }
        router.get("/console/program/levels") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.levelsForm($0, $1) } }
        router.post("/console/program/levels") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.saveLevels($0, $1) } }
        router.get("/console/program/promotions") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.promotions($0, $1) } }
        router.post("/console/program/promotions") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.savePromotion($0, $1) } }
        router.post("/console/program/promotions/:id/switch") { request, context in
            await self.page(request, roles: [.owner, .marketer]) { try await self.switchPromotion($0, $1, id: context.parameters.get("id")) }
        }
        router.post("/console/program/promotions/:id/delete") { request, context in
            await self.page(request, roles: [.owner, .marketer]) { try await self.deletePromotion($0, $1, id: context.parameters.get("id")) }
        }
        router.get("/console/program/stamps") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.stampCards($0, $1) } }
        router.post("/console/program/stamps") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.saveStampCard($0, $1) } }
        router.post("/console/program/stamps/:id/delete") { request, context in
            await self.page(request, roles: [.owner, .marketer]) { try await self.deleteStampCard($0, $1, id: context.parameters.get("id")) }
        }
        router.get("/console/program/catalogue") { request, _ in
            await self.page(request, roles: [.owner, .marketer]) { try await self.cataloguePage($0, $1) }
        }
        router.post("/console/program/catalogue") { request, _ in
            await self.page(request, roles: [.owner, .marketer]) { try await self.editCatalogueItem($0, $1) }
        }
        router.post("/console/program/catalogue/add") { request, _ in
            await self.page(request, roles: [.owner, .marketer]) { try await self.addCatalogueItem($0, $1) }
        }
        router.get("/console/program/rules") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.rulesForm($0, $1) } }
        router.post("/console/program/rules") { request, _ in await self.page(request, roles: [.owner, .marketer]) { try await self.saveRules($0, $1) } }
        router.get("/console/receipts") { request, _ in await self.page(request, roles: StaffRole.allCases) { try await self.journal($0, $1) } }
        router.get("/console/audit") { request, _ in await self.page(request, roles: [.owner]) { try await self.auditPage($0, $1) } }
        router.get("/console/staff") { request, _ in await self.page(request, roles: [.owner]) { try await self.staffPage($0, $1) } }
        router.post("/console/staff") { request, _ in await self.page(request, roles: [.owner]) { try await self.addStaff($0, $1) } }
        router.post("/console/staff/:id") { request, context in
            await self.page(request, roles: [.owner]) { try await self.changeStaff($0, $1, id: context.parameters.get("id")) }
        }
        router.post("/console/cashier/register") { request, _ in
            await self.page(request, roles: StaffRole.allCases) { try await self.registerAtCashier($0, $1) }
        }
        router.get("/console/customers") { request, _ in await self.page(request, roles: StaffRole.allCases) { try await self.customers($0, $1) } }
        router.get("/console/customers/:id") { request, context in
            await self.page(request, roles: StaffRole.allCases) { try await self.customer($0, $1, id: context.parameters.get("id")) }
        }
        router.post("/console/customers/:id/adjust") { request, context in
            await self.page(request, roles: [.owner, .marketer]) { try await self.adjust($0, $1, id: context.parameters.get("id")) }
        }
        router.get("/console/cashier") { request, _ in await self.page(request, roles: StaffRole.allCases) { try await self.cashierForm($0, $1) } }
        router.post("/console/cashier") { request, _ in await self.page(request, roles: StaffRole.allCases) { try await self.cashier($0, $1) } }
        router.post("/console/cashier/scan") { request, _ in await self.page(request, roles: StaffRole.allCases) { try await self.scanCard($0, $1) } }
        router.get("/console/receipts/:id") { request, context in
            await self.page(request, roles: StaffRole.allCases) { try await self.receipt($0, $1, id: context.parameters.get("id")) }
        }
        router.post("/console/receipts/:id/return") { request, context in
            await self.page(request, roles: StaffRole.allCases) { try await self.returnReceipt($0, $1, id: context.parameters.get("id")) }
        }
        router.get("/static/:file") { _, context in Self.asset(context.parameters.get("file") ?? "") }
        addCabinetRoutes(to: router)
        addJoinRoutes(to: router)
    }

    /// Runs a page anyone may open (sign-in, the cabinet), turning a failure into an error page.
    func page(_ request: Request, _ body: (Visit) async throws -> Response) async -> Response {
        await run(request, roles: nil) { visit, _ in try await body(visit) }
    }

    /// Runs a staff page: signed-out visitors go to the sign-in page, other roles get 403, a POST must carry the
    /// session's CSRF token; the handler gets the checked session.
    func page(_ request: Request, roles: [StaffRole], _ body: (Visit, WebSession) async throws -> Response) async -> Response {
        await run(request, roles: roles) { visit, session in
            guard let session else { return Self.redirect("/console/sign-in") }
            return try await body(visit, session)
        }
    }

    private func run(_ request: Request, roles: [StaffRole]?, _ body: (Visit, WebSession?) async throws -> Response) async -> Response {
        var request = request
        do {
            let visit = try await Visit(request: &request, console: self)
            if let roles {
                guard let staff = visit.session?.staff else { return Self.redirect("/console/sign-in?next=" + Visit.percentEncoded(request.uri.path)) }
                guard roles.contains(staff.role) else { return render("error", visit, status: .forbidden, ["message": visit.t("error.forbidden")]) }
                if request.method == .post, !visit.csrfMatches {
                    return render("error", visit, status: .forbidden, ["message": visit.t("error.csrf")])
                }
            }
            var response = try await body(visit, visit.session)
            visit.addCookies(to: &response)
            return response
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return Self.plain(.contentTooLarge, "The form is larger than 64 KiB.")
        } catch KopilkaError.busy {
            return Self.plain(.serviceUnavailable, "Busy: try again in a moment.")
        } catch {
            // A failure of the store: nothing was changed (each use case is one transaction); the type only, no personal data.
            logger.error("page failed", metadata: ["path": "\(request.uri.path)", "error": "\(type(of: error))"])
            return Self.plain(.internalServerError, "Internal error.")
        }
    }

    /// A page from its template inside the layout, with what every page shows (language, staff, navigation).
    func render(_ template: String, _ visit: Visit, status: HTTPResponse.Status = .ok, _ values: [String: Any]) -> Response {
        // An empty message is no message (Mustache would open a section for an empty string).
        var context = values.filter { !($0.key.hasSuffix("Error") && ($0.value as? String)?.isEmpty == true) }
        context["t"] = visit.strings
        context["lang"] = visit.language.rawValue
        context["otherLanguage"] = visit.language.other.rawValue
        context["otherLanguageName"] = visit.language.other.name
        context["path"] = visit.path
        context["csrf"] = visit.session?.csrf ?? visit.signInToken
        if let staff = visit.session?.staff {
            context["staff"] = ["name": staff.name, "role": visit.t("role.\(staff.role.rawValue)")]
            context["canAnalyse"] = staff.role != .cashier
            context["isOwner"] = staff.role == .owner
        }
        context["nav_" + template] = true
        if ["program", "levels", "promotions", "stamps", "rules", "catalogue"].contains(template) { context["nav_programArea"] = true }
        if context["home"] == nil { context["home"] = "/console" }
        let html = pages.render(template, context)
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", HTTPField.Name("Content-Security-Policy")!: Self.policy],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// Scripts and styles only from this server; no inline script; forms post only here.
    static let policy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'"

    /// The merchant's time zone (its first store's), in which pages show times.
    func merchantZone(_ merchantId: Int64) async throws -> TimeZone {
        TimeZone(identifier: try await store.timeZone(merchantId: merchantId)) ?? TimeZone(identifier: "UTC")!
    }

    static func plain(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A file of `Static/` (CSS, script), cached for a day.
    static func asset(_ name: String) -> Response {
        guard let asset = Assets.files[name] else { return Response(status: .notFound) }
        return Response(
            status: .ok, headers: [.contentType: asset.type, .cacheControl: "public, max-age=86400"],
            body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    /// A random URL-safe token and the SHA-256 the database keeps of it.
    static func newToken() -> (token: String, hash: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (token, tokenHash(token))
    }

    static func tokenHash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Data(token.utf8))) }
}

/// Failed sign-ins per email in a 15-minute window: after five, that email is refused until the window ends.
final class SignInThrottle: Sendable {
    static let limit = 5
    static let windowSeconds: Int64 = 900
    private let failures = Mutex<[String: (count: Int, since: Int64)]>([:])

    /// Takes an attempt for `email`, counted as a failure until it succeeds; false when the window's attempts are spent.
    /// Counting before the password is checked keeps parallel guesses to the limit: "may it try?" and "count it" are one
    /// step under the lock, with the slow hashing after it.
    func take(_ email: String, now: Int64) -> Bool {
        failures.withLock { table in
            // Forget old windows as new attempts come, so the table stays small.
            if table.count > 10_000 { table = table.filter { now - $0.value.since < Self.windowSeconds } }
            let key = email.lowercased()
            guard let entry = table[key], now - entry.since < Self.windowSeconds else {
                table[key] = (1, now)
                return true
            }
            guard entry.count < Self.limit else { return false }
            table[key] = (entry.count + 1, entry.since)
            return true
        }
    }

    func succeeded(_ email: String) { _ = failures.withLock { $0.removeValue(forKey: email.lowercased()) } }
}

/// The files under `Static/`, read once.
enum Assets {
    static let files: [String: (type: String, bytes: [UInt8])] = {
        var files: [String: (String, [UInt8])] = [:]
        for (name, type) in [("console.css", "text/css; charset=utf-8"), ("console.js", "text/javascript; charset=utf-8")] {
            let parts = name.split(separator: ".")
            if let url = Bundle.module.url(forResource: String(parts[0]), withExtension: String(parts[1]), subdirectory: "Static"),
                let data = try? Data(contentsOf: url)
            {
                files[name] = (type, Array(data))
            }
        }
        return files
    }()
}
