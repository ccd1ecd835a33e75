import Foundation
import KopilkaCore
import KopilkaDemo
import KopilkaStore
import KopilkaTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// I6 and I7: the real `kopilka` executable is killed with SIGKILL at a seeded random moment while 16 commits are in
/// flight, restarted, and killed again, cycle after cycle. Every acknowledged receipt must be there; the tills then
/// retry the requests whose answers the kill swallowed, with the same keys, and each must take effect exactly once.
@Suite(.serialized) struct CrashTests {
    @Test(arguments: TestDatabase.allCases) func acknowledgedCommitsSurviveSIGKILL(_ database: TestDatabase) async throws {
        guard KopilkaProcess.isBuilt() else { return }
        let seed = Workload.seed()
        let cycles = Workload.size(3, long: 40)
        var random = SeededRandom(seed: seed)
        let temporary = try TemporaryFolder("kopilka-crash")
        defer { withExtendedLifetime(temporary) {} }
        let location = database == .sqlite
            ? temporary.url.appendingPathComponent("crash.sqlite").path : try TestDatabase.freshPostgresLocation().url
        let created = try KopilkaProcess.run(["merchant", "create", "--name", "Crash", "--json", "--database", location])
        #expect(created.status == 0)
        let admin = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["adminKey"])
        var server = try await KopilkaProcess.serve(database: location, arguments: ["--key-rate-limit", "0"])
        let (_, shop) = try await KopilkaProcess.request("POST", "\(server.base)/v1/stores", key: admin, body: #"{"name": "Shop"}"#)
        let storeId = try #require(shop["id"] as? String)
        let (_, customer) = try await KopilkaProcess.request(
            "POST", "\(server.base)/v1/customers", key: admin, body: #"{"phone": "+79120000001", "consents": {"personalData": true}}"#,
            idempotencyKey: "reg")
        let customerId = try #require((customer["customer"] as? [String: Any])?["id"] as? String)
        func body(_ index: Int) -> String {
            """
            {"storeId": "\(storeId)", "customer": {"id": "\(customerId)"}, "externalId": "K-\(index)", "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]}
            """
        }

        var acknowledged: [String] = []
        var unanswered: [Int] = []
        var sent = 0
        for cycle in 0..<cycles {
            let base = server.base
            let start = sent
            let killAfter = Duration.milliseconds(Int.random(in: 300...1_200, using: &random))
            // 16 tills commit without pause until the kill; a request the kill cut off has no answer.
            let outcome = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        var index = start + lane
                        while true {
                            guard let (status, reply) = try? await KopilkaProcess.request("POST", "\(base)/v1/receipts", key: admin, body: body(index), idempotencyKey: "k-\(index)"),
                                status == 201
                            else { return (index, nil) }
                            _ = reply
                            index += 16
                            if index - start > 100_000 { return (index, nil) }
                        }
                    }
                }
                try await Task.sleep(for: killAfter)
                server.kill()
                return try await group.reduce(into: [(Int, String?)]()) { $0.append($1) }
            }
            // Each lane committed indexes start+lane, +16, … up to the one the kill cut off.
            for (cutOff, _) in outcome {
                var index = cutOff - 16
                while index >= start { acknowledged.append("K-\(index)"); index -= 16 }
                unanswered.append(cutOff)
            }
            sent = (outcome.map(\.0).max() ?? start) + 1
            print("crash [\(database)] cycle \(cycle + 1)/\(cycles) seed \(seed): killed after \(killAfter), \(acknowledged.count) acknowledged so far")
            let verify = try KopilkaProcess.run(["verify", "--database", location])
            #expect(verify.status == 0, "after kill \(cycle + 1): \(verify.output)")
            server = try await KopilkaProcess.serve(database: location, arguments: ["--key-rate-limit", "0"])
        }
        defer { server.kill() }
        // Every acknowledged receipt is there: registering it again is refused as already registered.
        let store = try await SQLStore.open(location)
        #expect(try await store.integrityCheck().isEmpty)
        let merchantId = try #require(try await store.merchantIds().first)
        var lost = 0
        for (offset, externalId) in acknowledged.enumerated() where offset % max(1, acknowledged.count / 200) == 0 {
            let index = Int(externalId.dropFirst(2))!
            let (status, _) = try await KopilkaProcess.request("POST", "\(server.base)/v1/receipts", key: admin, body: body(index), idempotencyKey: "probe-\(index)")
            if status != 409 { lost += 1 }
        }
        #expect(lost == 0, "seed \(seed): \(lost) acknowledged receipts lost")
        // The tills retry what went unanswered, with the same keys: then every index below `sent` is in exactly once.
        let everyIndex = Set(acknowledged.map { Int($0.dropFirst(2))! }).union(unanswered)
        for index in unanswered {
            let (status, _) = try await KopilkaProcess.request("POST", "\(server.base)/v1/receipts", key: admin, body: body(index), idempotencyKey: "k-\(index)")
            #expect(status == 201, "retry of K-\(index)")
        }
        let found = try await store.customer(merchantId: merchantId, .id(parseID(customerId)!), now: Int64(Date().timeIntervalSince1970))
        #expect(try #require(found).balance.spendable == Int64(everyIndex.count) * 5_00, "seed \(seed): each receipt earned 5 points, exactly once")
        print("crash [\(database)] seed \(seed): \(cycles) kills, \(acknowledged.count) acknowledged, \(unanswered.count) unanswered and retried, 0 lost expected")
        server.kill()
        let verify = try KopilkaProcess.run(["verify", "--database", location])
        #expect(verify.status == 0, "\(verify.output)")
    }
}
