import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWeb
import Logging
import ServiceLifecycle

/// The server's settings; each has a default that works with no setup.
public struct ServerConfiguration: Sendable {
    /// Address to listen on (default `127.0.0.1`).
    public var host = "127.0.0.1"
    /// Port to listen on (default 8080).
    public var port = 8080
    /// Largest request body accepted, in bytes (default 1 MiB); larger bodies get 413.
    public var maxBodyBytes = 1 << 20
    /// Seconds between maintenance runs (expiry, activation, hold release); 0 disables the background run.
    public var maintenanceIntervalSeconds = 60
    /// How long an API key lookup is cached, in seconds (bounds staleness across processes). Programs are cached by
    /// version and checked on every request.
    public var cacheSeconds: Int64 = 5
    /// Requests a second one API key may make, with bursts of twice as many; 0: unlimited. The default is far above
    /// what a till needs and stops a runaway integration.
    public var keyRequestsPerSecond = 500
    /// Requests a second one IP address may make without a valid key (wrong keys, `/health`, …), bursts of five times
    /// as many; 0: unlimited. Slows down guessing keys.
    public var ipRequestsPerSecond = 20
    /// The proxies (nginx, a load balancer) whose `Forwarded` / `X-Forwarded-For` headers name the client, for per-IP
    /// limits; none by default, so a client cannot choose its own address.
    public var trustedProxies = TrustedProxies()
    /// Sends spending confirmation codes and expiry reminders to customers' phones; nil: none configured (code
    /// requests get 503, no reminders are sent).
    public var smsGateway: (any SMSGateway)?
    /// Whether the web console's cookies are `Secure` (HTTPS only; browsers keep them on http://localhost and 127.0.0.1
    /// too). Off only behind a plain-HTTP address that is not loopback, which is not a setup for real use.
    public var secureCookies = true
    #if KOPILKA_FAULTS
    /// Broken behaviours of the server switched on for a reliability suite's own test (none by default; debug builds only).
    public var unsafeVariants: UnsafeVariants = []
    #endif

    public init() {}
}

/// Builds the application: the composition root used by `kopilka serve` and by the tests.
public func buildApplication(
    store: any LoyaltyStore, configuration: ServerConfiguration = .init(), logger: Logger = Logger(label: "kopilka"),
    clock: @escaping @Sendable () -> UnixSeconds = { Int64(Date().timeIntervalSince1970) }
) -> some ApplicationProtocol {
    let metrics = Metrics()
    #if KOPILKA_FAULTS
    let unsafe = configuration.unsafeVariants
    #else
    let unsafe: UnsafeVariants = []
    #endif
    let api = KopilkaAPI(
        store: store, auth: Authenticator(store: store, ttlSeconds: configuration.cacheSeconds, clock: clock),
        clock: clock,
        maxBodyBytes: unsafe.contains(.bodyWithoutLimit) ? Int.max : configuration.maxBodyBytes, metrics: metrics,
        sms: configuration.smsGateway)
    let router = Router(context: KopilkaRequestContext.self)
    router.add(middleware: ProblemMiddleware(logger: logger, metrics: metrics, logsQueries: unsafe.contains(.logsQueries)))
    if configuration.keyRequestsPerSecond > 0 || configuration.ipRequestsPerSecond > 0 {
        router.add(middleware: RateLimitMiddleware(
            perKey: configuration.keyRequestsPerSecond > 0
                ? TokenBuckets(perSecond: configuration.keyRequestsPerSecond, burst: 2 * configuration.keyRequestsPerSecond, clock: clock) : nil,
            perIP: configuration.ipRequestsPerSecond > 0
                ? TokenBuckets(perSecond: configuration.ipRequestsPerSecond, burst: 5 * configuration.ipRequestsPerSecond, clock: clock) : nil,
            auth: api.auth, proxies: configuration.trustedProxies, afterTheWork: unsafe.contains(.rateLimitAfterTheWork)))
    }
    api.addRoutes(to: router)
    do {
        var sendSMS: (@Sendable (String, String) async throws -> Void)?
        if let gateway = configuration.smsGateway {
            sendSMS = { phone, text in try await gateway.send(to: phone, text: text) }
        }
        try WebConsole(store: store, clock: clock, secureCookies: configuration.secureCookies, logger: logger, sendSMS: sendSMS)
            .addRoutes(to: router)
    } catch {
        // The templates ship inside the binary's bundle: a parse error is a build defect, caught by the browser tests.
        logger.error("web console disabled: its templates do not parse", metadata: ["error": "\(error)"])
    }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.render(store: store))))
    }
    var services: [any Service] = []
    if configuration.maintenanceIntervalSeconds > 0 {
        services.append(MaintenanceService(
            store: store, intervalSeconds: configuration.maintenanceIntervalSeconds, clock: clock, logger: logger, metrics: metrics,
            reminders: configuration.smsGateway.map { ExpiryReminderSender(store: store, gateway: $0) }))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kopilka"),
        services: services, logger: logger)
}

extension KopilkaAPI {
    typealias Handler = @Sendable (KopilkaAPI) -> (Request, Context) async throws -> Response

    /// Every route under `/v1`: method, path (`:id` for a path id) and handler. Tests check the OpenAPI document
    /// against this table.
    static let routes: [(method: HTTPRequest.Method, path: String, handler: Handler)] = [
        (.get, "merchant", { $0.merchant }),
        (.put, "merchant/language", { $0.setMerchantLanguage }),
        (.get, "program", { $0.program }),
        (.put, "program", { $0.updateProgram }),
        (.get, "program/versions/:version", { $0.programVersion }),
        (.get, "stores", { $0.stores }),
        (.post, "stores", { $0.createStore }),
        (.get, "stores/:id/registers", { $0.registers }),
        (.post, "stores/:id/registers", { $0.createRegister }),
        (.get, "keys", { $0.keys }),
        (.post, "keys", { $0.createKey }),
        (.post, "keys/:id/revoke", { $0.revokeKey }),
        (.get, "audit", { $0.auditLog }),
        (.get, "customers/lookup", { $0.lookup }),
        (.post, "customers", { $0.registerCustomer }),
        (.get, "customers/:id", { $0.customerProfile }),
        (.get, "customers/:id/ledger", { $0.ledger }),
        (.put, "customers/:id/groups", { $0.setCustomerGroups }),
        (.get, "customers/:id/export", { $0.exportCustomer }),
        (.post, "customers/:id/erasure", { $0.eraseCustomer }),
        (.post, "customers/:id/spend-codes", { $0.issueSpendCode }),
        (.post, "customers/:id/adjustments", { $0.adjustPoints }),
        (.post, "customers/:id/actions", { $0.recordAction }),
        (.get, "fraud-flags", { $0.fraudFlags }),
        (.get, "analytics/dashboard", { $0.dashboard }),
        (.post, "code-batches", { $0.createCodeBatch }),
        (.get, "code-batches", { $0.codeBatches }),
        (.get, "code-batches/:id/codes", { $0.batchCodes }),
        (.post, "receipts/calculate", { $0.calculate }),
        (.post, "receipts/batch", { $0.batch }),
        (.post, "receipts", { $0.commitReceipt }),
        (.get, "receipts/:id", { $0.receipt }),
        (.post, "receipts/:id/returns", { $0.returnLines }),
        (.post, "orders", { $0.placeOrder }),
        (.get, "orders/:id", { $0.order }),
        (.post, "orders/:id/confirm", { $0.confirmOrder }),
        (.post, "orders/:id/cancel", { $0.cancelOrder }),
    ]

    /// The methods served at `path` (for 405 answers); empty when no route has that path.
    static func methods(allowedAt path: String) -> [String] {
        let fixed = ["/health": "GET", "/ready": "GET", "/openapi.yaml": "GET", "/metrics": "GET"]
        if let method = fixed[path] { return [method] }
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        return routes.filter { route in
            let pattern = ("v1/" + route.path).split(separator: "/")
            return pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }.map(\.method.rawValue)
    }

    func addRoutes(to router: Router<Context>) {
        // The process answers (for a restart); `/ready` also asks the database (for a balancer's rotation).
        router.get("/health") { _, _ in
            JSONBody.response(.ok, ["status": "ok"])
        }
        router.get("/ready") { _, _ in
            do {
                try await self.store.checkReady()
                return JSONBody.response(.ok, ["status": "ready"])
            } catch {
                throw Problem(.serviceUnavailable, code: "not_ready", detail: "the database does not answer")
            }
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.yaml)))
        }
        for route in Self.routes {
            let handler = route.handler
            router.on(RouterPath("/v1/\(route.path)"), method: route.method) { request, context in
                try await handler(self)(request, context)
            }
        }
    }
}

/// The routes as `(METHOD, /v1/path/{id})`, in OpenAPI's spelling (for tests and tools).
public let kopilkaRouteTable: [(method: String, path: String)] = KopilkaAPI.routes.map {
    ($0.method.rawValue, "/v1/" + $0.path.replacingOccurrences(of: ":id", with: "{id}").replacingOccurrences(of: ":version", with: "{version}"))
}

/// The OpenAPI document, shipped as a resource.
enum OpenAPIDocument {
    static let yaml: [UInt8] = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"), let data = try? Data(contentsOf: url) else {
            return Array("openapi: 3.1.0\n".utf8)
        }
        return Array(data)
    }()
}
