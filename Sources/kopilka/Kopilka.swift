import ArgumentParser
import Foundation
import KopilkaServer
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
        subcommands: [Serve.self, Migrate.self, MerchantCommand.self, Demo.self, Verify.self, Export.self, Import.self, Maintain.self, Bench.self, StaffCommand.self, ProgramCommand.self],
        defaultSubcommand: nil)
}

/// The option every command shares.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "An SQLite file (created and migrated if missing) or a PostgreSQL URL.",
            discussion: "postgres://user:password@host:port/database?pool=16&schema=name&sslmode=verify-full&sslrootcert=/path/ca.pem — also from KOPILKA_DATABASE."))
    var database = ProcessInfo.processInfo.environment["KOPILKA_DATABASE"] ?? "kopilka.sqlite"

    @Option(name: .long, help: "SQLite synchronous mode: FULL (durable on power loss, default), NORMAL, OFF.")
    var synchronous = "FULL"

    /// Opens the database, with an error that says what to fix.
    func open() async throws -> SQLStore {
        guard let mode = SQLStore.Synchronous(rawValue: synchronous.uppercased()) else {
            throw ValidationError("--synchronous must be FULL, NORMAL or OFF")
        }
        do {
            return try await SQLStore.open(database, synchronous: mode)
        } catch {
            let shown = PostgresLocation(url: database)?.description ?? database
            throw ValidationError("cannot open the database at \(shown): \(error). Check the path (or URL) and permissions, or pass --database.")
        }
    }
}

/// The SMS provider `serve` and `maintain` send through.
struct SMSOptions: ParsableArguments {
    @Option(help: "SMS provider for spending codes and expiry reminders: POST {\"to\",\"text\"} as JSON to this URL (token from KOPILKA_SMS_TOKEN, sent as a bearer token).")
    var smsURL: String?

    /// The provider, or nil when none is given.
    func gateway() throws -> HTTPSMSGateway? {
        guard let smsURL else { return nil }
        guard let url = URL(string: smsURL), ["http", "https"].contains(url.scheme ?? "") else {
            throw ValidationError("--sms-url must be an http(s) URL")
        }
        // The token comes from the environment, so it shows in no process list.
        return HTTPSMSGateway(url: url, token: ProcessInfo.processInfo.environment["KOPILKA_SMS_TOKEN"])
    }
}
