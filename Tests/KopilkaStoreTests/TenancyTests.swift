import Foundation
import KopilkaCore
import KopilkaDemo
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// What lets the schema be distributed by merchant (docs/scaling.md): every table's primary key starts with
/// `merchant_id`, every unique index includes it, and every statement the store sends names the merchant.
@Suite struct TenancyTests {
    /// Statements that do not belong to one merchant, and why (docs/scaling.md).
    static let crossTenant: Set<String> = [
        // Keys are found by hash before the merchant is known: api_keys is a reference table.
        SQLStore.principalByHash,
        // The list of merchants for maintenance and verify: merchants is a reference table.
        "SELECT merchant_id FROM merchants ORDER BY merchant_id",
        // Staff sign in by email, and a browser's session is found by its token's hash, before the merchant is known:
        // like api_keys, reference lookups (docs/scaling.md).
        "SELECT * FROM staff WHERE email = ? AND disabled_at IS NULL", "SELECT 1 FROM staff WHERE email = ?",
        "SELECT * FROM web_sessions WHERE token_hash = ? AND expires_at > ?", "DELETE FROM web_sessions WHERE token_hash = ?",
        // The coordinator's own bookkeeping.
        "SELECT name FROM schema_migrations", "SELECT name FROM schema_migrations ORDER BY name",
        "INSERT INTO schema_migrations (name) VALUES (?)", "SELECT nextval('process_tags') % 1024 AS tag",
        "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.' || ?)) AS taken",
        // Other tests' own statements in this process: a database taken away from `/ready` (TrustedProxyTests).
        "ALTER TABLE merchants RENAME TO merchants_away", "ALTER TABLE merchants_away RENAME TO merchants",
    ]

    @Test func everyTableAndQueryLeadsWithTheMerchant() async throws {
        let temporary = try TemporaryFolder("kopilka-tenancy")
        let store = try await TestDatabase.postgres.open(in: temporary)
        // Exercise every use case: demo history (customers, receipts, returns, holds), codes, maintenance, verify, export.
        var options = DemoSeeder.Options(end: StoreFixture.t0)
        options.customers = 20
        options.days = 10
        options.seed = 3
        let demo = try await DemoSeeder(store: store, options: options).run()
        let merchantId = parseID(demo.merchant.id)!
        _ = try await store.createCodeBatch(merchantId: merchantId, NewCodeBatch(name: "Coupons", points: 100_00, count: 5), now: StoreFixture.t0)
        _ = try await store.runMaintenance(now: StoreFixture.t0 + 400 * 86_400, batchSize: 100)
        _ = try await store.pruneIdempotencyKeys(olderThan: StoreFixture.t0)
        _ = try await store.verify()
        _ = try await store.export(merchantIds: nil, to: temporary.url.appendingPathComponent("all.kopilka"))
        // The console: analytics folded and read, staff signing in and out.
        try await store.rollUpAnalytics(lagSeconds: 0, batchSize: 50)
        _ = try await store.dashboard(merchantId: merchantId, from: nil, to: nil, now: StoreFixture.t0)
        let password = PasswordHash(hash: [1], salt: [2], params: "test")
        _ = try await store.createStaff(
            merchantId: merchantId, email: "o@shop.test", name: "O", role: .owner, password: password, now: StoreFixture.t0, actor: .operator)
        let staff = try #require(try await store.staffCredentials(email: "O@shop.test"))
        try await store.openSession(
            merchantId: merchantId, staffId: parseID(staff.staff.id), customerId: nil, tokenHash: [9], csrf: "c", expiresAt: StoreFixture.t0 + 60,
            now: StoreFixture.t0)
        #expect(try await store.session(tokenHash: [9], now: StoreFixture.t0)?.staff?.email == "o@shop.test")
        try await store.closeSession(tokenHash: [9])
        _ = try await store.findCustomers(merchantId: merchantId, query: "А", limit: 5, now: StoreFixture.t0)
        _ = try await store.programVersions(merchantId: merchantId, limit: 5)

        let keys = try await store.backend.read { db in
            try db.rows(
                """
                SELECT c.relname AS table_name, pg_get_indexdef(i.indexrelid) AS definition, i.indisprimary AS is_primary
                FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = current_schema() AND i.indisunique AND c.relname <> 'schema_migrations'
                """, [])
        }
        let tables = Set(keys.filter { $0["is_primary"] as Bool }.map { $0["table_name"] as String })
        #expect(tables == Set(SQLStore.tenantTables + SQLStore.rebuiltTables), "every table has a primary key and is moved by export or rebuilt")
        for key in keys {
            let definition: String = key["definition"]
            let columns = definition[definition.range(of: "(")!.upperBound...]
            if key["table_name"] as String == "api_keys" && definition.contains("(hash)") { continue }
            if key["table_name"] as String == "staff" && definition.contains("(email)") { continue }
            if key["table_name"] as String == "web_sessions" && definition.contains("(token_hash)") { continue }
            #expect(columns.hasPrefix("merchant_id"), "\(definition)")
        }

        // Looks at the server's catalog (this test's, and others' in this process: TLS, locks) are not the store's, nor are
        // the hot rows' advisory locks (their keys name the merchant, in the arguments).
        let statements = StatementLog.all.subtracting(Self.crossTenant).filter { sql in
            !["pg_index", "pg_stat_ssl", "pg_locks", "pg_advisory_lock(\(PostgresBackend.hotRowLockClass),"].contains { sql.contains($0) }
        }
        #expect(statements.count > 60, "the workload reached most of the store (\(statements.count) statements)")
        for sql in statements {
            let text = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            if text.hasPrefix("INSERT") {
                #expect(text.contains("(merchant_id,"), "\(text)")
            } else {
                // Each table read or written is narrowed to the merchant (a condition or a join on merchant_id).
                let references = text.components(separatedBy: " FROM ").count + text.components(separatedBy: " JOIN ").count
                    + text.components(separatedBy: "UPDATE ").count - 3
                let conditions = text.components(separatedBy: "merchant_id = ").count - 1
                #expect(references > 0 && conditions >= references, "\(text)")
            }
        }
    }
}
