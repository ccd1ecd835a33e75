import ArgumentParser
import Foundation
import KopilkaStore

/// `kopilka`: the loyalty server and its tools.
@main
struct Kopilka: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kopilka",
        abstract: "Kopilka — a self-hosted loyalty and bonus platform.",
        discussion: """
            Start with `kopilka demo` (a demo merchant with customers and history; prints its keys),
            then `kopilka serve`. Every command takes the same --database (default: kopilka.sqlite here).
            """,
        subcommands: [Serve.self, Migrate.self, MerchantCommand.self, Demo.self, Verify.self, Maintain.self, Bench.self],
        defaultSubcommand: nil)
}

/// The option every command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (created and migrated if missing).")
    var database = ProcessInfo.processInfo.environment["KOPILKA_DATABASE"] ?? "kopilka.sqlite"

    @Option(name: .long, help: "SQLite synchronous mode: FULL (durable on power loss, default), NORMAL, OFF.")
    var synchronous = "FULL"

    /// Opens the database, with an error that says what to fix.
    func open() throws -> SQLiteStore {
        guard let mode = SQLiteStore.Synchronous(rawValue: synchronous.uppercased()) else {
            throw ValidationError("--synchronous must be FULL, NORMAL or OFF")
        }
        do {
            return try SQLiteStore(path: database, synchronous: mode)
        } catch {
            throw ValidationError("cannot open the database at \(database): \(error). Check the path and its folder's permissions, or pass --database.")
        }
    }
}
