import Foundation
import KopilkaCore
import KopilkaDemo
@testable import KopilkaStore
import KopilkaTesting
import Testing

@Suite struct LifecycleTests {
    @Test(arguments: TestDatabase.allCases) func pointsExpireOnceAndOnlyWhatRemains(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) {
            $0.welcomeBonusPoints = 100_00
            $0.lifetimeDays = 30
        }
        let anna = try await f.customer()
        _ = try await f.commit(anna, redeem: .points(40_00), now: StoreFixture.t0 + 1)
        let day30 = StoreFixture.t0 + 30 * StoreFixture.day
        #expect(try await f.balance(anna, at: day30 - 1).spendable == 60_00 + 8_00)
        let first = try await f.store.runMaintenance(now: day30)
        #expect(first.expiredLots == 1)
        #expect(first.expiredPoints == 60_00)
        let second = try await f.store.runMaintenance(now: day30)
        #expect(second.expiredLots == 0, "an expiry run is idempotent")
        #expect(try await f.balance(anna, at: day30).spendable == 8_00)
        let ledger = try await f.store.ledger(merchantId: f.merchantId, customerId: anna, before: nil, limit: 10)!
        #expect(ledger.entries.first?.kind == .expiry)
        #expect(ledger.entries.first?.amount == -60_00)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func holdsReserveAndReleasePoints(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        func place(_ id: String, ttl: Int = 600) async throws -> HoldPlaced {
            try StoreFixture.decode(HoldPlaced.self, try await f.store.placeHold(
                merchantId: f.merchantId,
                HoldCommand(storeId: f.storeId, registerId: nil, customer: .id(anna), externalId: id, lines: [StoreFixture.coffee],
                            redeem: .points(50_00), ttlSeconds: ttl),
                idempotency: nil, now: StoreFixture.t0, render: StoreFixture.renderer()))
        }
        let cancelled = try await place("web-1")
        #expect(cancelled.balance.spendable == 50_00)
        _ = try await f.store.cancelHold(
            merchantId: f.merchantId, holdId: parseID(cancelled.hold.id)!, storeId: nil, idempotency: nil, now: StoreFixture.t0 + 1,
            render: StoreFixture.renderer() as ResponseRenderer<HoldView>)
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 1).spendable == 100_00)

        let expiring = try await place("web-2", ttl: 60)
        #expect(try await f.store.runMaintenance(now: StoreFixture.t0 + 59).releasedHolds == 0)
        #expect(try await f.store.runMaintenance(now: StoreFixture.t0 + 60).releasedHolds == 1)
        #expect(try await f.store.hold(merchantId: f.merchantId, holdId: parseID(expiring.hold.id)!, now: StoreFixture.t0 + 60)?.status == "expired")
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 60).spendable == 100_00)

        let confirmed = try await place("web-3")
        let receipt = try StoreFixture.decode(ReceiptCommitted.self, try await f.store.confirmHold(
            merchantId: f.merchantId, holdId: parseID(confirmed.hold.id)!, storeId: nil, externalId: "FN-3", idempotency: nil,
            now: StoreFixture.t0 + 100, render: StoreFixture.renderer()))
        #expect(receipt.receipt.redeemedPoints == 50_00)
        #expect(receipt.receipt.earnedPoints == 7_50)
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 100).spendable == 57_50)
        let late = try await f.store.cancelHold(
            merchantId: f.merchantId, holdId: parseID(confirmed.hold.id)!, storeId: nil, idempotency: nil, now: StoreFixture.t0 + 101,
            render: StoreFixture.renderer() as ResponseRenderer<HoldView>)
        #expect(String(decoding: late.body, as: UTF8.self).contains("confirmed"))
        try await f.expectInvariants()
    }

    /// A hold past its expiry counts as released from that moment, before any maintenance run: it reads `expired`, its
    /// points are in the balance, and a purchase or a new order can spend them (either gives them back and closes the
    /// hold in its own transaction).
    @Test(arguments: TestDatabase.allCases) func aHoldPastItsExpiryIsReleasedAtOnce(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        func place(_ id: String, points: Points, at now: UnixSeconds) async throws -> StoredResponse {
            try await f.store.placeHold(
                merchantId: f.merchantId,
                HoldCommand(storeId: f.storeId, registerId: nil, customer: .id(anna), externalId: id, lines: [StoreFixture.coffee],
                            redeem: .points(points), ttlSeconds: 60),
                idempotency: nil, now: now, render: StoreFixture.renderer())
        }
        // An order abandoned, then placed again after its hold lapsed: the second takes the same 50 points.
        let t0 = StoreFixture.t0
        let abandoned = try StoreFixture.decode(HoldPlaced.self, try await place("web-0", points: 50_00, at: t0 + 10))
        let again = try StoreFixture.decode(HoldPlaced.self, try await place("web-0b", points: 50_00, at: t0 + 80))
        #expect(again.balance.spendable == 50_00)
        #expect(try await f.store.hold(merchantId: f.merchantId, holdId: parseID(abandoned.hold.id)!, now: t0 + 80)?.status == "expired")
        _ = try await f.store.cancelHold(
            merchantId: f.merchantId, holdId: parseID(again.hold.id)!, storeId: nil, idempotency: nil, now: t0 + 81,
            render: StoreFixture.renderer() as ResponseRenderer<HoldView>)

        // Another lapses, and a purchase spends everything before maintenance runs.
        let placed = try StoreFixture.decode(HoldPlaced.self, try await place("web-1", points: 50_00, at: t0 + 100))
        let holdId = parseID(placed.hold.id)!
        #expect(try await f.balance(anna, at: t0 + 159).spendable == 50_00)
        #expect(try await f.store.hold(merchantId: f.merchantId, holdId: holdId, now: t0 + 159)?.status == "held")
        #expect(try await f.store.hold(merchantId: f.merchantId, holdId: holdId, now: t0 + 160)?.status == "expired")
        #expect(try await f.balance(anna, at: t0 + 160).spendable == 100_00)
        let tv = ReceiptLine(sku: "TV", quantity: 1000, price: 1_000_00)
        let sale = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, [tv], redeem: .points(100_00), now: t0 + 161))
        #expect(sale.calculation.redeemedPoints == 100_00)
        #expect(sale.balance?.spendable == 45_00, "5 % of the 900 ₽ paid in money")
        #expect(try await f.store.runMaintenance(now: t0 + 162).releasedHolds == 0, "the order and the purchase released the holds")
        let ledger = try await f.store.ledger(merchantId: f.merchantId, customerId: anna, before: nil, limit: 20)!
        #expect(ledger.entries.filter { $0.kind == .holdRelease }.map(\.amount) == [50_00, 50_00, 50_00])
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func demoDataKeepsTheInvariants(_ database: TestDatabase) async throws {
        let temporary = try TemporaryFolder("kopilka-demo")
        defer { withExtendedLifetime(temporary) {} }
        let store = try await database.open(in: temporary)
        var options = DemoSeeder.Options(end: StoreFixture.t0)
        options.customers = 150
        options.days = 40
        options.seed = 7
        let result = try await DemoSeeder(store: store, options: options).run()
        print("demo seed 7: \(result.customers) customers, \(result.receipts) receipts, \(result.returns) returns")
        #expect(result.customers == 150)
        #expect(result.receipts > 300)
        let report = try await store.verify()
        #expect(report.violations.isEmpty, "\(report.violations)")
        #expect(report.entries > result.receipts / 2)
    }

    /// On SQLite, where the whole database is one file to search; the code path is the same on PostgreSQL.
    @Test(arguments: TestDatabase.allCases) func aCustomerListRegistersInOneGoWithWelcomeBonuses(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 50_00 }
        let existing = try await f.customer(phone: "+79120000002")
        func new(_ phone: String) -> NewCustomer {
            NewCustomer(phone: phone, name: nil, email: nil, birthday: nil, personalDataConsent: true, marketingConsent: false)
        }
        let list = (1...4).map { new("+7912000000\($0)") }
        // Past the multi-row statements' chunks (500 rows, 1,000 keys), with a phone twice in the list.
        let more = (0..<1_200).map { new("+7913\(String(format: "%07d", $0))") } + [new("+79130000007")]
        let all = try await f.store.registerCustomers(merchantId: f.merchantId, list + more, now: StoreFixture.t0)
        let ids = Array(all.prefix(4))
        #expect(ids.count == 4 && ids[1] == nil, "the phone registered before is skipped")
        #expect(all.dropFirst(4).compactMap { $0 }.count == 1_200 && all.last! == nil, "a phone twice in the list is registered once")
        let totals = try await f.store.backend.read { db in
            try db.row("SELECT COUNT(*) AS n, SUM(balance) AS points, COUNT(DISTINCT card) AS cards FROM customers WHERE merchant_id = ?", [f.merchantId])!
        }
        #expect(totals["n"] as Int64 == 1_204 && totals["cards"] as Int64 == 1_204 && totals["points"] as Int64 == 1_204 * 50_00)
        var cards: Set<String> = []
        for (customer, id) in zip(list, ids) {
            let found = try #require(try await f.store.customer(merchantId: f.merchantId, .phone(customer.phone), now: StoreFixture.t0))
            #expect(found.id == String(id ?? existing))
            #expect(found.balance.spendable == 50_00)
            cards.insert(found.card)
        }
        #expect(cards.count == 4, "every card number is the customer's own")
        let report = try await f.store.verify()
        #expect(report.violations.isEmpty, "\(report.violations)")
    }

    @Test func keysAreStoredOnlyAsHashes() async throws {
        let f = try await StoreFixture(.sqlite)
        let (_, key) = try await f.store.createRegister(merchantId: f.merchantId, storeId: f.storeId, name: "Till 1", now: StoreFixture.t0)
        #expect(ApiKeys.isWellFormed(key.secret))
        #expect(key.secret.hasPrefix("kpk_reg_"))
        #expect(try await f.store.principal(forKeyHash: ApiKeys.hash(key.secret))?.storeId == f.storeId)
        let file = try Data(contentsOf: f.folder.appendingPathComponent("test.sqlite"))
            + ((try? Data(contentsOf: f.folder.appendingPathComponent("test.sqlite-wal"))) ?? Data())
        #expect(file.range(of: Data(key.secret.utf8)) == nil, "the plaintext key is not in the database")
        _ = try await f.store.revokeKey(merchantId: f.merchantId, keyId: parseID(key.key.id)!, now: StoreFixture.t0)
        #expect(try await f.store.principal(forKeyHash: ApiKeys.hash(key.secret)) == nil)
        var typo = Array(key.secret)
        typo[10] = typo[10] == "a" ? "b" : "a"
        #expect(!ApiKeys.isWellFormed(String(typo)), "the checksum catches a typo")
    }
}
