import Foundation
import HTTPTypes
import KopilkaTesting
import Testing

/// Rate limits per key and, without a valid key, per address: 429 with `Retry-After`, and nothing done.
@Suite struct RateLimitTests {
    @Test(arguments: TestDatabase.allCases) func aLimitedRequestIsRefusedAndChangesNothing(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run(configure: { $0.keyRequestsPerSecond = 5; $0.ipRequestsPerSecond = 2 }) { client in
            let (_, till) = try await f.till(client)
            // The pinned clock never refills a bucket: a key has its burst of 10 and no more.
            for index in 0..<10 {
                let reply = try await client.post("/v1/receipts/calculate", key: till, #"{"lines": [{"sku": "A", "quantity": 1000, "price": 100}]}"#)
                #expect(reply.status == 200, "request \(index)")
            }
            let refused = try await client.post(
                "/v1/customers", key: till, #"{"phone": "+79120000042", "consents": {"personalData": true}}"#)
            #expect(refused.status == 429)
            #expect(refused.json["code"] as? String == "rate_limited")
            #expect(refused.headers[.retryAfter] == "1")
            #expect(refused.headers[.contentType] == "application/problem+json")
            // Another key is not held back, and finds that the refused registration did nothing.
            #expect(try await client.get("/v1/customers/lookup?phone=%2B79120000042", key: f.adminKey).status == 404)

            // Without a known key, one address gets a burst of 10: two went on the admin's and the till's first
            // requests (not yet known to be valid), 8 remain (here 401s); then 429 — /health included.
            for _ in 0..<8 { #expect(try await client.get("/v1/program", key: "kpk_adm_0000000000000000000000000000").status == 401) }
            #expect(try await client.get("/v1/program", key: nil).status == 429)
            #expect(try await client.get("/health", key: nil).status == 429)
            // A key this server already knows is valid is not held back by its address's bucket.
            #expect(try await client.get("/v1/program", key: f.adminKey).status == 200)
        }
    }
}
