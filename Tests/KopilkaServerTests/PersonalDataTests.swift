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
        let problems = try await Self.exportEraseAndReadTheLogs(database)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The canary test bites: a server whose request log line carries the query writes the looked-up phone to the log.
    @Test func aLogLineWithTheQueryIsCaught() async throws {
        let problems = try await Self.exportEraseAndReadTheLogs(.sqlite, unsafe: .logsQueries)
        print("personal data [broken: logs-queries]: \(problems)")
        #expect(problems.contains { $0.contains("a log line holds +7999") }, "\(problems)")
    }

    /// Registers a canary customer, exports, erases, and reads every log line; what went wrong, as sentences.
    static func exportEraseAndReadTheLogs(_ database: TestDatabase, unsafe: UnsafeVariants = []) async throws -> [String] {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 100_00
        let f = try await APIFixture(database, rules: rules)
        let tillKey = Mutex("")
        let problems = ProblemList()
        try await f.run(configure: { $0.unsafeVariants = unsafe }) { client in
            let (_, till) = try await f.till(client)
            tillKey.withLock { $0 = till }
            let registered = try await client.post("/v1/customers", key: till, """
                {"phone": "\(Self.canaryPhone)", "name": "\(Self.canaryName)", "email": "\(Self.canaryEmail)", "birthday": "1991-02-03",
                 "consents": {"personalData": true, "marketing": true}}
                """, idempotencyKey: "reg-canary")
            problems.check(registered.status == 201, "registration: \(registered.status)")
            let id = try #require((registered.json["customer"] as? [String: Any])?["id"] as? String)
            let other = try await f.customer(client, key: till, phone: "+79120000777")
            let sale = try await client.post("/v1/receipts", key: till, """
                {"customer": {"phone": "\(Self.canaryPhone)"}, "externalId": "C-1", "lines": [{"sku": "A", "quantity": 1000, "price": 200000}], "redeem": 5000}
                """)
            problems.check(sale.status == 201, "sale: \(sale.status)")
            _ = try await client.post("/v1/receipts", key: till, """
                {"customer": {"id": "\(other)"}, "externalId": "C-2", "lines": [{"sku": "A", "quantity": 1000, "price": 100000}]}
                """)

            let export = try await client.get("/v1/customers/\(id)/export", key: f.adminKey)
            problems.check(export.status == 200, "export: \(export.status)")
            let profile = export.json["profile"] as? [String: Any] ?? [:]
            problems.check(profile["phone"] as? String == Self.canaryPhone, "the export lacks the phone")
            problems.check(profile["email"] as? String == Self.canaryEmail, "the export lacks the email")
            problems.check((profile["consents"] as? [String: Any])?["marketing"] as? Bool == true, "the export lacks the marketing consent")
            let entries = export.json["ledger"] as? [[String: Any]] ?? []
            problems.check(entries.compactMap { $0["kind"] as? String } == ["welcome", "redemption", "accrual"], "ledger kinds \(entries.compactMap { $0["kind"] as? String })")
            problems.check(!export.text.contains(other) && !export.text.contains("79120000777"), "the export holds this customer only")
            problems.check(try await client.get("/v1/customers/\(id)/export", key: till).status == 403, "a till key exported a customer")

            let erased = try await client.post("/v1/customers/\(id)/erasure", key: f.adminKey, "{}")
            problems.check(erased.status == 200, "erasure: \(erased.status)")
            problems.check(erased.json["erasedAt"] as? String != nil, "erasure without erasedAt")
            problems.check(erased.json["card"] as? String == "erased-\(id)", "card after erasure: \(erased.json["card"] ?? "none")")
            for field in ["phone", "name", "email", "birthday"] { problems.check(erased.json[field] == nil, "\(field) erased") }
            problems.check((erased.json["consents"] as? [String: Any])?["personalData"] as? Bool == false, "the personal data consent stays after erasure")
            problems.check(try await client.post("/v1/customers/\(id)/erasure", key: f.adminKey, "{}").status == 200, "erasing again is harmless")
            problems.check(try await client.get("/v1/customers/lookup?phone=\(Self.canaryPhone)", key: till).status == 404, "the erased phone is still found")
            let after = try await client.get("/v1/customers/\(id)/export", key: f.adminKey)
            problems.check((after.json["ledger"] as? [[String: Any]])?.count == 3, "the ledger stays under the pseudonymous id")
            for canary in [Self.canaryPhone, "9990004217", Self.canaryEmail, Self.canaryName, "1991-02-03"] {
                problems.check(!after.text.contains(canary), "\(canary) is gone from the export")
            }
            // The stored reply of the registration showed the customer; it is gone, so the phone can join afresh.
            let rejoined = try await client.post("/v1/customers", key: till, """
                {"phone": "\(Self.canaryPhone)", "consents": {"personalData": true}}
                """)
            problems.check(rejoined.status == 201, "joining again: \(rejoined.status)")
            problems.check((rejoined.json["customer"] as? [String: Any])?["id"] as? String != id, "joining again gave the erased id")
        }
        let report = try await f.store.verify()
        problems.check(report.violations.isEmpty, "\(report.violations)")
        let logs = f.logs.all.joined(separator: "\n")
        problems.check(!logs.isEmpty, "no log lines at all")
        for canary in [Self.canaryPhone, "9990004217", Self.canaryEmail, Self.canaryName, "1991-02-03", f.adminKey, tillKey.withLock { $0 }] {
            problems.check(!logs.contains(canary), "a log line holds \(canary.prefix(8))…")
        }
        return problems.all
    }
}
