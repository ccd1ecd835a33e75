import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KopilkaCore
import KopilkaServer
import KopilkaStore
import Logging
import Synchronization
import KopilkaTesting
import Testing

/// A fresh database (SQLite or PostgreSQL) behind the real application, driven in-process; two merchants for isolation tests.
struct APIFixture {
    let store: SQLStore
    let adminKey: String
    let merchantId: Int64
    let logs: LogRecorder
    let temporary: TemporaryFolder
    static let t0: UnixSeconds = 1_767_225_600

    init(_ database: TestDatabase, rules: ProgramRules = ProgramRules()) async throws {
        temporary = try TemporaryFolder("kopilka-api")
        store = try await database.open(in: temporary)
        let (merchant, key) = try await store.createMerchant(name: "Кофейня", now: Self.t0)
        merchantId = parseID(merchant.id)!
        _ = try await store.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: Self.t0)
        adminKey = key.secret
        logs = LogRecorder()
    }

    /// Runs `body` against the application with a pinned clock (rate limits off unless `configure` sets them: the
    /// clock does not move, so buckets would never refill).
    func run(
        now: UnixSeconds = t0, setup: TestingSetup = .router, configure: (inout ServerConfiguration) -> Void = { _ in },
        _ body: @Sendable @escaping (Client) async throws -> Void
    ) async throws {
        var configuration = ServerConfiguration()
        configuration.maintenanceIntervalSeconds = 0
        configuration.maxBodyBytes = 64 * 1024
        configuration.keyRequestsPerSecond = 0
        configuration.ipRequestsPerSecond = 0
        configure(&configuration)
        let recorder = logs
        var logger = Logger(label: "kopilka-test") { _ in recorder }
        logger.logLevel = .trace
        let app = buildApplication(store: store, configuration: configuration, logger: logger, clock: { now })
        try await app.test(setup) { client in try await body(Client(client: client)) }
    }

    /// A thin JSON client over the test client.
    struct Client: Sendable {
        let client: any TestClientProtocol

        struct Reply: Sendable {
            let status: Int
            let headers: HTTPFields
            let body: ByteBuffer

            var json: [String: Any] {
                (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
            }
            var text: String { String(buffer: body) }
            func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(T.self, from: Data(buffer: body)) }
        }

        func call(
            _ method: HTTPRequest.Method, _ path: String, key: String?, json: String? = nil, idempotencyKey: String? = nil,
            contentType: String? = "application/json", ifMatch: String? = nil, acceptLanguage: String? = nil, headers more: HTTPFields = [:]
        ) async throws -> Reply {
            var headers = more
            if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
            if let ifMatch { headers[.ifMatch] = "\"\(ifMatch)\"" }
            if let key { headers[.authorization] = "Bearer \(key)" }
            if let idempotencyKey { headers[HTTPField.Name("Idempotency-Key")!] = idempotencyKey }
            if json != nil, let contentType { headers[.contentType] = contentType }
            let response = try await client.execute(uri: path, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
            return Reply(status: Int(response.status.code), headers: response.headers, body: response.body)
        }

        func get(_ path: String, key: String?) async throws -> Reply { try await call(.get, path, key: key) }

        func post(_ path: String, key: String?, _ json: String, idempotencyKey: String? = UUID().uuidString) async throws -> Reply {
            try await call(.post, path, key: key, json: json, idempotencyKey: idempotencyKey)
        }
    }

    /// Creates a store and a register through the admin API; returns the store id and the register key.
    func till(_ client: Client, admin: String? = nil) async throws -> (storeId: String, key: String) {
        let shop = try await client.post("/v1/stores", key: admin ?? adminKey, #"{"name": "Тверская", "timeZone": "Europe/Moscow"}"#)
        #expect(shop.status == 201)
        let storeId = shop.json["id"] as! String
        let register = try await client.post("/v1/stores/\(storeId)/registers", key: admin ?? adminKey, #"{"name": "Касса 1"}"#)
        #expect(register.status == 201)
        let key = (register.json["key"] as! [String: Any])["secret"] as! String
        return (storeId, key)
    }

    /// Registers a customer; returns the id.
    func customer(_ client: Client, key: String, phone: String = "8 (912) 345-67-89") async throws -> String {
        let reply = try await client.post("/v1/customers", key: key, #"{"phone": "\#(phone)", "name": "Анна Петрова", "consents": {"personalData": true}}"#)
        #expect(reply.status == 201, "\(reply.text)")
        return (reply.json["customer"] as! [String: Any])["id"] as! String
    }
}

/// Collects every log line the application writes, to prove no personal data reaches them.
final class LogRecorder: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:])") }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
}
