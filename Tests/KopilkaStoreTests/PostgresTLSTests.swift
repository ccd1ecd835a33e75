import Foundation
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// TLS to PostgreSQL as libpq's `sslmode` says, against the test cluster (which offers TLS with a certificate of its
/// own CA for localhost and 127.0.0.1).
@Suite struct PostgresTLSTests {
    /// Whether the store's connection is encrypted, as the server sees it.
    static func encrypted(_ url: String) async throws -> Bool {
        let location = try #require(PostgresLocation(url: url))
        let store = try await SQLStore.postgres(location)
        return try await store.backend.read { db in
            try db.row("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", [])?["ssl"] ?? false
        }
    }

    static func url(host: String, _ query: String) throws -> String {
        let base = try TestDatabase.freshPostgresLocation()
        return "postgres://\(base.user)@\(host):\(base.port)/\(base.database)?\(query)&pool=2&schema=\(base.schema ?? "public")"
    }

    @Test func sslModesEncryptAndCheckTheServer() async throws {
        guard let ca = ProcessInfo.processInfo.environment["KOPILKA_TEST_POSTGRES_CA"] else {
            Issue.record("KOPILKA_TEST_POSTGRES_CA is not set: run the tests with scripts/test (scripts/postgres sets it)")
            return
        }
        #expect(try await !Self.encrypted(Self.url(host: "127.0.0.1", "sslmode=disable")))
        #expect(try await Self.encrypted(Self.url(host: "127.0.0.1", "sslmode=require")))
        #expect(try await Self.encrypted(Self.url(host: "localhost", "sslmode=verify-full&sslrootcert=\(ca)")))
        #expect(try await Self.encrypted(Self.url(host: "127.0.0.1", "sslmode=verify-ca&sslrootcert=\(ca)")))
        // The system's CAs did not sign the cluster's certificate.
        await #expect(throws: (any Error).self) { try await Self.encrypted(Self.url(host: "localhost", "sslmode=verify-full")) }
        #expect(PostgresLocation(url: "postgres://u@h/db?sslmode=sometimes") == nil, "an sslmode libpq does not know")
    }

    @Test func theURLCarriesTLSToOtherProcesses() throws {
        let location = try #require(PostgresLocation(url: "postgres://u:p@db:5433/loyalty?sslmode=verify-full&sslrootcert=/etc/ca%20b.pem&pool=4"))
        #expect(location.sslMode == .verifyFull && location.sslRootCert == "/etc/ca b.pem")
        #expect(location.connectionURL == "postgres://u:p@db:5433/loyalty?sslmode=verify-full&sslrootcert=/etc/ca%20b.pem")
        #expect(PostgresLocation(url: location.url) == location)
        #expect(try #require(PostgresLocation(url: "postgres://u@db/loyalty")).connectionURL == "postgres://u@db:5432/loyalty?sslmode=disable",
                "libpq (pgbench) would otherwise prefer TLS")
    }
}
