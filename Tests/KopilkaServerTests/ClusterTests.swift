import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real cluster: Debian's nginx balancing three `kopilka serve` processes on one PostgreSQL, as docs/scaling.md
/// configures it. Through nginx: the redemption storm, idempotency replays, a program change seen by every process on
/// the next request, one client's burst that does not throttle another, and a process killed mid-run with no
/// acknowledged receipt lost and the ledger sound.
@Suite(.serialized) struct ClusterTests {
    @Test func threeProcessesBehindNginxKeepEveryGuarantee() async throws {
        guard KopilkaProcess.isBuilt() else { return }
        guard let nginxPath = ProcessInfo.processInfo.environment["NGINX"] else {
            Issue.record("NGINX is not set: run the tests with scripts/test (scripts/setup-nginx installs nginx and prints it)")
            return
        }
        let location = try TestDatabase.freshPostgresLocation()
        let store = try await SQLStore.postgres(location)
        let (merchant, admin) = try await store.createMerchant(name: "Сеть", now: 0)
        let merchantId = try #require(parseID(merchant.id))
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 1_000_00
        // Earned points wait two weeks, so the storm can only spend the welcome bonus.
        rules.activationDelayDays = 14
        _ = try await store.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: 0)
        let shop = try await store.createStore(merchantId: merchantId, name: "Shop", timeZone: "Europe/Moscow", now: 0)

        // Per-address limits low enough to reach: 1 a second, bursts of 5, per process.
        var servers: [KopilkaProcess.Server] = []
        defer { for server in servers { server.kill() } }
        for _ in 0..<3 {
            servers.append(try await KopilkaProcess.serve(database: location.url, arguments: ["--trusted-proxy", "127.0.0.1", "--ip-rate-limit", "1"]))
        }
        let nginx = try await Nginx.start(nginxPath, upstreams: servers.map(\.base))
        defer { nginx.stop() }
        let base = nginx.base
        let key = admin.secret
        // Each process learns the key is valid (until then a request counts against its address).
        for server in servers { #expect(try await Self.call("GET", "\(server.base)/v1/program", key: key).status == 200) }

        let (registered, customer) = try await Self.call(
            "POST", "\(base)/v1/customers", key: key, body: #"{"phone": "+79120000001", "consents": {"personalData": true}}"#, idempotencyKey: "register")
        #expect(registered == 201)
        let customerId = try #require((try JSONSerialization.jsonObject(with: customer) as? [String: Any]).flatMap { $0["customer"] as? [String: Any] }?["id"] as? String)
        @Sendable func receipt(_ externalId: String, price: Int, redeem: Int) -> String {
            """
            {"storeId": "\(shop.id)", "customer": {"id": "\(customerId)"}, "externalId": "\(externalId)",
             "lines": [{"sku": "TV", "quantity": 1000, "price": \(price)}], "redeem": \(redeem)}
            """
        }

        // 50 redemptions of 100 points against 1,000 at once, spread by nginx: exactly 10 succeed.
        let storm = try await Self.concurrently(50) { index in
            try await Self.call("POST", "\(base)/v1/receipts", key: key, body: receipt("S-\(index)", price: 1000_00, redeem: 100_00), idempotencyKey: "storm-\(index)")
        }
        #expect(storm.filter { $0.status == 201 }.count == 10, "\(storm.map(\.status))")
        #expect(storm.filter { $0.status == 409 }.count == 40, "\(storm.map(\.status))")

        // Each key sent six times at once: one effect, and every 201 is the same answer.
        let replays = try await Self.concurrently(60) { call in
            let index = call / 6
            return (index, try await Self.call(
                "POST", "\(base)/v1/receipts", key: key, body: receipt("K-\(index)", price: 200_00, redeem: 0), idempotencyKey: "retry-\(index)"))
        }
        for index in 0..<10 {
            let created = replays.filter { $0.0 == index && $0.1.status == 201 }.map(\.1.body)
            #expect(!created.isEmpty && Set(created).count == 1, "key \(index): \(created.count) answers, \(Set(created).count) different")
        }

        // A program change through nginx is used by every process on its next request: the rate from 5 % to 10 %.
        func earned() async throws -> [Int] {
            try await (0..<6).asyncMap { _ in
                let (_, body) = try await Self.call(
                    "POST", "\(base)/v1/receipts/calculate", key: key,
                    body: #"{"customer": {"id": "\#(customerId)"}, "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]}"#)
                let reply = try JSONSerialization.jsonObject(with: body) as? [String: Any]
                return ((reply?["calculation"] as? [String: Any])?["earnedPoints"] as? Int) ?? -1
            }
        }
        #expect(try await earned() == Array(repeating: 5_00, count: 6), "every process at 5 %")
        let (_, program) = try await Self.call("GET", "\(base)/v1/program", key: key)
        let version = try #require((try JSONSerialization.jsonObject(with: program) as? [String: Any])?["version"] as? Int)
        let (saved, _) = try await Self.call(
            "PUT", "\(base)/v1/program", key: key, body: #"{"accrualRateBp": 1000, "activationDelayDays": 14, "welcomeBonusPoints": 100000}"#,
            headers: ["If-Match": "\"\(version)\""])
        #expect(saved == 200)
        #expect(try await earned() == Array(repeating: 10_00, count: 6), "every process at 10 % on its next request")

        // Behind nginx each client has its own bucket: one that spends its bursts does not hold back another.
        // 60 at once against bursts of 5 per process (15 in all) refilled at 1 a second each.
        let burst = try await Self.concurrently(60) { _ in
            try await Self.call("GET", "\(base)/health", key: nil, headers: ["X-Forwarded-For": "198.51.100.1"]).status
        }
        #expect(burst.contains(429), "the first client is throttled: \(burst)")
        let other = try await (0..<3).asyncMap { _ in try await Self.call("GET", "\(base)/health", key: nil, headers: ["X-Forwarded-For": "198.51.100.2"]).status }
        #expect(other == [200, 200, 200], "another client is not")

        // 120 commits, six at a time, retried like a till (same key) while one process is killed mid-run.
        let acknowledged = Acknowledged()
        let victim = servers[1]
        let killer = Task {
            while await acknowledged.count < 30 { try await Task.sleep(for: .milliseconds(20)) }
            victim.kill()
        }
        _ = try await Self.concurrently(6) { worker in
            for index in stride(from: worker, to: 120, by: 6) {
                for attempt in 0..<20 {
                    let reply = try? await Self.call(
                        "POST", "\(base)/v1/receipts", key: key, body: receipt("C-\(index)", price: 300_00, redeem: 0), idempotencyKey: "crash-\(index)")
                    if let reply, reply.status == 201 {
                        await acknowledged.add(index, reply.body, attempts: attempt + 1)
                        break
                    }
                    if attempt == 19 { Issue.record("commit \(index) never acknowledged: \(reply.map { "\($0.status)" } ?? "no answer")") }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        try await killer.value
        #expect(!victim.process.isRunning, "a process was killed mid-run")
        let answers = await acknowledged.bodies
        #expect(answers.count == 120)
        let failovers = nginx.errorLog.split(separator: "\n").filter { $0.contains(victim.base.replacingOccurrences(of: "http://", with: "")) }.count
        print("cluster: 120 commits acknowledged through nginx, \(await acknowledged.retried) after a client's retry, \(failovers) sent on by nginx from the killed process")
        // Every acknowledged receipt is in the database, once.
        for (index, body) in answers {
            let id = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any]).flatMap { $0["receipt"] as? [String: Any] }?["id"] as? String)
            let (status, stored) = try await Self.call("GET", "\(base)/v1/receipts/\(id)", key: key)
            #expect(status == 200 && String(decoding: stored, as: UTF8.self).contains("\"C-\(index)\""), "receipt \(index): \(status)")
        }
        let verify = try KopilkaProcess.run(["verify", "--database", location.url])
        #expect(verify.status == 0, "\(verify.output)")
    }

    /// The receipts acknowledged so far, by index.
    actor Acknowledged {
        var bodies: [Int: Data] = [:]
        /// Commits that took more than one attempt (their first reached the killed process, or nginx found none).
        var retried = 0
        var count: Int { bodies.count }
        func add(_ index: Int, _ body: Data, attempts: Int) {
            bodies[index] = body
            if attempts > 1 { retried += 1 }
        }
    }

    /// One request; the status and the body.
    static func call(
        _ method: String, _ url: String, key: String?, body: String? = nil, idempotencyKey: String? = nil, headers: [String: String] = [:]
    ) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data)
    }

    /// Runs `count` calls at once; their results in the order they finished.
    static func concurrently<T: Sendable>(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            for index in 0..<count { group.addTask { try await call(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}

/// Debian's nginx in the foreground with `NginxConfiguration`: round robin over `upstreams`, the client's address
/// forwarded, a request to a dead process sent to the next.
final class Nginx: Sendable {
    let process: Process
    let base: String
    let folder: URL

    init(process: Process, base: String, folder: URL) {
        self.process = process
        self.base = base
        self.folder = folder
    }

    static func start(_ executable: String, upstreams: [String]) async throws -> Nginx {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // nginx's workers may run as another user: its temporary folders must be theirs to write.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        var log = ""
        // A port another test's server holds makes nginx exit at once: traded for another, up to five times.
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<32_000)
            if (try? await ClusterTests.call("GET", "http://127.0.0.1:\(port)/health", key: nil)) != nil { continue }
            if let nginx = try await start(executable, upstreams: upstreams, folder: folder, port: port, log: &log) { return nginx }
        }
        try? FileManager.default.removeItem(at: folder)
        throw NginxDidNotStart(log: log)
    }

    private static func start(_ executable: String, upstreams: [String], folder: URL, port: Int, log: inout String) async throws -> Nginx? {
        let configuration = NginxConfiguration.text(
            upstreams: upstreams.map { $0.replacingOccurrences(of: "http://", with: "") }, port: port, folder: folder.path)
        try configuration.write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-p", folder.path, "-c", folder.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let nginx = Nginx(process: process, base: "http://127.0.0.1:\(port)", folder: folder)
        for _ in 0..<100 {
            if (try? await ClusterTests.call("GET", "\(nginx.base)/health", key: nil))?.status == 200 { return nginx }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        log = nginx.errorLog
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return nil
    }

    struct NginxDidNotStart: Error { let log: String }

    /// What nginx logged: requests to an upstream that failed and were sent to the next.
    var errorLog: String { (try? String(contentsOf: folder.appendingPathComponent("error.log"), encoding: .utf8)) ?? "" }

    /// Stops nginx and its worker (SIGTERM to the master is a fast shutdown of both), and removes its folder.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }
}
