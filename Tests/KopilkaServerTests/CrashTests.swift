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
        let found = try await Self.killCycles(database, seed: seed, cycles: Workload.size(3, long: 40))
        #expect(found.lost == 0, "seed \(seed): \(found.lost) acknowledged receipts lost")
        #expect(found.failedRetries == 0, "seed \(seed): retries with the same keys that did not take effect once")
        #expect(found.balanceExact, "seed \(seed): each receipt earned 5 points, exactly once")
        #expect(found.verifyFailures.isEmpty, "seed \(seed): \(found.verifyFailures)")
        #expect(found.integrityProblems.isEmpty, "seed \(seed): \(found.integrityProblems)")
        print("crash [\(database)] seed \(seed): \(found.kills) kills, \(found.acknowledged) acknowledged, \(found.probed) probed, \(found.unanswered) unanswered and retried, \(found.lost) lost")
    }

    /// The harness bites: a server that answers before it commits loses acknowledged receipts, and the harness says so.
    @Test func killCyclesCatchAnAcknowledgementBeforeCommit() async throws {
        guard KopilkaProcess.isBuilt() else { return }
        let seed = Workload.seed()
        let found = try await Self.killCycles(.sqlite, seed: seed, cycles: 1, unsafeVariant: "acknowledge-before-commit")
        print("crash [broken: acknowledge-before-commit] seed \(seed): \(found.acknowledged) acknowledged, \(found.probed) probed, \(found.lost) lost")
        #expect(found.lost > 0, "seed \(seed): the harness did not notice acknowledged receipts that were never written")
    }

    /// What the kill cycles found.
    struct Findings {
        var kills = 0
        var acknowledged = 0
        var probed = 0
        var lost = 0
        var unanswered = 0
        var failedRetries = 0
        var balanceExact = false
        var verifyFailures: [String] = []
        var integrityProblems: [String] = []
    }

    /// Runs `kopilka serve` on a fresh database, kills it with SIGKILL `cycles` times at seeded moments while 16 tills
    /// commit, then probes acknowledged receipts and retries the unanswered ones with their keys.
    static func killCycles(_ database: TestDatabase, seed: UInt64, cycles: Int, unsafeVariant: String? = nil) async throws -> Findings {
        var findings = Findings()
        var random = SeededRandom(seed: seed)
        let temporary = try TemporaryFolder("kopilka-crash")
        defer { withExtendedLifetime(temporary) {} }
        let location = database == .sqlite
            ? temporary.url.appendingPathComponent("crash.sqlite").path : try TestDatabase.freshPostgresLocation().url
        let created = try KopilkaProcess.run(["merchant", "create", "--name", "Crash", "--json", "--database", location])
        #expect(created.status == 0)
        let admin = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["adminKey"])
        let arguments = ["--key-rate-limit", "0"] + (unsafeVariant.map { ["--unsafe-variant", $0] } ?? [])
        var server = try await KopilkaProcess.serve(database: location, arguments: arguments)
        let (_, shop) = try await KopilkaProcess.request("POST", "\(server.base)/v1/stores", key: admin, body: #"{"name": "Shop"}"#)
        let storeId = try #require(shop["id"] as? String)
        let (_, customer) = try await KopilkaProcess.request(
            "POST", "\(server.base)/v1/customers", key: admin, body: #"{"phone": "+79120000001", "consents": {"personalData": true}}"#,
            idempotencyKey: "reg")
        let customerId = try #require((customer["customer"] as? [String: Any])?["id"] as? String)
        // The broken variant writes the registration late too: let it land before the tills start.
        try await Task.sleep(for: .milliseconds(unsafeVariant == nil ? 0 : 700))
        func body(_ index: Int) -> String {
            """
            {"storeId": "\(storeId)", "customer": {"id": "\(customerId)"}, "externalId": "K-\(index)", "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]}
            """
        }

        var acknowledged: [Int] = []
        // The last receipt each lane saw acknowledged before each kill: where a loss would be.
        var lastBeforeKill: Set<Int> = []
        var unanswered: [Int] = []
        var sent = 0
        for cycle in 0..<cycles {
            let base = server.base
            let start = sent
            let killAfter = Duration.milliseconds(Int.random(in: 300...1_200, using: &random))
            // 16 tills commit without pause until the kill; a request the kill cut off has no answer. The kill waits for
            // at least 32 answers too, so a slow start (PostgreSQL on a busy machine) still kills a working server.
            let answered = Shared(0)
            let outcome = try await withThrowingTaskGroup(of: Int.self) { group in
                for lane in 0..<16 {
                    group.addTask {
                        var index = start + lane
                        while true {
                            guard let (status, _) = try? await KopilkaProcess.request("POST", "\(base)/v1/receipts", key: admin, body: body(index), idempotencyKey: "k-\(index)"),
                                status == 201
                            else { return index }
                            answered.withLock { $0 += 1 }
                            index += 16
                            if index - start > 100_000 { return index }
                        }
                    }
                }
                try await Task.sleep(for: killAfter)
                for _ in 0..<200 where answered.withLock({ $0 }) < 32 { try await Task.sleep(for: .milliseconds(50)) }
                server.kill()
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            findings.kills += 1
            // Each lane committed indexes start+lane, +16, … up to the one the kill cut off.
            for cutOff in outcome {
                var index = cutOff - 16
                if index >= start { lastBeforeKill.insert(index) }
                while index >= start { acknowledged.append(index); index -= 16 }
                unanswered.append(cutOff)
            }
            sent = (outcome.max() ?? start) + 1
            print("crash [\(database)] cycle \(cycle + 1)/\(cycles) seed \(seed): killed after \(killAfter), \(acknowledged.count) acknowledged so far")
            let verify = try KopilkaProcess.run(["verify", "--database", location])
            if verify.status != 0 { findings.verifyFailures.append("after kill \(cycle + 1): \(verify.output)") }
            server = try await KopilkaProcess.serve(database: location, arguments: arguments)
        }
        defer { server.kill() }
        findings.acknowledged = acknowledged.count
        findings.unanswered = unanswered.count
        // Every acknowledged receipt is there: registering it again is refused as already registered. Probed: the last
        // one of each lane before each kill, and up to 500 more spread over the rest.
        let store = try await SQLStore.open(location)
        findings.integrityProblems = try await store.integrityCheck()
        let merchantId = try #require(try await store.merchantIds().first)
        let step = max(1, acknowledged.count / 500)
        let probes = lastBeforeKill.union(acknowledged.enumerated().filter { $0.offset % step == 0 }.map(\.element))
        for index in probes.sorted() {
            let (status, _) = try await KopilkaProcess.request("POST", "\(server.base)/v1/receipts", key: admin, body: body(index), idempotencyKey: "probe-\(index)")
            if status != 409 { findings.lost += 1 }
        }
        findings.probed = probes.count
        guard unsafeVariant == nil else { return findings }
        // The tills retry what went unanswered, with the same keys: then every index below `sent` is in exactly once.
        let everyIndex = Set(acknowledged).union(unanswered)
        for index in unanswered {
            let (status, _) = try await KopilkaProcess.request("POST", "\(server.base)/v1/receipts", key: admin, body: body(index), idempotencyKey: "k-\(index)")
            if status != 201 { findings.failedRetries += 1 }
        }
        let balance = try await store.customer(merchantId: merchantId, .id(parseID(customerId)!), now: Int64(Date().timeIntervalSince1970))
        findings.balanceExact = balance?.balance.spendable == Int64(everyIndex.count) * 5_00
        server.kill()
        let verify = try KopilkaProcess.run(["verify", "--database", location])
        if verify.status != 0 { findings.verifyFailures.append("at the end: \(verify.output)") }
        return findings
    }
}
