import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

@Suite struct ProtocolErrorTests {
    @Test(arguments: TestDatabase.allCases) func anotherMerchantsObjectsAreNotFound(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        let (_, otherAdmin) = try await f.store.createMerchant(name: "Чужой", now: APIFixture.t0)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let (_, otherTill) = try await f.till(client, admin: otherAdmin.secret)
            let id = try await f.customer(client, key: till)
            let sale = try await client.post("/v1/receipts", key: till, #"{"customer": {"id": "\#(id)"}, "externalId": "1", "lines": [{"sku": "A", "quantity": 1000, "price": 1000}]}"#)
            let receiptId = try #require((sale.json["receipt"] as? [String: Any])?["id"] as? String)
            for path in ["/v1/customers/lookup?id=\(id)", "/v1/customers/lookup?phone=89123456789", "/v1/customers/\(id)/ledger",
                         "/v1/receipts/\(receiptId)"] {
                let reply = try await client.get(path, key: otherTill)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.json["code"] as? String == "not_found")
            }
            #expect(try await client.get("/v1/customers/\(id)", key: otherAdmin.secret).status == 404)
            let foreignReturn = try await client.post("/v1/receipts/\(receiptId)/returns", key: otherTill, "{}")
            #expect(foreignReturn.status == 404)
            let foreignSale = try await client.post("/v1/receipts", key: otherTill, #"{"customer": {"id": "\#(id)"}, "externalId": "2", "lines": [{"sku": "A", "quantity": 1000, "price": 1000}]}"#)
            #expect(foreignSale.status == 404)
        }
        #expect(try await f.store.verify().violations.isEmpty)
    }

    @Test(arguments: TestDatabase.allCases) func keysAndRoles(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            #expect(try await client.get("/v1/program", key: nil).status == 401)
            #expect(try await client.get("/v1/program", key: "kpk_adm_nonsense").status == 401)
            let put = try await client.call(.put, "/v1/program", key: till, json: #"{"accrualRateBp": 10000}"#, ifMatch: "1")
            #expect(put.status == 403)
            #expect(put.json["code"] as? String == "forbidden")
            #expect(try await client.get("/v1/keys", key: till).status == 403)
            let id = try await f.customer(client, key: till)
            #expect(try await client.get("/v1/customers/\(id)", key: till).status == 403, "full profiles are for admin keys")
            let profile = try await client.get("/v1/customers/\(id)", key: f.adminKey)
            #expect(profile.json["phone"] as? String == "+79123456789")
            // Revoking the register key stops it on the next request.
            let keys = try await client.get("/v1/keys", key: f.adminKey).json["keys"] as? [[String: Any]] ?? []
            let registerKey = try #require(keys.first { $0["role"] as? String == "register" }?["id"] as? String)
            #expect(try await client.post("/v1/keys/\(registerKey)/revoke", key: f.adminKey, "{}").status == 200)
            #expect(try await client.get("/v1/program", key: till).status == 401)
        }
    }

    @Test(arguments: [
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": 12.5}]}"#, "lines[0].price"),
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": 9223372036854775808}]}"#, "lines[0].price"),
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": -1}]}"#, "lines[0].price"),
        (#"{"lines": [{"sku": "A", "price": 100}]}"#, "lines[0].quantity"),
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": 100, "flags": ["free"]}]}"#, "lines[0].flags[0]"),
        (#"{"lines": []}"#, "lines"),
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": 100}], "redeem": "all"}"#, "redeem"),
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": 100}], "customer": {"phone": "12"}}"#, "customer.phone"),
        (#"{"lines": [{"sku": "A", "quantity": 1000, "price": 100}], "customer": {"card": "2000000000000"}}"#, "customer.card"),
        (#"[1, 2"#, "body"),
        (#""#, "body"),
    ])
    func badBodiesGetAClearProblem(body: String, field: String) async throws {
        let f = try await APIFixture(.sqlite)
        try await f.run { client in
            let reply = try await client.call(.post, "/v1/receipts/calculate", key: f.adminKey, json: body)
            #expect(reply.status == 400, "\(reply.text)")
            #expect(reply.headers[.contentType] == "application/problem+json")
            #expect(reply.json["code"] as? String == "validation_failed")
            let fields = (reply.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields.contains(field), "\(reply.text)")
        }
    }

    @Test(arguments: TestDatabase.allCases) func transportProblems(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let wrongType = try await client.call(.post, "/v1/receipts/calculate", key: f.adminKey, json: "a=1", contentType: "application/x-www-form-urlencoded")
            #expect(wrongType.status == 415)
            let huge = "{\"lines\": [" + String(repeating: #"{"sku": "A", "quantity": 1000, "price": 100},"#, count: 3000) + "]}"
            let tooLarge = try await client.call(.post, "/v1/receipts/calculate", key: f.adminKey, json: huge)
            #expect(tooLarge.status == 413)
            #expect(tooLarge.json["code"] as? String == "body_too_large")
            let nowhere = try await client.get("/v1/nowhere", key: f.adminKey)
            #expect(nowhere.status == 404)
            #expect(nowhere.json["code"] as? String == "not_found")
            let wrongMethod = try await client.call(.delete, "/v1/program", key: f.adminKey)
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.headers[.allow] == "GET, PUT")
            #expect(wrongMethod.json["code"] as? String == "method_not_allowed")
            let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
            #expect(try await client.call(.post, "/v1/receipts/calculate", key: f.adminKey, json: deep).status == 400)
            #expect(try await client.get("/health", key: nil).status == 200)
            let spec = try await client.get("/openapi.yaml", key: nil)
            #expect(spec.status == 200)
            #expect(spec.text.hasPrefix("openapi: 3.1"))
            let metrics = try await client.get("/metrics", key: nil).text
            #expect(metrics.contains("kopilka_http_requests_total") && metrics.contains("\nkopilka_write_conflicts_total 0\n"))
        }
    }

    @Test(arguments: TestDatabase.allCases) func registrationIsValidatedAndUnique(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let bad = try await client.post("/v1/customers", key: till, #"{"phone": "12", "email": "x", "birthday": "2001-02-30", "consents": {"personalData": false}}"#)
            #expect(bad.status == 400)
            let fields = (bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(fields == ["phone", "email", "birthday", "consents.personalData"])
            _ = try await f.customer(client, key: till, phone: "+7 912 000-00-01")
            let duplicate = try await client.post("/v1/customers", key: till, #"{"phone": "89120000001", "consents": {"personalData": true}}"#)
            #expect(duplicate.status == 409)
            #expect(duplicate.json["code"] as? String == "customer_exists")
        }
    }
}

@Suite struct OpenAPIDocumentTests {
    /// Every served route is in the document, with its method, and the document names no route we do not serve.
    @Test func documentsEveryRoute() async throws {
        let f = try await APIFixture(.sqlite)
        try await f.run { client in
            let spec = try await client.get("/openapi.yaml", key: nil).text
            var documented: Set<String> = []
            var currentPath: String?
            for line in spec.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("  /"), line.hasSuffix(":") {
                    currentPath = String(line.dropFirst(2).dropLast())
                } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path = currentPath {
                    let word = line.trimmingCharacters(in: .whitespaces).dropLast()
                    if ["get", "put", "post", "delete", "patch"].contains(word) { documented.insert("\(word.uppercased()) \(path)") }
                } else if !line.hasPrefix(" "), !line.isEmpty {
                    currentPath = nil
                }
            }
            let served = Set(kopilkaRouteTable.map { "\($0.method) \($0.path)" } + ["GET /health", "GET /ready", "GET /openapi.yaml", "GET /metrics"])
            #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented).sorted())")
            #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served).sorted())")
        }
    }
}

@Suite struct ProgramVersionTests {
    @Test(arguments: TestDatabase.allCases) func savingIsGuardedByTheVersion(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let read = try await client.get("/v1/program", key: f.adminKey)
            let etag = try #require(read.headers[.eTag])
            let version = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let missing = try await client.call(.put, "/v1/program", key: f.adminKey, json: #"{"accrualRateBp": 700}"#)
            #expect(missing.status == 428)
            let first = try await client.call(.put, "/v1/program", key: f.adminKey, json: #"{"accrualRateBp": 700}"#, ifMatch: version)
            #expect(first.status == 200)
            // A second admin who read the same version cannot overwrite the first one's change.
            let second = try await client.call(.put, "/v1/program", key: f.adminKey, json: #"{"accrualRateBp": 300}"#, ifMatch: version)
            #expect(second.status == 409)
            #expect(second.json["code"] as? String == "version_conflict")
            let now = try await client.get("/v1/program", key: f.adminKey).json
            #expect((now["rules"] as? [String: Any])?["accrualRateBp"] as? Int == 700)
            // Bad rules change nothing.
            let newVersion = String(now["version"] as! Int)
            let bad = try await client.call(.put, "/v1/program", key: f.adminKey, json: #"{"accrualRateBp": 10001, "pointsStep": 3}"#, ifMatch: newVersion)
            #expect(bad.status == 400)
            #expect((bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } == ["accrualRateBp", "pointsStep"])
            #expect(try await client.get("/v1/program", key: f.adminKey).json["version"] as? Int == Int(newVersion))
            // The old version stays readable.
            let old = try await client.get("/v1/program/versions/\(version)", key: f.adminKey)
            #expect(old.status == 200)
            #expect((old.json["rules"] as? [String: Any])?["accrualRateBp"] as? Int == 500)
        }
    }
}
