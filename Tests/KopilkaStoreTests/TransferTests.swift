import Foundation
import KopilkaCore
import KopilkaDemo
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// A merchant's whole data moved SQLite → PostgreSQL → SQLite with `export` and `import`: every row arrives, the
/// invariants hold on each side, and every customer's balance is the same.
@Suite struct TransferTests {
    @Test func aMerchantMovesToPostgresAndBack() async throws {
        let temporary = try TemporaryFolder("kopilka-transfer")
        let source = try SQLStore(path: temporary.url.appendingPathComponent("source.sqlite").path)
        var options = DemoSeeder.Options(end: StoreFixture.t0)
        options.customers = 60
        options.days = 20
        options.seed = 11
        let demo = try await DemoSeeder(store: source, options: options).run()
        print("transfer seed 11: \(demo.customers) customers, \(demo.receipts) receipts")
        let merchantId = parseID(demo.merchant.id)!

        let first = temporary.url.appendingPathComponent("first.kopilka")
        let exported = try await source.export(merchantIds: nil, to: first)
        #expect(exported.rows["receipts"] == demo.receipts)
        let postgres = try await TestDatabase.postgres.open(in: temporary)
        let imported = try await postgres.importData(from: first)
        #expect(imported == exported)

        let second = temporary.url.appendingPathComponent("second.kopilka")
        #expect(try await postgres.export(merchantIds: [merchantId], to: second) == exported)
        let back = try SQLStore(path: temporary.url.appendingPathComponent("back.sqlite").path)
        #expect(try await back.importData(from: second) == exported)
        let third = temporary.url.appendingPathComponent("third.kopilka")
        _ = try await back.export(merchantIds: nil, to: third)

        // The same rows on all three (order aside), the invariants on each, the same balances.
        let lines = try [first, second, third].map { Set(try String(contentsOf: $0, encoding: .utf8).split(separator: "\n")) }
        #expect(lines[0] == lines[1] && lines[1] == lines[2])
        let customers = try await source.backend.read { db in
            try db.column("SELECT id FROM customers WHERE merchant_id = ?", [merchantId], as: Int64.self)
        }
        #expect(customers.count == demo.customers)
        for store in [source, postgres, back] {
            #expect(try await store.verify().violations.isEmpty, "\(store.location)")
        }
        for id in customers {
            let balances = try await [source, postgres, back].asyncMap {
                try await $0.customer(merchantId: merchantId, .id(id), now: StoreFixture.t0)?.balance
            }
            #expect(balances[0] != nil && balances[0] == balances[1] && balances[1] == balances[2], "customer \(id)")
        }
    }

    @Test func anImportThatCannotBeCompleteWritesNothing() async throws {
        let f = try await StoreFixture(.sqlite)
        let file = f.folder.appendingPathComponent("one.kopilka")
        _ = try await f.commit(try await f.customer())
        let exported = try await f.store.export(merchantIds: nil, to: file)
        // Into the same database: the merchant is there already.
        await #expect(throws: TransferError.self) { try await f.store.importData(from: file) }
        // Cut short: the end line (and the count) missing.
        let text = try String(contentsOf: file, encoding: .utf8)
        let cut = f.folder.appendingPathComponent("cut.kopilka")
        try text.split(separator: "\n").dropLast().joined(separator: "\n").write(to: cut, atomically: true, encoding: .utf8)
        let other = try await TestDatabase.postgres.open(in: f.temporary)
        await #expect(throws: TransferError.self) { try await other.importData(from: cut) }
        #expect(try await other.merchantIds().isEmpty, "nothing of a refused import is written")
        #expect(try await other.importData(from: file) == exported)
    }
}
