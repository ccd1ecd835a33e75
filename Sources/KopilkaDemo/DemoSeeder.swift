import Foundation
import KopilkaCore
import KopilkaStore

/// Fills a store with a believable coffee-shop chain: stores in several time zones, registers, a program,
/// customers who join over time, and months of purchases through the real commit path.
///
/// Shapes (from what merchants see): visit rates are heavy-tailed (a fifth of customers bring most
/// revenue); most customers go quiet (about half inactive after 90 days); weekday mornings and lunch peak;
/// checks of a few hundred rubles; a few percent of receipts returned, mostly in part; some customers
/// visit more than one store. The same seed gives the same data.
public struct DemoSeeder: Sendable {
    /// What to generate.
    public struct Options: Sendable {
        public var customers = 3000
        public var days = 90
        public var seed: UInt64 = 42
        /// The moment the history ends (now, for a demo).
        public var end: UnixSeconds
        /// Commits in flight at once (they share group commits).
        public var concurrency = 32

        public init(end: UnixSeconds) { self.end = end }
    }

    /// What was made: the keys (shown once) and the counts.
    public struct Result: Codable, Sendable {
        public var merchant: MerchantView
        public var adminKey: String
        public var stores: [StoreView]
        /// Register keys by register name.
        public var registerKeys: [String: String]
        public var customers: Int
        public var receipts: Int
        public var returns: Int
        /// A phone of a demo customer with points, for trying the till protocol by hand.
        public var samplePhone: String
    }

    let store: SQLStore
    let options: Options

    public init(store: SQLStore, options: Options) {
        self.store = store
        self.options = options
    }

    struct MenuItem {
        var sku: String
        var name: String
        var category: String
        var price: Kopecks
        var flags: [LineFlag] = []
    }

    static let menu: [(MenuItem, Double)] = [
        (MenuItem(sku: "CAP-300", name: "Капучино 300 мл", category: "coffee", price: 220_00), 30),
        (MenuItem(sku: "LAT-400", name: "Латте 400 мл", category: "coffee", price: 260_00), 22),
        (MenuItem(sku: "AME-250", name: "Американо 250 мл", category: "coffee", price: 170_00), 18),
        (MenuItem(sku: "RAF-300", name: "Раф ванильный 300 мл", category: "coffee", price: 290_00), 8),
        (MenuItem(sku: "TEA-400", name: "Чай листовой 400 мл", category: "tea", price: 190_00), 8),
        (MenuItem(sku: "CRO-1", name: "Круассан", category: "bakery", price: 150_00), 16),
        (MenuItem(sku: "SYR-1", name: "Сырники со сметаной", category: "kitchen", price: 340_00), 7),
        (MenuItem(sku: "CHE-1", name: "Чизкейк", category: "desserts", price: 310_00), 6),
        (MenuItem(sku: "BEANS-250", name: "Зерно «Эфиопия» 250 г", category: "retail", price: 890_00, flags: [.noRedemption]), 2),
        (MenuItem(sku: "CUP-1", name: "Термокружка", category: "merch", price: 1200_00), 1),
    ]

    /// Generates everything and returns the keys.
    public func run(progress: @Sendable (String) -> Void = { _ in }) async throws -> Result {
        var random = SeededRandom(seed: options.seed)
        let start = options.end - Int64(options.days) * 86_400
        let (merchant, adminKey) = try await store.createMerchant(name: "Кофейня «Зёрна»", now: start - 86_400)
        let merchantId = parseID(merchant.id)!
        var rules = ProgramRules()
        rules.accrualRateBp = 500
        rules.maxRedeemShareBp = 3000
        rules.activationDelayDays = 1
        rules.lifetimeDays = 180
        rules.welcomeBonusPoints = 100_00
        rules.accrualExcludedCategories = ["merch"]
        var cups = StampCard(id: "coffee", name: "Каждый 7-й кофе в подарок", every: 7)
        (cups.lines, cups.lifetimeDays) = (LineScope(categories: ["coffee"]), 90)
        rules.stampCards = [cups]
        var referral = ReferralRules()
        (referral.referrerPoints, referral.friendPoints, referral.minPurchaseKopecks) = (200_00, 100_00, 300_00)
        rules.referral = referral
        _ = try await store.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: start - 86_400)
        let storeSpecs = [("Зёрна на Тверской", "Europe/Moscow", 1.0), ("Зёрна у Плотинки", "Asia/Yekaterinburg", 0.6),
                          ("Зёрна на Красном", "Asia/Novosibirsk", 0.35)]
        var stores: [(view: StoreView, id: Int64, offset: Int64, traffic: Double)] = []
        var registerKeys: [String: String] = [:]
        for (name, zone, traffic) in storeSpecs {
            let view = try await store.createStore(merchantId: merchantId, name: name, timeZone: zone, now: start - 86_400)
            let id = parseID(view.id)!
            let offset = Int64(TimeZone(identifier: zone)?.secondsFromGMT() ?? 10_800)
            stores.append((view, id, offset, traffic))
            for register in 1...2 {
                let (_, key) = try await store.createRegister(
                    merchantId: merchantId, storeId: id, name: "\(name) · касса \(register)", now: start - 86_400)
                registerKeys["\(name) · касса \(register)"] = key.secret
            }
        }

        // Customers: when they join, how often they come, when they go quiet, their home store.
        struct Person {
            var phone: String
            var name: String
            var joinDay: Int
            var visitsPerWeek: Double
            var lastDay: Int
            var home: Int
            var id: Int64?
        }
        let firstNames = ["Анна", "Мария", "Елена", "Ольга", "Дарья", "Иван", "Алексей", "Дмитрий", "Сергей", "Никита", "Екатерина", "Павел"]
        let lastInitials = Array("АБВГДЕЗИКЛМНОПРСТУФХЧШЯ")
        var people: [Person] = []
        var phones = Set<String>()
        for _ in 0..<options.customers {
            var phone: String
            repeat {
                phone = "+79" + String(format: "%09d", Int(random.next() % 1_000_000_000))
            } while !phones.insert(phone).inserted
            let joinDay = Int(random.unit() * Double(options.days) * 0.9)
            let visits = min(12, random.pareto(scale: 0.35, alpha: 1.3))
            // Most customers drift away: an exponential lifetime with a mean near two months.
            let lastDay = joinDay + Int(random.exponential(mean: 55))
            let home = random.weighted(stores.indices.map { ($0, stores[$0].traffic) })
            let name = "\(firstNames[Int(random.next() % UInt64(firstNames.count))]) \(lastInitials[Int(random.next() % UInt64(lastInitials.count))])."
            people.append(Person(phone: phone, name: name, joinDay: joinDay, visitsPerWeek: visits, lastDay: lastDay, home: home))
        }

        var receipts = 0
        var returns = 0
        var registered = 0
        var joinedPhones: [String] = []
        let discard: ResponseRenderer<ReceiptCommitted> = { result in
            if case .success(let committed) = result {
                return StoredResponse(status: 201, body: Array(committed.receipt.id.utf8))
            }
            return StoredResponse(status: 409, body: [])
        }
        for day in 0..<options.days {
            let dayStart = start + Int64(day) * 86_400
            // Register those who join today.
            for index in people.indices where people[index].joinDay == day {
                let person = people[index]
                // Every fifth newcomer was brought by someone who joined before them (no draw from the seeded random, so
                // the rest of the demo stays as it was).
                let referrer = registered % 5 == 4 ? joinedPhones[registered - 3] : nil
                let response = try await store.registerCustomer(
                    merchantId: merchantId,
                    NewCustomer(phone: person.phone, name: person.name, email: nil, birthday: nil, personalDataConsent: true,
                                marketingConsent: random.chance(0.6), referrer: referrer.map(CustomerKey.phone)),
                    idempotency: nil, now: dayStart + 8 * 3600,
                    render: { result in
                        if case .success(let registered) = result { return StoredResponse(status: 201, body: Array(registered.customer.id.utf8)) }
                        return StoredResponse(status: 409, body: [])
                    })
                people[index].id = parseID(String(decoding: response.body, as: UTF8.self))
                registered += 1
                joinedPhones.append(person.phone)
            }
            // Today's visits, in time order.
            let weekday = Int((dayStart / 86_400 + 4) % 7)  // 0 = Sunday
            let dayFactor = weekday == 0 || weekday == 6 ? 0.8 : 1.1
            var visits: [(time: UnixSeconds, person: Int?, store: Int)] = []
            for (index, person) in people.enumerated() where person.id != nil && day >= person.joinDay && day <= person.lastDay {
                if random.chance(min(0.95, person.visitsPerWeek / 7 * dayFactor)) {
                    let storeIndex = random.chance(0.85) ? person.home : Int(random.next() % UInt64(stores.count))
                    visits.append((Self.visitTime(dayStart, stores[storeIndex].offset, &random), index, storeIndex))
                }
            }
            // Walk-ins without a card.
            let anonymous = Int(Double(options.customers) * 0.02 * dayFactor)
            for _ in 0..<anonymous {
                let storeIndex = random.weighted(stores.indices.map { ($0, stores[$0].traffic) })
                visits.append((Self.visitTime(dayStart, stores[storeIndex].offset, &random), nil, storeIndex))
            }
            visits.sort { $0.time < $1.time }
            var commands: [(ReceiptCommand, UnixSeconds)] = []
            for visit in visits {
                var lines: [ReceiptLine] = []
                for _ in 0..<(1 + Int(random.exponential(mean: 0.8))) {
                    let item = random.weighted(Self.menu)
                    if let existing = lines.firstIndex(where: { $0.sku == item.sku }) {
                        lines[existing].quantity += 1000
                    } else {
                        lines.append(ReceiptLine(sku: item.sku, name: item.name, category: item.category, quantity: 1000, price: item.price, flags: item.flags))
                    }
                }
                receipts += 1
                let customer = visit.person.flatMap { people[$0].id }.map { CustomerKey.id($0) }
                let redeem: RedeemRequest = customer != nil && random.chance(0.25) ? .max : .points(0)
                commands.append((
                    ReceiptCommand(storeId: stores[visit.store].id, registerId: nil, customer: customer,
                                   externalId: "D\(day)-\(receipts)", lines: lines, redeem: redeem), visit.time))
            }
            let committed = try await commitAll(commands, merchantId: merchantId, render: discard)
            // A few percent come back, mostly in part.
            for receiptId in committed where random.chance(0.025) {
                let full = random.chance(0.3)
                let command = ReturnCommand(receiptId: receiptId, storeId: nil, lines: full ? nil : [.init(line: 1, quantity: 1000)])
                let response = try await store.returnLines(
                    merchantId: merchantId, command, idempotency: nil, now: dayStart + 20 * 3600,
                    render: { result in StoredResponse(status: (try? result.get()) == nil ? 422 : 201, body: []) })
                if response.status == 201 { returns += 1 }
            }
            if day % 10 == 9 || day == options.days - 1 {
                _ = try await store.runMaintenance(now: dayStart + 86_399)
                progress("day \(day + 1)/\(options.days): \(registered) customers, \(receipts) receipts, \(returns) returns")
            }
        }
        _ = try await store.runMaintenance(now: options.end)
        let sample = people.filter { $0.id != nil && $0.visitsPerWeek > 2 && $0.lastDay >= options.days }.first ?? people[0]
        return Result(
            merchant: merchant, adminKey: adminKey.secret, stores: stores.map(\.view), registerKeys: registerKeys, customers: registered,
            receipts: receipts, returns: returns, samplePhone: sample.phone)
    }

    /// Commits receipts with bounded concurrency; returns the ids of those committed.
    private func commitAll(_ commands: [(ReceiptCommand, UnixSeconds)], merchantId: Int64, render: @escaping ResponseRenderer<ReceiptCommitted>)
        async throws -> [Int64]
    {
        try await withThrowingTaskGroup(of: Int64?.self) { group in
            var ids: [Int64] = []
            var next = 0
            func add() {
                let (command, time) = commands[next]
                next += 1
                group.addTask {
                    let response = try await store.commitReceipt(merchantId: merchantId, command, idempotency: nil, now: time, render: render)
                    return response.status == 201 ? parseID(String(decoding: response.body, as: UTF8.self)) : nil
                }
            }
            while next < min(commands.count, options.concurrency) { add() }
            while let id = try await group.next() {
                if let id { ids.append(id) }
                if next < commands.count { add() }
            }
            return ids.sorted()
        }
    }

    /// A coffee shop's day in local time: a morning peak, lunch, a smaller evening.
    static func visitTime(_ dayStart: UnixSeconds, _ offset: Int64, _ random: inout SeededRandom) -> UnixSeconds {
        let hour = random.weighted([(8.0, 14), (9.0, 16), (10.0, 10), (11.0, 6), (12.0, 9), (13.0, 10), (14.0, 6), (15.0, 5),
                                    (16.0, 5), (17.0, 6), (18.0, 6), (19.0, 4), (20.0, 3)])
        let local = Int64(hour * 3600) + Int64(random.unit() * 3600)
        return dayStart + local - offset
    }
}
