import ArgumentParser
import KopilkaStore

/// `kopilka migrate`
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema (serve does this too).")

    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let store = try await db.open()
        for migration in try await store.appliedMigrations() { print("applied \(migration)") }
    }
}
