import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// Two `kopilka serve` processes on one PostgreSQL database, as behind a load balancer: the same guarantees as one
/// process — no overdraft, one effect per idempotency key, one registration per receipt.
@Suite(.serialized) struct TwoProcessTests {
    @Test func twoServersOnOneDatabaseKeepEveryGuarantee() async throws {
        let location = try TestDatabase.freshPostgresLocation()
        let store = try await SQLStore.postgres(location)
        let (merchant, admin) = try await store.createMerchant(name: "Сеть", now: 0)
        let merchantId = parseID(merchant.id)!
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 1_000_00
        // Earned points wait two weeks, so the redemptions below can only spend the welcome bonus.
        rules.activationDelayDays = 14
        _ = try await store.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: 0)
        let shop = try await store.createStore(merchantId: merchantId, name: "Shop", timeZone: "Europe/Moscow", now: 0)

        let a = try await KopilkaProcess.serve(database: location.url)
        defer { a.kill() }
        let b = try await KopilkaProcess.serve(database: location.url)
        defer { b.kill() }
        let servers = [a.base, b.base]
        let key = admin.secret
        let (registered, customer) = try await KopilkaProcess.request(
            "POST", "\(a.base)/v1/customers", key: key, body: #"{"phone": "+79120000001", "consents": {"personalData": true}}"#,
            idempotencyKey: "register")
        #expect(registered == 201)
        let customerId = try #require((customer["customer"] as? [String: Any])?["id"] as? String)
        @Sendable func post(_ server: String, _ body: String, key idempotencyKey: String) async throws -> (Int, String) {
            let (status, reply) = try await KopilkaProcess.request("POST", "\(server)/v1/receipts", key: key, body: body, idempotencyKey: idempotencyKey)
            return (status, reply["code"] as? String ?? "")
        }
        @Sendable func receipt(_ externalId: String, price: Int, redeem: Int) -> String {
            """
            {"storeId": "\(shop.id)", "customer": {"id": "\(customerId)"}, "externalId": "\(externalId)",
             "lines": [{"sku": "TV", "quantity": 1000, "price": \(price)}], "redeem": \(redeem)}
            """
        }

        // 50 redemptions of 100 points against 1,000, alternating between the processes: exactly 10 succeed.
        let storm = try await concurrently(50) { index in
            try await post(servers[index % 2], receipt("S-\(index)", price: 1000_00, redeem: 100_00), key: "storm-\(index)")
        }
        #expect(storm.filter { $0.0 == 201 }.count == 10, "\(storm)")
        #expect(storm.filter { $0 == (409, "insufficient_points") }.count == 40, "\(storm)")

        // Each key sent three times to each process at once: one effect, and every answer of 201 is the same answer.
        let keys = 10
        let retries = try await concurrently(keys * 6) { call in
            let (index, attempt) = call.quotientAndRemainder(dividingBy: 6)
            let (status, body) = try await KopilkaProcess.requestData(
                "POST", "\(servers[attempt % 2])/v1/receipts", key: key, body: receipt("K-\(index)", price: 200_00, redeem: 0),
                idempotencyKey: "retry-\(index)")
            return (index, status, body)
        }
        for index in 0..<keys {
            let answers = retries.filter { $0.0 == index }
            let created = answers.filter { $0.1 == 201 }
            #expect(!created.isEmpty, "key \(index) was never answered with its receipt")
            #expect(Set(created.map(\.2)).count == 1, "key \(index) got different answers")
            // The only other answer allowed: the same process saw the key still in flight and said so.
            #expect(answers.allSatisfy { $0.1 == 201 || $0.1 == 409 }, "\(answers.map(\.1))")
        }

        // One receipt number sent to both processes under different keys: registered once.
        let same = try await concurrently(8) { attempt in
            try await post(servers[attempt % 2], receipt("ONE", price: 300_00, redeem: 0), key: "one-\(attempt)")
        }
        #expect(same.filter { $0.0 == 201 }.count == 1, "\(same)")
        #expect(same.filter { $0 == (409, "receipt_already_registered") }.count == 7, "\(same)")

        // What the database holds: 1,000 − 10 × 100 spendable; pending 5 % of 10 × 900 + 10 × 200 + 300, once each.
        let now = Int64(Date().timeIntervalSince1970)
        let balance = try #require(try await store.customer(merchantId: merchantId, .id(parseID(customerId)!), now: now)).balance
        #expect(balance.spendable == 0)
        #expect(balance.pending == (10 * 900_00 + keys * 200_00 + 300_00) * 5 / 100)
        #expect(try await store.verify().violations.isEmpty)
    }

    /// Runs `count` calls at once; their results in the order they finished.
    func concurrently<T: Sendable>(_ count: Int, _ call: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            for index in 0..<count { group.addTask { try await call(index) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }
}
