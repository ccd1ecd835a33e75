import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KopilkaCore
import KopilkaDemo
import KopilkaStore
import KopilkaTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// I4 and I5: every points-moving endpoint has exactly one effect per `Idempotency-Key`, however it is replayed —
/// in sequence, all at once, or through a network that loses the answers after the server committed.
@Suite struct IdempotencyTests {
    @Test(arguments: TestDatabase.allCases) func everyPointsMovingEndpointHasOneEffectPerKey(_ database: TestDatabase) async throws {
        let problems = try await Self.replayEveryEndpoint(database, replays: Workload.size(100, long: 1_000))
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The suite bites: a server that runs a repeated key again moves points twice, and the replays say so.
    @Test func replaysCatchAKeyThatRunsAgain() async throws {
        let problems = try await Self.replayEveryEndpoint(.sqlite, replays: 3, unsafe: .replaysExecuteAgain)
        print("idempotency [broken: replays-execute-again]: \(problems.count) problems, e.g. \(problems.prefix(3))")
        #expect(problems.contains { $0.contains("replays moved") }, "\(problems)")
    }

    /// Register, commit, return, order, confirm and cancel, each once and then replayed `replays` times in sequence and
    /// as many at once, then with another body; what went wrong, as sentences (none when the server holds I4 and I5).
    static func replayEveryEndpoint(_ database: TestDatabase, replays: Int, unsafe: UnsafeVariants = []) async throws -> [String] {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 100_00
        let f = try await APIFixture(database, rules: rules)
        let problems = ProblemList()
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let existing = try await f.customer(client, key: till, phone: "+79120000100")
            let sale = #""lines": [{"sku": "A", "quantity": 1000, "price": 100000}]"#
            let receipt = try #require((try await client.post("/v1/receipts", key: till, #"{"customer": {"id": "\#(existing)"}, "externalId": "R-0", \#(sale)}"#)
                .json["receipt"] as? [String: Any])?["id"] as? String)
            let toConfirm = try #require((try await client.post("/v1/orders", key: till, #"{"customer": {"id": "\#(existing)"}, "externalId": "O-1", \#(sale), "redeem": 1000}"#)
                .json["hold"] as? [String: Any])?["id"] as? String)
            let toCancel = try #require((try await client.post("/v1/orders", key: till, #"{"customer": {"id": "\#(existing)"}, "externalId": "O-2", \#(sale), "redeem": 1000}"#)
                .json["hold"] as? [String: Any])?["id"] as? String)
            let writes: [(name: String, path: String, body: String, other: String)] = [
                ("register", "/v1/customers", #"{"phone": "+79120000101", "consents": {"personalData": true}}"#,
                 #"{"phone": "+79120000102", "consents": {"personalData": true}}"#),
                ("commit", "/v1/receipts", #"{"customer": {"id": "\#(existing)"}, "externalId": "R-1", \#(sale), "redeem": 500}"#,
                 #"{"customer": {"id": "\#(existing)"}, "externalId": "R-1", \#(sale), "redeem": 600}"#),
                ("return", "/v1/receipts/\(receipt)/returns", #"{"lines": [{"line": 1, "quantity": 500}]}"#, #"{"lines": [{"line": 1, "quantity": 100}]}"#),
                ("order", "/v1/orders", #"{"customer": {"id": "\#(existing)"}, "externalId": "O-3", \#(sale), "redeem": 1000}"#,
                 #"{"customer": {"id": "\#(existing)"}, "externalId": "O-3", \#(sale), "redeem": 2000}"#),
                ("confirm", "/v1/orders/\(toConfirm)/confirm", "{}", #"{"externalId": "other"}"#),
                ("cancel", "/v1/orders/\(toCancel)/cancel", "{}", #"{"x": 1}"#),
            ]
            f.store.unsafeVariants = unsafe
            for write in writes {
                let before = try await Self.ledgerLength(client, till, existing)
                let key = "idem-\(write.name)"
                let first = try await client.post(write.path, key: till, write.body, idempotencyKey: key)
                problems.check(first.status == 201 || first.status == 200, "\(write.name): \(first.text)")
                let afterFirst = try await Self.ledgerLength(client, till, existing)
                for _ in 0..<replays {
                    let replay = try await client.post(write.path, key: till, write.body, idempotencyKey: key)
                    problems.check(replay.status == first.status && replay.body == first.body, "\(write.name): a replay answered \(replay.status)")
                    problems.check(replay.headers[HTTPField.Name("Idempotency-Replayed")!] == "true", "\(write.name): a replay not marked")
                }
                let together = try await withThrowingTaskGroup(of: (Int, ByteBuffer).self) { group in
                    for _ in 0..<replays { group.addTask { let r = try await client.post(write.path, key: till, write.body, idempotencyKey: key); return (r.status, r.body) } }
                    return try await group.reduce(into: [(Int, ByteBuffer)]()) { $0.append($1) }
                }
                problems.check(together.allSatisfy { ($0.0 == first.status && $0.1 == first.body) || $0.0 == 409 }, "\(write.name): concurrent replays differ")
                let other = try await client.post(write.path, key: till, write.other, idempotencyKey: key)
                problems.check(other.status == 422 && other.json["code"] as? String == "idempotency_key_reused", "\(write.name): another body answered \(other.status)")
                let afterReplays = try await Self.ledgerLength(client, till, existing)
                problems.check(afterReplays == afterFirst, "\(write.name): replays moved points (ledger \(afterFirst) → \(afterReplays))")
                if unsafe.isEmpty { print("idempotency [\(database)] \(write.name): 1 effect, \(2 * replays) replays, ledger \(before) → \(afterFirst)") }
            }
            // The same receipt under a new key is the same business event: refused, no second accrual.
            let again = try await client.post("/v1/receipts", key: till, #"{"customer": {"id": "\#(existing)"}, "externalId": "R-1", \#(sale), "redeem": 500}"#)
            problems.check(again.status == 409 && again.json["code"] as? String == "receipt_already_registered", "the same receipt under a new key: \(again.status)")
        }
        let violations = try await f.store.verify().violations
        problems.check(violations.isEmpty, "verify: \(violations)")
        return problems.all
    }


    static func ledgerLength(_ client: APIFixture.Client, _ key: String, _ customer: String) async throws -> Int {
        (try await client.get("/v1/customers/\(customer)/ledger?limit=500", key: key).json["entries"] as? [Any])?.count ?? -1
    }

    /// A proxy between the tills and a real `kopilka serve` loses a share of the answers after the server has
    /// committed; every till retries with the same key until it hears back. Each operation takes effect exactly once.
    @Test(arguments: TestDatabase.allCases) func answersLostAfterCommitAreRetriedToExactlyOneEffect(_ database: TestDatabase) async throws {
        guard KopilkaProcess.isBuilt() else { return }
        let seed = Workload.seed()
        let operations = Workload.size(300, long: 10_000)
        let temporary = try TemporaryFolder("kopilka-proxy")
        let location = database == .sqlite
            ? temporary.url.appendingPathComponent("proxy.sqlite").path : try TestDatabase.freshPostgresLocation().url
        let created = try KopilkaProcess.run(["merchant", "create", "--name", "Proxy", "--json", "--database", location])
        let admin = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["adminKey"])
        let server = try await KopilkaProcess.serve(database: location, arguments: ["--key-rate-limit", "0"])
        defer { server.kill() }
        let (_, shop) = try await KopilkaProcess.request("POST", "\(server.base)/v1/stores", key: admin, body: #"{"name": "Shop"}"#)
        let storeId = try #require(shop["id"] as? String)
        var customers: [String] = []
        for index in 0..<8 {
            let (_, reply) = try await KopilkaProcess.request(
                "POST", "\(server.base)/v1/customers", key: admin, body: #"{"phone": "+7912000\#(1000 + index)", "consents": {"personalData": true}}"#,
                idempotencyKey: "c-\(index)")
            customers.append(try #require((reply["customer"] as? [String: Any])?["id"] as? String))
        }
        let people = customers
        let proxy = LossyProxy(target: server.base, seed: seed, lossPercent: 30)
        let router = Router()
        router.add(middleware: proxy)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        let plan = (0..<operations).map { index in
            var random = SeededRandom(seed: seed &+ UInt64(index) &* 7919)
            return (customer: Int.random(in: 0..<customers.count, using: &random), price: Int.random(in: 1_00...5_000_00, using: &random))
        }
        let tries = Shared(0)
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for lane in 0..<8 {
                    group.addTask {
                        for index in stride(from: lane, to: operations, by: 8) {
                            let body = """
                                {"storeId": "\(storeId)", "customer": {"id": "\(people[plan[index].customer])"}, "externalId": "P-\(index)",
                                 "lines": [{"sku": "A", "quantity": 1000, "price": \(plan[index].price)}]}
                                """
                            while true {
                                tries.withLock { $0 += 1 }
                                let (status, _) = try await KopilkaProcess.request("POST", "\(base)/v1/receipts", key: admin, body: body, idempotencyKey: "p-\(index)")
                                if status == 201 { break }
                                #expect(status == 502 || status == 409, "operation \(index): \(status)")
                                if status == 409 { try await Task.sleep(for: .milliseconds(20)) }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let lost = proxy.lost.withLock { $0 }
        print("lossy proxy [\(database)] seed \(seed): \(operations) operations, \(tries.withLock { $0 }) requests, \(lost) answers lost after the server answered")
        #expect(lost > 0, "the proxy lost answers (else this proves nothing)")
        // Exactly one receipt per operation, and each customer earned exactly 5 % of their receipts, once.
        for (index, customer) in customers.enumerated() {
            let expected = plan.filter { $0.customer == index }.reduce(0) { $0 + $1.price * 500 / 10_000 }
            let (_, found) = try await KopilkaProcess.request("GET", "\(server.base)/v1/customers/lookup?id=\(customer)", key: admin)
            #expect((found["balance"] as? [String: Any])?["spendable"] as? Int == expected, "customer \(index): seed \(seed)")
        }
        for index in [0, operations / 2, operations - 1] {
            let (status, _) = try await KopilkaProcess.request(
                "POST", "\(server.base)/v1/receipts", key: admin,
                body: #"{"storeId": "\#(storeId)", "customer": {"id": "\#(customers[plan[index].customer])"}, "externalId": "P-\#(index)", "lines": [{"sku": "A", "quantity": 1000, "price": \#(plan[index].price)}]}"#,
                idempotencyKey: "fresh-\(index)")
            #expect(status == 409, "P-\(index) is registered once")
        }
        server.kill()
        let verify = try KopilkaProcess.run(["verify", "--database", location])
        #expect(verify.status == 0, "\(verify.output)")
    }
}

/// Forwards every request to `target`, and for a seeded share of them throws the server's answer away and answers
/// 502 instead — the till never learns whether its request took effect.
struct LossyProxy: RouterMiddleware {
    typealias Context = BasicRequestContext
    let target: String
    let lossPercent: Int
    let random: Shared<SeededRandom>
    let lost = Shared(0)

    init(target: String, seed: UInt64, lossPercent: Int) {
        self.target = target
        self.lossPercent = lossPercent
        random = Shared(SeededRandom(seed: seed))
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var forward = URLRequest(url: URL(string: target + request.uri.description)!)
        forward.httpMethod = request.method.rawValue
        for field in request.headers where [.authorization, .contentType, HTTPField.Name("Idempotency-Key")!].contains(field.name) {
            forward.setValue(field.value, forHTTPHeaderField: field.name.rawName)
        }
        forward.httpBody = Data(buffer: try await request.body.collect(upTo: 1 << 20))
        let (data, response) = try await URLSession.shared.data(for: forward)
        if random.withLock({ Int.random(in: 0..<100, using: &$0) }) < lossPercent {
            lost.withLock { $0 += 1 }
            return Response(status: .badGateway)
        }
        let status = (response as! HTTPURLResponse).statusCode
        return Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
