import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Runs the real `kopilka` executable, kills it with SIGKILL right after a burst of acknowledged commits,
/// and checks that every acknowledged receipt is in the database and the ledger still balances.
@Suite(.serialized) struct CrashTests {
    @Test func acknowledgedCommitsSurviveSIGKILL() async throws {
        guard FileManager.default.isExecutableFile(atPath: KopilkaProcess.executable.path) else {
            Issue.record("build the executable first: swift build --build-tests")
            return
        }
        let temporary = try TemporaryFolder("kopilka-crash")
        defer { withExtendedLifetime(temporary) {} }
        let folder = temporary.url
        let database = folder.appendingPathComponent("crash.sqlite").path
        let created = try KopilkaProcess.run(["merchant", "create", "--name", "Crash", "--json", "--database", database])
        #expect(created.status == 0)
        let admin = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: String])?["adminKey"])
        let server = try await KopilkaProcess.serve(database: database)
        defer { server.kill() }
        let base = server.base

        let (_, shop) = try await KopilkaProcess.request("POST", "\(base)/v1/stores", key: admin, body: #"{"name": "Shop"}"#)
        let storeId = try #require(shop["id"] as? String)
        let (_, customer) = try await KopilkaProcess.request(
            "POST", "\(base)/v1/customers", key: admin, body: #"{"phone": "+79120000001", "consents": {"personalData": true}}"#,
            idempotencyKey: "reg")
        let customerId = try #require((customer["customer"] as? [String: Any])?["id"] as? String)

        // 200 commits, 16 in flight; the server dies the moment the last answer arrives.
        let acknowledged = try await withThrowingTaskGroup(of: String?.self) { group in
            var ids: [String] = []
            var next = 0
            func add() {
                let index = next
                next += 1
                group.addTask {
                    let body = """
                        {"storeId": "\(storeId)", "customer": {"id": "\(customerId)"}, "externalId": "K-\(index)",
                         "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]}
                        """
                    let (status, reply) = try await KopilkaProcess.request("POST", "\(base)/v1/receipts", key: admin, body: body, idempotencyKey: "k-\(index)")
                    return status == 201 ? (reply["receipt"] as? [String: Any])?["id"] as? String : nil
                }
            }
            for _ in 0..<16 { add() }
            while let id = try await group.next() {
                if let id { ids.append(id) }
                if next < 200 { add() }
            }
            return ids
        }
        server.kill()
        #expect(acknowledged.count == 200)

        let verify = try KopilkaProcess.run(["verify", "--database", database])
        #expect(verify.status == 0, "\(verify.output)")
        let store = try SQLStore(path: database)
        let merchantId = try #require(try await store.merchantIds().first)
        for id in acknowledged {
            #expect(try await store.receipt(merchantId: merchantId, receiptId: parseID(id)!) != nil, "acknowledged receipt \(id) lost")
        }
        let found = try await store.customer(merchantId: merchantId, .id(parseID(customerId)!), now: Int64(Date().timeIntervalSince1970))
        let spendable = try #require(found).balance.spendable
        #expect(spendable == 200 * 5_00, "each receipt earned 5 points, exactly once")
    }
}
