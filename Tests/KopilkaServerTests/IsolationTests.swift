import Foundation
import HTTPTypes
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

/// I8, generated from the route table: every route is probed with merchant A's admin and register keys against
/// merchant B's objects. Objects of B are always `404` (a register key may get `403` on an admin-only route, which
/// says nothing about B), no answer carries anything of B, and B's data is byte-for-byte unchanged afterwards.
@Suite struct IsolationTests {
    /// What a probe must get: B's object not found, or an answer about A only.
    enum Expect { case notFound, aOnly }

    @Test(arguments: TestDatabase.allCases) func merchantAReachesNothingOfMerchantB(_ database: TestDatabase) async throws {
        let found = try await Self.probeMerchantB(database)
        #expect(found.routesWithoutProbe.isEmpty, "every route has a probe: \(found.routesWithoutProbe)")
        #expect(found.leaks.isEmpty, "\(found.leaks)")
        #expect(found.wrongAnswers.isEmpty, "\(found.wrongAnswers)")
        #expect(found.bChangedLines == 0, "merchant B's data changed: \(found.bChangedLines) lines differ")
        #expect(found.violations.isEmpty, "\(found.violations)")
        print("isolation [\(database)]: \(found.probes) probes against merchant B, \(found.leaks.count) leaks")
    }

    /// The suite bites: a store that reads receipts by id alone shows merchant B's receipt to A, and the probes say so.
    @Test func probesCatchAReceiptReadWithoutTheMerchant() async throws {
        let found = try await Self.probeMerchantB(.sqlite, unsafe: .receiptsWithoutTenant)
        print("isolation [broken: receipts-without-tenant]: \(found.probes) probes, \(found.leaks.count) leaks: \(found.leaks)")
        #expect(!found.leaks.isEmpty, "the probes did not notice B's receipt shown to A")
    }

    /// What the probes found.
    struct Findings {
        var probes = 0
        var routesWithoutProbe: Set<String> = []
        /// Answers that carried something of B.
        var leaks: [String] = []
        /// Answers with another status than the route's expectation (or a 5xx).
        var wrongAnswers: [String] = []
        var bChangedLines = 0
        var violations: [Violation] = []
    }

    /// Probes every route with A's admin and register keys against B's objects.
    static func probeMerchantB(_ database: TestDatabase, unsafe: UnsafeVariants = []) async throws -> Findings {
        let found = Shared(Findings())
        let f = try await APIFixture(database)
        f.store.unsafeVariants = unsafe
        let (bMerchant, bAdmin) = try await f.store.createMerchant(name: "Чужой", now: APIFixture.t0)
        var bRules = ProgramRules()
        bRules.accrualRateBp = 1234
        _ = try await f.store.updateProgram(merchantId: parseID(bMerchant.id)!, rules: bRules, expectedVersion: nil, now: APIFixture.t0)
        try await f.run { client in
            let (aStore, tillA) = try await f.till(client)
            // Merchant B: a store, a register, a customer, a receipt, an order, a code batch, a second key.
            let (bStore, bTill) = try await f.till(client, admin: bAdmin.secret)
            let bCustomer = try await f.customer(client, key: bTill, phone: "+79125550001")
            let bReceipt = try #require((try await client.post("/v1/receipts", key: bTill, """
                {"customer": {"id": "\(bCustomer)"}, "externalId": "B-1", "lines": [{"sku": "B", "quantity": 1000, "price": 50000}]}
                """).json["receipt"] as? [String: Any])?["id"] as? String)
            let bOrder = try #require((try await client.post("/v1/orders", key: bTill, """
                {"customer": {"id": "\(bCustomer)"}, "externalId": "BO-1", "lines": [{"sku": "B", "quantity": 1000, "price": 50000}]}
                """).json["hold"] as? [String: Any])?["id"] as? String)
            let bBatch = try #require(try await client.post("/v1/code-batches", key: bAdmin.secret, #"{"name": "Б-коды", "points": 100, "count": 3}"#)
                .json["id"] as? String)
            let bKey = try #require((try await client.post("/v1/keys", key: bAdmin.secret, #"{"name": "Б-ключ"}"#).json["key"] as? [String: Any])?["id"] as? String)
            let bMarks = [bMerchant.id, bStore, bCustomer, bReceipt, bOrder, bBatch, bKey, "Чужой", "Б-коды", "Б-ключ", "79125550001", "\"accrualRateBp\":1234"]
            let before = try await Self.exportLines(f.store, merchant: bMerchant.id, in: f.temporary)

            // An admin key names the store: B's (404); a register key acts for its own, with B's customer (404).
            let sale = #""storeId": "@STORE", "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]"#
            let probes: [String: (path: String, body: String?, expect: Expect)] = [
                "GET /v1/merchant": ("/v1/merchant", nil, .aOnly),
                "PUT /v1/merchant/language": ("/v1/merchant/language", #"{"language": "en", "merchantId": "\#(bMerchant.id)"}"#, .aOnly),
                "GET /v1/program": ("/v1/program", nil, .aOnly),
                "PUT /v1/program": ("/v1/program", #"{"accrualRateBp": 600, "merchantId": "\#(bMerchant.id)", "version": 77}"#, .aOnly),
                "GET /v1/program/versions/{version}": ("/v1/program/versions/2", nil, .aOnly),
                "GET /v1/stores": ("/v1/stores", nil, .aOnly),
                "POST /v1/stores": ("/v1/stores", #"{"name": "Ещё", "merchantId": "\#(bMerchant.id)"}"#, .aOnly),
                "GET /v1/stores/{id}/registers": ("/v1/stores/\(bStore)/registers", nil, .notFound),
                "POST /v1/stores/{id}/registers": ("/v1/stores/\(bStore)/registers", #"{"name": "Касса Б"}"#, .notFound),
                "GET /v1/keys": ("/v1/keys", nil, .aOnly),
                "POST /v1/keys": ("/v1/keys", #"{"name": "k", "role": "register", "merchantId": "\#(bMerchant.id)"}"#, .aOnly),
                "POST /v1/keys/{id}/revoke": ("/v1/keys/\(bKey)/revoke", "{}", .notFound),
                "GET /v1/audit": ("/v1/audit", nil, .aOnly),
                "GET /v1/customers/lookup": ("/v1/customers/lookup?phone=%2B79125550001", nil, .notFound),
                "POST /v1/customers": ("/v1/customers", #"{"phone": "+79125550001", "consents": {"personalData": true}, "balance": 99999900, "merchantId": "\#(bMerchant.id)", "purchaseReceiptId": "\#(bReceipt)"}"#, .aOnly),
                "GET /v1/customers/{id}": ("/v1/customers/\(bCustomer)", nil, .notFound),
                "GET /v1/customers/{id}/ledger": ("/v1/customers/\(bCustomer)/ledger", nil, .notFound),
                "PUT /v1/customers/{id}/groups": ("/v1/customers/\(bCustomer)/groups", #"{"groups": ["x"]}"#, .notFound),
                "GET /v1/customers/{id}/export": ("/v1/customers/\(bCustomer)/export", nil, .notFound),
                "POST /v1/customers/{id}/erasure": ("/v1/customers/\(bCustomer)/erasure", "{}", .notFound),
                "POST /v1/customers/{id}/spend-codes": ("/v1/customers/\(bCustomer)/spend-codes", "{}", .notFound),
                "POST /v1/customers/{id}/adjustments": ("/v1/customers/\(bCustomer)/adjustments", #"{"points": 100000, "reason": "x"}"#, .notFound),
                "POST /v1/customers/{id}/actions": ("/v1/customers/\(bCustomer)/actions", #"{"action": "review", "ref": "r1"}"#, .notFound),
                "GET /v1/fraud-flags": ("/v1/fraud-flags", nil, .aOnly),
                "GET /v1/analytics/dashboard": ("/v1/analytics/dashboard?from=2025-01-01&to=2026-12-31", nil, .aOnly),
                "POST /v1/code-batches": ("/v1/code-batches", #"{"name": "А-коды", "points": 100, "count": 1}"#, .aOnly),
                "GET /v1/code-batches": ("/v1/code-batches", nil, .aOnly),
                "GET /v1/code-batches/{id}/codes": ("/v1/code-batches/\(bBatch)/codes", nil, .notFound),
                "POST /v1/receipts/calculate": ("/v1/receipts/calculate", #"{"customer": {"id": "\#(bCustomer)"}, \#(sale)}"#, .notFound),
                "POST /v1/receipts/batch": ("/v1/receipts/batch", #"{"receipts": [{"idempotencyKey": "b1", "receipt": {"customer": {"id": "\#(bCustomer)"}, "externalId": "X-1", \#(sale)}}]}"#, .aOnly),
                "POST /v1/receipts": ("/v1/receipts", #"{"customer": {"id": "\#(bCustomer)"}, "externalId": "X-2", \#(sale)}"#, .notFound),
                "GET /v1/receipts/{id}": ("/v1/receipts/\(bReceipt)", nil, .notFound),
                "POST /v1/receipts/{id}/returns": ("/v1/receipts/\(bReceipt)/returns", "{}", .notFound),
                "POST /v1/orders": ("/v1/orders", #"{"customer": {"id": "\#(bCustomer)"}, "externalId": "X-3", \#(sale)}"#, .notFound),
                "GET /v1/orders/{id}": ("/v1/orders/\(bOrder)", nil, .notFound),
                "POST /v1/orders/{id}/confirm": ("/v1/orders/\(bOrder)/confirm", "{}", .notFound),
                "POST /v1/orders/{id}/cancel": ("/v1/orders/\(bOrder)/cancel", "{}", .notFound),
            ]
            let routes = kopilkaRouteTable.map { "\($0.method) \($0.path)" }
            found.withLock { $0.routesWithoutProbe = Set(routes).symmetricDifference(probes.keys) }
            for route in routes.sorted() {
                guard let probe = probes[route] else { continue }
                let method = HTTPRequest.Method(String(route.split(separator: " ")[0]))!
                for (role, key) in [("admin", f.adminKey), ("register", tillA)] {
                    let body = probe.body?.replacingOccurrences(of: "@STORE", with: role == "admin" ? bStore : aStore)
                    let reply = try await client.call(method, probe.path, key: key, json: body, idempotencyKey: UUID().uuidString, ifMatch: method == .put ? "2" : nil)
                    found.withLock { $0.probes += 1 }
                    let leaked = bMarks.filter(reply.text.contains)
                    if !leaked.isEmpty { found.withLock { $0.leaks.append("\(route) as \(role) shows B: \(leaked)") } }
                    let allowed = role == "register" ? [403, 404] : [404]
                    if reply.status >= 500 || (probe.expect == .notFound && !allowed.contains(reply.status)) {
                        found.withLock { $0.wrongAnswers.append("\(route) as \(role): \(reply.status) \(reply.text.prefix(200))") }
                    }
                    if route == "POST /v1/receipts/batch", (reply.json["results"] as? [[String: Any]])?.first?["status"] as? Int != 404 {
                        found.withLock { $0.wrongAnswers.append("a batch receipt for B's customer: \(reply.text.prefix(200))") }
                    }
                }
            }
            let after = try await Self.exportLines(f.store, merchant: bMerchant.id, in: f.temporary)
            found.withLock { $0.bChangedLines = after.symmetricDifference(before).count }

            // Protected fields were ignored: A's new customer has no balance from the body, A's keys stay A's admin keys.
            let stranger = try await client.get("/v1/customers/lookup?phone=%2B79125550001", key: f.adminKey)
            #expect((stranger.json["balance"] as? [String: Any])?["spendable"] as? Int == 0)
            let keys = try await client.get("/v1/keys", key: f.adminKey).json["keys"] as? [[String: Any]] ?? []
            #expect(keys.filter { $0["name"] as? String == "k" }.map { $0["role"] as? String } == ["admin"])
        }
        let violations = try await f.store.verify().violations
        return found.withLock { $0.violations = violations; return $0 }
    }

    @Test(arguments: TestDatabase.allCases) func aRegisterActsForItsOwnStoreOnly(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till1) = try await f.till(client)
            let (store2, till2) = try await f.till(client)
            let customer = try await f.customer(client, key: till1)
            let sale = #""lines": [{"sku": "A", "quantity": 1000, "price": 10000}]"#
            let receipt2 = try #require((try await client.post("/v1/receipts", key: till2, #"{"customer": {"id": "\#(customer)"}, "externalId": "S2-1", \#(sale)}"#)
                .json["receipt"] as? [String: Any])?["id"] as? String)
            let order2 = try #require((try await client.post("/v1/orders", key: till2, #"{"customer": {"id": "\#(customer)"}, "externalId": "S2-O", \#(sale)}"#)
                .json["hold"] as? [String: Any])?["id"] as? String)
            let foreignStore = try await client.post("/v1/receipts", key: till1, #"{"storeId": "\#(store2)", "customer": {"id": "\#(customer)"}, "externalId": "S1-1", \#(sale)}"#)
            #expect(foreignStore.status == 403)
            #expect(try await client.get("/v1/receipts/\(receipt2)", key: till1).status == 404)
            #expect(try await client.post("/v1/receipts/\(receipt2)/returns", key: till1, "{}").status == 404)
            #expect(try await client.get("/v1/orders/\(order2)", key: till1).status == 404)
            #expect(try await client.post("/v1/orders/\(order2)/confirm", key: till1, "{}").status == 404)
            #expect(try await client.post("/v1/orders/\(order2)/cancel", key: till1, "{}").status == 404)
            // Every admin-only route refuses a register key with 403.
            for (method, path) in [("GET", "/v1/stores"), ("POST", "/v1/keys"), ("PUT", "/v1/program"), ("GET", "/v1/audit"), ("GET", "/v1/customers/\(customer)"),
                                   ("POST", "/v1/code-batches"), ("GET", "/v1/customers/\(customer)/export"), ("POST", "/v1/customers/\(customer)/erasure"),
                                   ("POST", "/v1/customers/\(customer)/adjustments"), ("GET", "/v1/fraud-flags")] {
                let reply = try await client.call(HTTPRequest.Method(method)!, path, key: till1, json: method == "GET" ? nil : #"{"name": "x"}"#, ifMatch: "2")
                #expect(reply.status == 403, "\(method) \(path)")
            }
            let order = try await client.get("/v1/orders/\(order2)", key: till2).json
            #expect(order["status"] as? String == "held", "the other store's order is untouched")
        }
    }

    /// B's export as a set of lines (the header's timestamp aside).
    static func exportLines(_ store: SQLStore, merchant: String, in folder: TemporaryFolder) async throws -> Set<String> {
        let url = folder.url.appendingPathComponent("b-\(UUID().uuidString).jsonl")
        _ = try await store.export(merchantIds: [parseID(merchant)!], to: url)
        return Set(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map(String.init))
    }
}
