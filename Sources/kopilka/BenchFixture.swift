import Foundation
import KopilkaCore
import KopilkaDemo
import KopilkaStore

/// A merchant with customers who hold points, and the loads the benchmark drives against it.
struct BenchFixture: Sendable {
    /// Reopened after a server had the database.
    var store: SQLStore
    let merchantId: Int64
    let storeId: Int64
    let customerIds: [Int64]
    /// The secret of the store's register key, for the till protocol over HTTP.
    let tillKey: String

    static let lines = [
        ReceiptLine(sku: "CAP-300", name: "Капучино", category: "coffee", quantity: 1000, price: 220_00),
        ReceiptLine(sku: "CRO-1", name: "Круассан", category: "bakery", quantity: 2000, price: 150_00),
        ReceiptLine(sku: "MILK-1", name: "Молоко 1 л", category: "dairy", quantity: 1000, price: 89_90),
        ReceiptLine(sku: "APL-KG", name: "Яблоки", category: "fruit", quantity: 1350, price: 129_00),
        ReceiptLine(sku: "CIG-1", name: "Сигареты", category: "tobacco", quantity: 1000, price: 210_00, flags: [.noDiscount, .noAccrual]),
    ]

    /// The receipt the tills send over HTTP: five lines of the 50-promotion program's receipt, each of at least one unit
    /// (a return takes one unit of a line).
    static let tillLines = Array(BenchPromotions.receipt.prefix(5))

    /// The program: four levels, a card discount, 50 promotions (five with budgets), wholesale steps and a welcome bonus
    /// to spend, and a promotion with a budget that every receipt uses, whatever the date: its counter row is written by
    /// every commit (on PostgreSQL one transaction at a time, `SQLBackend.write(serializing:)`).
    static let program: ProgramRules = {
        var rules = BenchPromotions.rules
        var budgeted = Promotion(id: "budget-all", name: "+1 балл с каждой покупки из бюджета акции", reward: .bonusPoints(1_00))
        budgeted.limits = PromotionLimits(budgetKopecks: 1_000_000_000_00)
        rules.promotions.append(budgeted)
        rules.welcomeBonusPoints = 1000_00
        return rules
    }()

    /// Customer `index`'s phone: `+7900` and seven digits (the load generator makes the same).
    static func phone(_ index: Int) -> String { "+7900\(String(format: "%07d", index))" }

    /// A merchant with one store, a register and `customers` customers, registered in batches.
    static func make(store: SQLStore, customers: Int, progress: (String) -> Void = { _ in }) async throws -> BenchFixture {
        let now = Int64(Date().timeIntervalSince1970)
        let (merchant, _) = try await store.createMerchant(name: "Bench", now: now)
        let merchantId = parseID(merchant.id)!
        _ = try await store.updateProgram(merchantId: merchantId, rules: program, expectedVersion: nil, now: now)
        let shop = try await store.createStore(merchantId: merchantId, name: "Bench store", timeZone: "Europe/Moscow", now: now)
        let (_, key) = try await store.createRegister(merchantId: merchantId, storeId: parseID(shop.id)!, name: "Касса 1", now: now)
        let fixture = BenchFixture(
            store: store, merchantId: merchantId, storeId: parseID(shop.id)!, customerIds: [], tillKey: key.secret)
        return try await fixture.growing(to: customers, progress: progress)
    }

    /// This fixture with customers added up to `count` (phones continue the numbering).
    func growing(to count: Int, progress: (String) -> Void = { _ in }) async throws -> BenchFixture {
        var ids = customerIds
        let now = Int64(Date().timeIntervalSince1970)
        let batch = 10_000
        var lastShown = ContinuousClock.now
        while ids.count < count {
            let range = ids.count..<min(count, ids.count + batch)
            let list = range.map {
                NewCustomer(phone: Self.phone($0), name: nil, email: nil, birthday: nil, personalDataConsent: true, marketingConsent: false)
            }
            ids += try await store.registerCustomers(merchantId: merchantId, list, now: now).compactMap { $0 }
            if ContinuousClock.now - lastShown > .seconds(2) || ids.count == count {
                progress("customers: \(ids.count) of \(count)")
                lastShown = ContinuousClock.now
            }
        }
        return BenchFixture(store: store, merchantId: merchantId, storeId: storeId, customerIds: ids, tillKey: tillKey)
    }

    /// Commits `count` receipts of the till's lines in process (for the return runs to return lines of); their ids.
    func receipts(_ count: Int) async throws -> [String] {
        let now = Int64(Date().timeIntervalSince1970)
        let render: ResponseRenderer<ReceiptCommitted> = { result in
            StoredResponse(status: 201, body: Array(((try? result.get())?.receipt.id ?? "").utf8))
        }
        return try await withThrowingTaskGroup(of: [String].self) { group in
            for part in 0..<16 {
                group.addTask {
                    var ids: [String] = []
                    for number in stride(from: part, to: count, by: 16) {
                        let command = ReceiptCommand(
                            storeId: storeId, registerId: nil, customer: .id(customerIds[number % customerIds.count]),
                            externalId: "R-\(UUID().uuidString)", lines: Self.tillLines, redeem: .points(0))
                        let reply = try await store.commitReceipt(merchantId: merchantId, command, idempotency: nil, now: now, render: render)
                        ids.append(String(decoding: reply.body, as: UTF8.self))
                    }
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }.filter { !$0.isEmpty }
        }
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
                    // Random numbers, fiscal numbers and keys as a till makes them, from a generator seeded once: Foundation's
                    // `UUID()` opens and reads /dev/urandom every time, 4.5 % of this process's CPU at 64 clients (perf).
                    var random = SeededRandom(seed: UInt64.random(in: 0...UInt64.max))
                    var number = 0
                    while ContinuousClock.now < deadline {
                        number += 1
                        let customer = customerIds[Int(random.next(upperBound: UInt64(customerIds.count)))]
                        let token = String(random.next(), radix: 16) + String(random.next(), radix: 16)
                        let command = ReceiptCommand(
                            storeId: storeId, registerId: nil, customer: .id(customer), externalId: "B\(client)-\(number)-\(token.prefix(8))",
                            lines: Self.tillLines, redeem: number % 5 == 0 ? .max : .points(0))
                        let begin = ContinuousClock.now
                        _ = try await store.commitReceipt(
                            merchantId: merchantId, command, idempotency: IdempotencyKey(key: "bench-\(token)", requestHash: [1]),
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

    /// The same program with a table of 100 levels (the most a merchant may set), for what a long table costs.
    static let hundredLevels: ProgramRules = {
        var rules = levelRules
        rules.tiers = TierRules(tiers: (0..<TierRules.maxLevels).map { level in
            Tier(
                name: "\(level + 1)", threshold: Int64(level) * 5_000_00, accrualRateBp: 300 + Int64(level) * 5,
                discountBp: Int64(level) * 10)
        })
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

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
