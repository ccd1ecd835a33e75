import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `kopilka` executable, kills it with SIGKILL right after a burst of acknowledged commits,
/// and checks that every acknowledged receipt is in the database and the ledger still balances.
@Suite(.serialized) struct CrashTests {
    /// The executable built next to the tests (`swift build --build-tests` builds every product).
    static var executable: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/debug/kopilka")
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func request(_ method: String, _ url: String, key: String, body: String? = nil, idempotencyKey: String? = nil) async throws
        -> (Int, [String: Any])
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    @Test func acknowledgedCommitsSurviveSIGKILL() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            Issue.record("build the executable first: swift build --build-tests")
            return
        }
        let temporary = try TemporaryFolder("kopilka-crash")
        defer { withExtendedLifetime(temporary) {} }
        let folder = temporary.url
        let database = folder.appendingPathComponent("crash.sqlite").path
        let created = try Self.run(["merchant", "create", "--name", "Crash", "--json", "--database", database])
        #expect(created.status == 0)
        let admin = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["adminKey"])
        let port = Int.random(in: 20_000..<40_000)
        print("acknowledgedCommitsSurviveSIGKILL port \(port)")
        let server = Process()
        server.executableURL = Self.executable
        server.arguments = ["serve", "--database", database, "--port", "\(port)", "--maintenance-interval", "0", "--log-level", "error"]
        try server.run()
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        let base = "http://127.0.0.1:\(port)"
        var up = false
        for _ in 0..<100 where !up {
            up = (try? await Self.request("GET", "\(base)/health", key: admin))?.0 == 200
            if !up { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(up, "the server did not start")

        let (_, shop) = try await Self.request("POST", "\(base)/v1/stores", key: admin, body: #"{"name": "Shop"}"#)
        let storeId = try #require(shop["id"] as? String)
        let (_, customer) = try await Self.request(
            "POST", "\(base)/v1/customers", key: admin, body: #"{"phone": "+79120000001", "consents": {"personalData": true}}"#,
            idempotencyKey: "reg")
        let customerId = try #require((customer["customer"] as? [String: Any])?["id"] as? String)

        // 200 commits, 16 in flight; the server dies the moment the last answer arrives.
        let acknowledged = try await withThrowingTaskGroup(of: String?.self) { group in
            var ids: [String] = []
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask {
                    let body = """
                        {"storeId": "\(storeId)", "customer": {"id": "\(customerId)"}, "externalId": "K-\(index)",
                         "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]}
                        """
                    let (status, reply) = try await Self.request("POST", "\(base)/v1/receipts", key: admin, body: body, idempotencyKey: "k-\(index)")
                    return status == 201 ? (reply["receipt"] as? [String: Any])?["id"] as? String : nil
                }
            }
            for _ in 0..<16 { add() }
            while let id = try await group.next() {
                if let id { ids.append(id) }
                if next < 200 { add() }
            }
            return ids
        }
        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        #expect(acknowledged.count == 200)

        let verify = try Self.run(["verify", "--database", database])
        #expect(verify.status == 0, "\(verify.output)")
        let store = try SQLStore(path: database)
        let merchantId = try #require(try await store.merchantIds().first)
        for id in acknowledged {
            #expect(try await store.receipt(merchantId: merchantId, receiptId: parseID(id)!) != nil, "acknowledged receipt \(id) lost")
        }
        let found = try await store.customer(merchantId: merchantId, .id(parseID(customerId)!), now: Int64(Date().timeIntervalSince1970))
        let spendable = try #require(found).balance.spendable
        #expect(spendable == 200 * 5_00, "each receipt earned 5 points, exactly once")
    }
}
