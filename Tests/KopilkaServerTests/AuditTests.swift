import Foundation
import KopilkaCore
import KopilkaServer
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// I10: every privileged change leaves a record naming the key that made it, and the chain shows any tampering.
@Suite struct AuditTests {
    @Test(arguments: TestDatabase.allCases) func privilegedChangesAreRecordedAndChained(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let keys = try await client.get("/v1/keys", key: f.adminKey).json["keys"] as? [[String: Any]] ?? []
            let adminKeyId = try #require(keys.first?["id"] as? String)
            let (_, till) = try await f.till(client)
            let customer = try await f.customer(client, key: till)
            let put = try await client.call(.put, "/v1/program", key: f.adminKey, json: #"{"accrualRateBp": 700}"#, ifMatch: "2")
            #expect(put.status == 200, "\(put.text)")
            let extra = try await client.post("/v1/keys", key: f.adminKey, #"{"name": "Бухгалтерия"}"#)
            let extraId = try #require((extra.json["key"] as? [String: Any])?["id"] as? String)
            #expect(try await client.post("/v1/keys/\(extraId)/revoke", key: f.adminKey, "{}").status == 200)
            #expect(try await client.post("/v1/keys/\(extraId)/revoke", key: f.adminKey, "{}").status == 200, "a second revocation changes nothing")
            #expect(try await client.call(.put, "/v1/customers/\(customer)/groups", key: f.adminKey, json: #"{"groups": ["staff"]}"#).status == 200)
            #expect(try await client.get("/v1/customers/\(customer)/export", key: f.adminKey).status == 200)
            #expect(try await client.post("/v1/customers/\(customer)/erasure", key: f.adminKey, "{}").status == 200)
            // Reads and till work leave no record; a register key may not read the log.
            #expect(try await client.get("/v1/audit", key: till).status == 403)

            let page = try await client.get("/v1/audit?limit=4", key: f.adminKey)
            #expect(page.status == 200)
            var records = page.json["records"] as? [[String: Any]] ?? []
            let next = try #require(page.json["next"] as? String)
            records += try await client.get("/v1/audit?after=\(next)", key: f.adminKey).json["records"] as? [[String: Any]] ?? []
            let actions = records.map { "\($0["actor"] as? String ?? "?") \($0["action"] as? String ?? "?")" }
            let key = "key:\(adminKeyId)"
            #expect(actions == [
                "operator merchant.create", "operator key.create", "operator program.update", "\(key) store.create",
                "\(key) register.create", "\(key) key.create", "\(key) program.update", "\(key) key.create", "\(key) key.revoke",
                "\(key) customer.groups", "\(key) customer.export", "\(key) customer.erase",
            ])
            #expect(records.map { $0["seq"] as? Int } == Array(1...12).map { Optional($0) })
            let program = try #require(records.last { $0["action"] as? String == "program.update" })
            #expect((program["before"] as? String)?.contains("\"version\":2") == true)
            #expect((program["after"] as? String)?.contains("\"accrualRateBp\":700") == true)
            let all = records.map { "\($0)" }.joined()
            let leaks = [f.adminKey, till, "9123456789"].filter(all.contains)
            #expect(leaks.isEmpty, "no key secret or phone in the log (keys appear by id and display prefix only)")
        }
        let report = try await f.store.verify()
        #expect(report.violations.isEmpty, "\(report.violations)")
        #expect(report.auditRecords == 12)

        // The chain bites: an edited record, then a removed one, are each found.
        _ = try await f.store.backend.write { db in
            try db.run("UPDATE audit_log SET after = ? WHERE merchant_id = ? AND seq = 7", [#"{"accrualRateBp":100}"#, f.merchantId])
        }
        let edited = try await f.store.verify().violations
        #expect(edited.map(\.invariant) == ["I10"], "\(edited)")
        #expect(edited.first?.subject == "audit 7")
        _ = try await f.store.backend.write { db in try db.run("DELETE FROM audit_log WHERE merchant_id = ? AND seq = 12", [f.merchantId]) }
        #expect(try await f.store.verify().violations.map(\.subject).contains("audit 12"), "the last record removed")
        _ = try await f.store.backend.write { db in try db.run("DELETE FROM audit_log WHERE merchant_id = ? AND seq = 3", [f.merchantId]) }
        let removed = try await f.store.verify().violations
        #expect(removed.map(\.subject).contains("audit 3"), "\(removed)")
    }
}
