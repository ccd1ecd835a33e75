import Foundation
import KopilkaCore
import KopilkaStore

/// A merchant with customers who hold points, and the loads the benchmark drives against it.
struct BenchFixture: Sendable {
    let store: SQLStore
    let merchantId: Int64
    let storeId: Int64
    let customerIds: [Int64]
    let rules: ProgramRules

    static let lines = [
        ReceiptLine(sku: "CAP-300", name: "Капучино", category: "coffee", quantity: 1000, price: 220_00),
        ReceiptLine(sku: "CRO-1", name: "Круассан", category: "bakery", quantity: 2000, price: 150_00),
        ReceiptLine(sku: "MILK-1", name: "Молоко 1 л", category: "dairy", quantity: 1000, price: 89_90),
        ReceiptLine(sku: "APL-KG", name: "Яблоки", category: "fruit", quantity: 1350, price: 129_00),
        ReceiptLine(sku: "CIG-1", name: "Сигареты", category: "tobacco", quantity: 1000, price: 210_00, flags: [.noDiscount, .noAccrual]),
    ]

    static func make(store: SQLStore, customers: Int) async throws -> BenchFixture {
        let now = Int64(Date().timeIntervalSince1970)
        let (merchant, _) = try await store.createMerchant(name: "Bench", now: now)
        let merchantId = parseID(merchant.id)!
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 1000_00
        _ = try await store.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: now)
        let shop = try await store.createStore(merchantId: merchantId, name: "Bench store", timeZone: "Europe/Moscow", now: now)
        var ids: [Int64] = []
        for index in 0..<customers {
            let response = try await store.registerCustomer(
                merchantId: merchantId,
                NewCustomer(phone: "+7900\(String(format: "%07d", index))", name: nil, email: nil, birthday: nil,
                            personalDataConsent: true, marketingConsent: false),
                idempotency: nil, now: now,
                render: { result in StoredResponse(status: 201, body: Array(((try? result.get())?.customer.id ?? "").utf8)) })
            if let id = parseID(String(decoding: response.body, as: UTF8.self)) { ids.append(id) }
        }
        return BenchFixture(store: store, merchantId: merchantId, storeId: parseID(shop.id)!, customerIds: ids, rules: rules)
    }

    struct CommitResult {
        var perSecond: Double
        var p50Ms: Double
        var p99Ms: Double
    }

    /// Commits receipts (a fifth of them spending points) from `clients` concurrent tasks, each with an idempotency key.
    func commits(clients: Int, seconds: Double) async throws -> CommitResult {
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int(seconds * 1000))
        let render: ResponseRenderer<ReceiptCommitted> = { result in StoredResponse(status: (try? result.get()) == nil ? 409 : 201, body: []) }
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for client in 0..<clients {
                group.addTask {
                    var latencies: [Double] = []
                    var random = SystemRandomNumberGenerator()
                    var number = 0
                    while ContinuousClock.now < deadline {
                        number += 1
                        let customer = customerIds[Int(random.next(upperBound: UInt64(customerIds.count)))]
                        let command = ReceiptCommand(
                            storeId: storeId, registerId: nil, customer: .id(customer), externalId: "B\(client)-\(number)-\(UUID().uuidString.prefix(8))",
                            lines: Array(Self.lines.prefix(3)), redeem: number % 5 == 0 ? .max : .points(0))
                        let begin = ContinuousClock.now
                        _ = try await store.commitReceipt(
                            merchantId: merchantId, command, idempotency: IdempotencyKey(key: "bench-\(UUID().uuidString)", requestHash: [1]),
                            now: Int64(Date().timeIntervalSince1970), render: render)
                        latencies.append(Self.milliseconds(ContinuousClock.now - begin))
                    }
                    return latencies
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all.sorted()
        }
        let elapsed = Self.milliseconds(ContinuousClock.now - started) / 1000
        guard !latencies.isEmpty else { return CommitResult(perSecond: 0, p50Ms: 0, p99Ms: 0) }
        return CommitResult(
            perSecond: Double(latencies.count) / elapsed, p50Ms: latencies[latencies.count / 2],
            p99Ms: latencies[min(latencies.count - 1, latencies.count * 99 / 100)])
    }

    /// A 20-line grocery receipt under a program with four levels and a card discount.
    static let bigReceipt: [ReceiptLine] = (0..<20).map { (index: Int) -> ReceiptLine in
        let categories = ["dairy", "bakery", "fruit", "tobacco", "household"]
        let quantity: Thousandths = 1000 + Int64(index % 3) * 500
        let price: Kopecks = 49_90 + Int64(index) * 37_13
        let flags: [LineFlag] = index % 5 == 3 ? [.noDiscount] : []
        return ReceiptLine(sku: "SKU-\(index)", name: "Товар \(index)", category: categories[index % 5], quantity: quantity, price: price, flags: flags)
    }

    static let levelRules: ProgramRules = {
        var rules = ProgramRules()
        rules.discountBp = 300
        rules.accrualExcludedCategories = ["tobacco"]
        rules.tiers = TierRules(tiers: [
            Tier(name: "1", threshold: 0, accrualRateBp: 300), Tier(name: "2", threshold: 10_000_00, accrualRateBp: 500, discountBp: 500),
            Tier(name: "3", threshold: 30_000_00, accrualRateBp: 700, discountBp: 700), Tier(name: "4", threshold: 100_000_00, accrualRateBp: 1000),
        ])
        return rules
    }()

    /// Receipts per second of the pure engine on one core, no I/O. With `compileEachTime` the rules are compiled
    /// for every receipt (as without a per-version cache); otherwise once.
    static func calculations(
        lines: [ReceiptLine], rules: ProgramRules, tier: Tier?, context: ReceiptContext = .init(), compileEachTime: Bool = false,
        seconds: Double
    ) -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let program = CompiledProgram(rules)
        var count = 0
        var checksum: Int64 = 0
        while ContinuousClock.now < deadline {
            for spendable in stride(from: Int64(0), to: 100_000, by: 1000) {
                let result = ReceiptCalculator.calculate(
                    lines: lines, program: compileEachTime ? CompiledProgram(rules) : program,
                    customer: .init(spendablePoints: spendable, tier: tier), redeem: .max, context: context)
                checksum &+= result.earnedPoints
                count += 1
            }
        }
        precondition(checksum >= 0)
        return Double(count) / (Self.milliseconds(ContinuousClock.now - started) / 1000)
    }

    /// Calculations that read the customer's balance from the database first.
    func calculationsWithBalance(clients: Int, seconds: Double) async throws -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let started = ContinuousClock.now
        let program = CompiledProgram(rules)
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<clients {
                group.addTask {
                    var count = 0
                    var random = SystemRandomNumberGenerator()
                    while ContinuousClock.now < deadline {
                        let customer = customerIds[Int(random.next(upperBound: UInt64(customerIds.count)))]
                        _ = try await store.calculate(
                            merchantId: merchantId, program: program, storeId: storeId, customer: .id(customer), lines: Self.lines,
                            redeem: .max, codes: [], now: Int64(Date().timeIntervalSince1970))
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (Self.milliseconds(ContinuousClock.now - started) / 1000)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
