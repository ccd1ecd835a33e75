import Foundation
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Several processes on one PostgreSQL: one holds the maintenance lease, the others stand by and take it over when it
/// ends.
@Suite struct MaintenanceLeaseTests {
    @Test func oneProcessMaintainsAndAnotherTakesOver() async throws {
        let location = try TestDatabase.freshPostgresLocation(pool: 2)
        let first = try await SQLStore.postgres(location), second = try await SQLStore.postgres(location)
        #expect(try await first.holdsMaintenanceLease())
        #expect(try await !second.holdsMaintenanceLease(), "standing by")
        #expect(try await first.holdsMaintenanceLease(), "still held")
        let elsewhere = try await SQLStore.postgres(try TestDatabase.freshPostgresLocation(pool: 2))
        #expect(try await elsewhere.holdsMaintenanceLease(), "another schema is another Kopilka")
        try await first.close()
        #expect(try await second.holdsMaintenanceLease(), "taken over once the first process is gone")

        // The server ends the holder's session (a restart, a network cut): the lock goes with it, another process takes
        // it, and the holder finds out when it asks instead of maintaining beside it.
        let third = try await SQLStore.postgres(location)
        let ended: Int = try await third.backend.read { db in
            try db.row(
                """
                SELECT COUNT(pg_terminate_backend(pid)) AS n FROM pg_locks
                WHERE locktype = 'advisory' AND objsubid = 1
                  AND objid::bigint = (hashtext(current_schema() || '.maintenance')::bigint & 4294967295)
                """, [])?["n"] ?? 0
        }
        #expect(ended == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await third.holdsMaintenanceLease(), "the lock went with the session")
        #expect(try await !second.holdsMaintenanceLease(), "the old holder asks and stands by")
    }
}
