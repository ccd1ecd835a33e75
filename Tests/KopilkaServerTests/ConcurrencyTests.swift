import Foundation
import KopilkaCore
import KopilkaDemo
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

/// Many clients at once over HTTP: one balance is never spent twice, and the ledger's invariants hold in every
/// snapshot taken while the clients run, not only at the end.
@Suite struct ConcurrencyTests {
    @Test(arguments: TestDatabase.allCases) func redemptionStorm(_ database: TestDatabase) async throws {
        let rounds = Workload.size(1, long: 20)
        for round in 0..<rounds {
            let seed = Workload.seed()
            let found = try await Self.storm(database, seed: seed)
            print("redemption storm [\(database)] round \(round + 1)/\(rounds) seed \(seed): \(found.outcomes.sorted { $0.key < $1.key })")
            #expect(found.outcomes["201 "] == 10, "seed \(seed)")
            #expect(found.outcomes["409 insufficient_points"] == 990, "seed \(seed)")
            #expect(found.spendable == 0, "seed \(seed)")
            #expect(found.violations.isEmpty, "seed \(seed): \(found.violations)")
        }
    }

    /// The storm bites: a commit without the balance condition lets more than ten through, and the storm says so.
    @Test func stormCatchesACommitWithoutTheBalanceCondition() async throws {
        let seed = Workload.seed()
        let found = try await Self.storm(.sqlite, seed: seed, unsafe: .commitWithoutBalanceCondition)
        print("redemption storm [broken: commit-without-balance-condition] seed \(seed): \(found.outcomes.sorted { $0.key < $1.key }), \(found.violations.count) violations")
        #expect(found.outcomes["201 "] != 10, "seed \(seed): the storm did not notice the overdraft")
        #expect(!found.violations.isEmpty, "seed \(seed): verify did not notice the overdraft")
    }

    /// 50 clients × 20 redemptions of 100 points against a balance of 1,000, over HTTP: the answers by status and code,
    /// the spendable balance after, and what `verify` finds.
    static func storm(
        _ database: TestDatabase, seed: UInt64, unsafe: UnsafeVariants = []
    ) async throws -> (outcomes: [String: Int], spendable: Int?, violations: [Violation]) {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 1_000_00
        rules.accrualRateBp = 0
        rules.maxRedeemShareBp = 10_000
        let f = try await APIFixture(database, rules: rules)
        f.store.unsafeVariants = unsafe
        let statuses = Shared<[String: Int]>([:])
        let spendable = Shared<Int?>(nil)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            // Each client shuffles its prices by the seed.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<50 {
                    group.addTask {
                        var random = SeededRandom(seed: seed &+ UInt64(worker))
                        for attempt in 0..<20 {
                            let price = Int.random(in: 1_000_00...5_000_00, using: &random)
                            let reply = try await client.post("/v1/receipts", key: till, """
                                {"customer": {"id": "\(id)"}, "externalId": "S-\(worker)-\(attempt)", "lines": [{"sku": "TV", "quantity": 1000, "price": \(price)}], "redeem": 10000}
                                """)
                            let outcome = "\(reply.status) \(reply.json["code"] as? String ?? "")"
                            statuses.withLock { $0[outcome, default: 0] += 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let balance = try await client.get("/v1/customers/lookup?id=\(id)", key: till).json["balance"] as? [String: Any]
            spendable.withLock { $0 = balance?["spendable"] as? Int }
        }
        return (statuses.withLock { $0 }, spendable.withLock { $0 }, try await f.store.verify().violations)
    }

    @Test(arguments: TestDatabase.allCases) func mixedWorkloadKeepsTheInvariantsInEverySnapshot(_ database: TestDatabase) async throws {
        let seed = Workload.seed()
        let customers = Workload.size(40, long: 200)
        let run = try await Self.mixedWorkload(
            database, seed: seed, workers: Workload.size(16, long: 64), operations: Workload.size(30, long: 400), customers: customers)
        #expect(run.checked >= 2, "the checker ran during the workload")
        #expect(run.violations.isEmpty, "seed \(seed): \(run.violations.prefix(5))")
        let unexpected = run.outcomes.keys.filter { !["earn 201 ", "redeem 201 ", "redeem 409 insufficient_points", "redeem 422 redemption_limit_exceeded", "return 201 ", "read 200 "].contains($0) }
        #expect(unexpected.isEmpty, "seed \(seed): \(unexpected)")
        #expect(run.final.violations.isEmpty, "seed \(seed): \(run.final.violations.prefix(5))")
        #expect(run.final.customers == customers)
    }

    /// The checker bites: with commits that spend without the balance condition, the snapshots show the overdraft.
    @Test func snapshotsCatchACommitWithoutTheBalanceCondition() async throws {
        let seed = Workload.seed()
        let run = try await Self.mixedWorkload(
            .sqlite, seed: seed, workers: 8, operations: 30, customers: 4, unsafe: .commitWithoutBalanceCondition)
        print("mixed workload [broken: commit-without-balance-condition] seed \(seed): \(run.checked) snapshots, \(run.violations.count) violations seen")
        #expect(!run.violations.isEmpty, "seed \(seed): the snapshots did not show the overdraft")
    }

    /// Earn / redeem / return / read from `workers` tills over `customers` customers, with `verify` run on snapshots
    /// while they work: the answers by kind, status and code, the snapshots checked, what they found, the final report.
    static func mixedWorkload(
        _ database: TestDatabase, seed: UInt64, workers: Int, operations: Int, customers: Int, unsafe: UnsafeVariants = []
    ) async throws -> (outcomes: [String: Int], checked: Int, violations: [Violation], final: VerificationReport) {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 300_00
        rules.maxRedeemShareBp = 5_000
        let f = try await APIFixture(database, rules: rules)
        f.store.unsafeVariants = unsafe
        let tally = Shared<[String: Int]>([:])
        let snapshots = Shared<(checked: Int, violations: [Violation])>((0, []))
        try await f.run { client in
            let (_, till) = try await f.till(client)
            var ids: [String] = []
            for index in 0..<customers { ids.append(try await f.customer(client, key: till, phone: "+7912\(String(format: "%07d", index))")) }
            let people = ids
            let running = Shared(true)
            // The checker: the whole of `verify` (I1, I2, I9, I10) in one read snapshot, again and again, while the workers run.
            let checker = Task {
                while running.withLock({ $0 }) {
                    let report = try await f.store.verify()
                    snapshots.withLock { $0.checked += 1; $0.violations += report.violations }
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var random = SeededRandom(seed: seed &+ UInt64(worker))
                        var receipts: [String] = []
                        for step in 0..<operations {
                            let customer = people[Int.random(in: 0..<people.count, using: &random)]
                            let price = Int.random(in: 100_00...3_000_00, using: &random)
                            let kind: String
                            let reply: APIFixture.Client.Reply
                            switch Int.random(in: 0..<10, using: &random) {
                            case 0..<4:
                                kind = "earn"
                                reply = try await client.post("/v1/receipts", key: till, """
                                    {"customer": {"id": "\(customer)"}, "externalId": "M-\(worker)-\(step)", "lines": [{"sku": "A", "quantity": 1000, "price": \(price)}]}
                                    """)
                            case 4..<7:
                                kind = "redeem"
                                let points = Int.random(in: 1...200, using: &random) * 100
                                reply = try await client.post("/v1/receipts", key: till, """
                                    {"customer": {"id": "\(customer)"}, "externalId": "M-\(worker)-\(step)", "lines": [{"sku": "A", "quantity": 1000, "price": \(price)}], "redeem": \(points)}
                                    """)
                            case 7..<8 where !receipts.isEmpty:
                                kind = "return"
                                let receipt = receipts.remove(at: Int.random(in: 0..<receipts.count, using: &random))
                                reply = try await client.post("/v1/receipts/\(receipt)/returns", key: till, "{}")
                            default:
                                kind = "read"
                                reply = try await client.get("/v1/customers/lookup?id=\(customer)", key: till)
                            }
                            if reply.status == 201, let id = (reply.json["receipt"] as? [String: Any])?["id"] as? String { receipts.append(id) }
                            let outcome = "\(kind) \(reply.status) \(reply.json["code"] as? String ?? "")"
                            tally.withLock { $0[outcome, default: 0] += 1 }
                        }
                    }
                }
                try await group.waitForAll()
            }
            running.withLock { $0 = false }
            try await checker.value
        }
        let outcomes = tally.withLock { $0 }
        let (checked, violations) = snapshots.withLock { $0 }
        if unsafe.isEmpty {
            print("mixed workload [\(database)] seed \(seed): \(workers) workers × \(operations) ops over \(customers) customers; \(checked) snapshots checked; \(outcomes.sorted { $0.key < $1.key })")
        }
        return (outcomes, checked, violations, try await f.store.verify())
    }
}

