import Foundation
import KopilkaStore

/// The two databases every store and protocol test runs on.
///
/// PostgreSQL comes from `KOPILKA_TEST_POSTGRES_URL`, which `scripts/test` sets after starting a throwaway cluster;
/// each test gets a schema of its own. Without the variable the PostgreSQL half fails (it is never skipped).
public enum TestDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    /// The variable that names the test cluster.
    public static let postgresVariable = "KOPILKA_TEST_POSTGRES_URL"

    /// A fresh, empty, migrated database: a file in `folder`, or a new schema in the test cluster.
    public func open(in folder: TemporaryFolder, synchronous: SQLStore.Synchronous = .full) async throws -> SQLStore {
        switch self {
        case .sqlite:
            return try SQLStore(path: folder.url.appendingPathComponent("test.sqlite").path, synchronous: synchronous)
        case .postgres:
            return try await SQLStore.postgres(try Self.freshPostgresLocation())
        }
    }

    /// A new schema's location in the test cluster (created on first open).
    public static func freshPostgresLocation(pool: Int = 8) throws -> PostgresLocation {
        guard let url = ProcessInfo.processInfo.environment[postgresVariable] else { throw MissingPostgres() }
        guard var location = PostgresLocation(url: url) else { throw MissingPostgres(url: url) }
        location.poolSize = pool
        return location.with(schema: "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16))
    }

    /// Why the PostgreSQL half cannot run.
    public struct MissingPostgres: Error, CustomStringConvertible {
        var url: String?
        public var description: String {
            if let url { return "\(postgresVariable)=\(url) is not a postgres:// URL" }
            return "\(postgresVariable) is not set: run the tests with scripts/test, which starts a throwaway PostgreSQL cluster"
        }
    }
}
