import Foundation
import HTTPTypes
@testable import KopilkaServer
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Behind nginx, per-address limits count the client the proxy names, and only a trusted proxy may name it.
@Suite struct TrustedProxyTests {
    static func headers(_ pairs: [(String, String)]) -> HTTPFields {
        var fields: HTTPFields = [:]
        for (name, value) in pairs { fields.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        return fields
    }

    @Test func rangesParseAndMatch() throws {
        let proxies = try TrustedProxies(parsing: ["127.0.0.1, 10.0.0.0/8", "::1", "2001:db8::/32"])
        #expect(proxies.ranges.map(\.description) == ["127.0.0.1/32", "10.0.0.0/8", "::1/128", "2001:db8::/32"])
        for (address, trusted) in [
            ("127.0.0.1", true), ("127.0.0.2", false), ("10.255.0.1", true), ("11.0.0.1", false), ("::1", true),
            ("::ffff:10.1.2.3", true), ("2001:db8:ffff::1", true), ("2001:db9::1", false),
        ] {
            #expect(proxies.trusts(try #require(IPAddress.bytes(address))) == trusted, "\(address)")
        }
        for wrong in ["10.0.0.0/33", "localhost", "300.1.1.1", "::1/129", "10.0.0.0/"] {
            #expect(throws: TrustedProxies.InvalidRange.self, "\(wrong)") { try TrustedProxies(parsing: [wrong]) }
        }
    }

    @Test func theClientIsTheLastAddressNoTrustedProxyVouchesFor() throws {
        let proxies = try TrustedProxies(parsing: ["10.0.0.0/8"])
        func client(_ peer: String, _ pairs: [(String, String)]) -> String? { proxies.client(peer: peer, headers: Self.headers(pairs)) }
        #expect(client("203.0.113.9", [("X-Forwarded-For", "198.51.100.1")]) == "203.0.113.9", "an untrusted peer names nobody")
        #expect(client("10.0.0.2", [("X-Forwarded-For", "198.51.100.1")]) == "198.51.100.1")
        #expect(client("10.0.0.2", [("X-Forwarded-For", "6.6.6.6, 198.51.100.1, 10.0.0.7")]) == "198.51.100.1",
                "what the client wrote itself (6.6.6.6) is left of what the proxies vouch for")
        #expect(client("10.0.0.2", [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.1")]) == "198.51.100.1")
        #expect(client("10.0.0.2", [("Forwarded", #"for=6.6.6.6, for="[2001:db8::7]:4711";proto=https"#)]) == "2001:db8::7")
        #expect(client("10.0.0.2", [("Forwarded", "for=198.51.100.3:8080"), ("X-Forwarded-For", "6.6.6.6")]) == "198.51.100.3",
                "Forwarded is read before X-Forwarded-For")
        #expect(client("10.0.0.2", []) == "10.0.0.2", "a trusted peer that names no one is the client")
        #expect(client("10.0.0.2", [("X-Forwarded-For", "10.0.0.3")]) == "10.0.0.3", "all trusted: the first named")
        #expect(client("10.0.0.2", [("X-Forwarded-For", "unknown")]) == "10.0.0.2", "a name that is no address: the peer")
    }

    /// Over a real socket (the peer is 127.0.0.1): behind a trusted proxy, one client's burst does not hold back another;
    /// without the trust, the header is ignored and they share the proxy's bucket.
    @Test(arguments: [true, false]) func oneClientsBurstDoesNotThrottleAnother(trusted: Bool) async throws {
        let f = try await APIFixture(.sqlite)
        try await f.run(setup: .live, configure: {
            $0.ipRequestsPerSecond = 2
            if trusted { $0.trustedProxies = try! TrustedProxies(parsing: ["127.0.0.1", "::1"]) }
        }) { client in try await Self.burst(client, trusted: trusted) }
    }

    static func burst(_ client: APIFixture.Client, trusted: Bool) async throws {
        func health(_ forwardedFor: String) async throws -> Int {
            try await client.call(.get, "/health", key: nil, headers: headers([("X-Forwarded-For", forwardedFor)])).status
        }
        // A burst of 10 per address (pinned clock: never refilled).
        for index in 0..<10 {
            let status = try await health("198.51.100.1")
            #expect(status == 200, "request \(index)")
        }
        let over = try await health("198.51.100.1"), forged = try await health("6.6.6.6, 198.51.100.1")
        #expect(over == 429 && forged == 429, "a forged first hop does not make another client: \(forged)")
        let other = try await health("198.51.100.2")
        #expect(other == (trusted ? 200 : 429), "another client behind the proxy")
    }

    /// `/health` is the process; `/ready` is the process and its database: with the database unable to answer (its
    /// merchants table gone), `/ready` is `503 not_ready` while `/health` stays 200.
    @Test(arguments: TestDatabase.allCases) func readyAsksTheDatabase(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            #expect(try await client.get("/ready", key: nil).json["status"] as? String == "ready")
            _ = try await f.store.backend.write { db in try db.rows("ALTER TABLE merchants RENAME TO merchants_away", []) }
            let down = try await client.get("/ready", key: nil)
            #expect(down.status == 503 && down.json["code"] as? String == "not_ready", "\(down.status) \(down.text)")
            #expect(try await client.get("/health", key: nil).status == 200)
            _ = try await f.store.backend.write { db in try db.rows("ALTER TABLE merchants_away RENAME TO merchants", []) }
            #expect(try await client.get("/ready", key: nil).status == 200)
        }
    }
}
