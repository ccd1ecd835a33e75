import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
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
    /// How long an API key lookup or a program is cached, in seconds (bounds staleness across processes).
    public var cacheSeconds: Int64 = 5

    public init() {}
}

/// Builds the application: the composition root used by `kopilka serve` and by the tests.
public func buildApplication(
    store: any LoyaltyStore, configuration: ServerConfiguration = .init(), logger: Logger = Logger(label: "kopilka"),
    clock: @escaping @Sendable () -> UnixSeconds = { Int64(Date().timeIntervalSince1970) }
) -> some ApplicationProtocol {
    let metrics = Metrics()
    let api = KopilkaAPI(
        store: store, auth: Authenticator(store: store, ttlSeconds: configuration.cacheSeconds, clock: clock),
        programs: ProgramCache(store: store, ttlSeconds: configuration.cacheSeconds), clock: clock,
        maxBodyBytes: configuration.maxBodyBytes, metrics: metrics)
    let router = Router()
    router.add(middleware: ProblemMiddleware(logger: logger, metrics: metrics))
    api.addRoutes(to: router)
    router.get("/metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }
    var services: [any Service] = []
    if configuration.maintenanceIntervalSeconds > 0 {
        services.append(MaintenanceService(
            store: store, intervalSeconds: configuration.maintenanceIntervalSeconds, clock: clock, logger: logger, metrics: metrics))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "kopilka"),
        services: services, logger: logger)
}

extension KopilkaAPI {
    func addRoutes(to router: Router<Context>) {
        router.get("/health") { _, _ in
            JSONBody.response(.ok, ["status": "ok"])
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.yaml)))
        }
        let v1 = router.group("v1")
        v1.get("merchant", use: merchant)
        v1.get("program", use: program)
        v1.put("program", use: updateProgram)
        v1.get("stores", use: stores)
        v1.post("stores", use: createStore)
        v1.get("stores/:id/registers", use: registers)
        v1.post("stores/:id/registers", use: createRegister)
        v1.get("keys", use: keys)
        v1.post("keys", use: createKey)
        v1.post("keys/:id/revoke", use: revokeKey)
        v1.get("customers/lookup", use: lookup)
        v1.post("customers", use: registerCustomer)
        v1.get("customers/:id", use: customerProfile)
        v1.get("customers/:id/ledger", use: ledger)
        v1.post("receipts/calculate", use: calculate)
        v1.post("receipts/batch", use: batch)
        v1.post("receipts", use: commitReceipt)
        v1.get("receipts/:id", use: receipt)
        v1.post("receipts/:id/returns", use: returnLines)
        v1.post("orders", use: placeOrder)
        v1.get("orders/:id", use: order)
        v1.post("orders/:id/confirm", use: confirmOrder)
        v1.post("orders/:id/cancel", use: cancelOrder)
    }
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
