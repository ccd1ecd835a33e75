import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Synchronization
import Testing

/// A customer's data export holds that customer only; erasure removes personal data and keeps the ledger; no canary
/// phone, email, name or key ever reaches a log line.
@Suite struct PersonalDataTests {
    static let canaryPhone = "+79990004217"
    static let canaryEmail = "canary.4217@example.org"
    static let canaryName = "Канарейкина"

    @Test(arguments: TestDatabase.allCases) func exportAndErasureKeepTheLedgerAndLeakNothing(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 100_00
        let f = try await APIFixture(database, rules: rules)
        let tillKey = Mutex("")
        try await f.run { client in
            let (_, till) = try await f.till(client)
            tillKey.withLock { $0 = till }
            let registered = try await client.post("/v1/customers", key: till, """
                {"phone": "\(Self.canaryPhone)", "name": "\(Self.canaryName)", "email": "\(Self.canaryEmail)", "birthday": "1991-02-03",
                 "consents": {"personalData": true, "marketing": true}}
                """, idempotencyKey: "reg-canary")
            #expect(registered.status == 201)
            let id = try #require((registered.json["customer"] as? [String: Any])?["id"] as? String)
            let other = try await f.customer(client, key: till, phone: "+79120000777")
            let sale = try await client.post("/v1/receipts", key: till, """
                {"customer": {"phone": "\(Self.canaryPhone)"}, "externalId": "C-1", "lines": [{"sku": "A", "quantity": 1000, "price": 200000}], "redeem": 5000}
                """)
            #expect(sale.status == 201)
            _ = try await client.post("/v1/receipts", key: till, """
                {"customer": {"id": "\(other)"}, "externalId": "C-2", "lines": [{"sku": "A", "quantity": 1000, "price": 100000}]}
                """)

            let export = try await client.get("/v1/customers/\(id)/export", key: f.adminKey)
            #expect(export.status == 200)
            let profile = export.json["profile"] as? [String: Any] ?? [:]
            #expect(profile["phone"] as? String == Self.canaryPhone)
            #expect(profile["email"] as? String == Self.canaryEmail)
            #expect((profile["consents"] as? [String: Any])?["marketing"] as? Bool == true)
            let entries = export.json["ledger"] as? [[String: Any]] ?? []
            #expect(entries.compactMap { $0["kind"] as? String } == ["welcome", "redemption", "accrual"])
            #expect(!export.text.contains(other) && !export.text.contains("79120000777"), "the export holds this customer only")
            #expect(try await client.get("/v1/customers/\(id)/export", key: till).status == 403)

            let erased = try await client.post("/v1/customers/\(id)/erasure", key: f.adminKey, "{}")
            #expect(erased.status == 200)
            #expect(erased.json["erasedAt"] as? String != nil)
            #expect(erased.json["card"] as? String == "erased-\(id)")
            for field in ["phone", "name", "email", "birthday"] { #expect(erased.json[field] == nil, "\(field) erased") }
            #expect((erased.json["consents"] as? [String: Any])?["personalData"] as? Bool == false)
            #expect(try await client.post("/v1/customers/\(id)/erasure", key: f.adminKey, "{}").status == 200, "erasing again is harmless")
            #expect(try await client.get("/v1/customers/lookup?phone=\(Self.canaryPhone)", key: till).status == 404)
            let after = try await client.get("/v1/customers/\(id)/export", key: f.adminKey)
            #expect((after.json["ledger"] as? [[String: Any]])?.count == 3, "the ledger stays under the pseudonymous id")
            for canary in [Self.canaryPhone, "9990004217", Self.canaryEmail, Self.canaryName, "1991-02-03"] {
                #expect(!after.text.contains(canary), "\(canary) is gone from the export")
            }
            // The stored reply of the registration showed the customer; it is gone, so the phone can join afresh.
            let rejoined = try await client.post("/v1/customers", key: till, """
                {"phone": "\(Self.canaryPhone)", "consents": {"personalData": true}}
                """)
            #expect(rejoined.status == 201)
            #expect((rejoined.json["customer"] as? [String: Any])?["id"] as? String != id)
        }
        let report = try await f.store.verify()
        #expect(report.violations.isEmpty, "\(report.violations)")
        let logs = f.logs.all.joined(separator: "\n")
        #expect(!logs.isEmpty)
        for canary in [Self.canaryPhone, "9990004217", Self.canaryEmail, Self.canaryName, "1991-02-03", f.adminKey, tillKey.withLock { $0 }] {
            #expect(!logs.contains(canary), "a log line holds \(canary.prefix(8))…")
        }
    }
}
