import Foundation
import KopilkaStore
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
    }
}
