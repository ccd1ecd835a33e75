import ArgumentParser
import Foundation
import KopilkaStore

/// `kopilka export`
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write merchants' whole data to a file (JSON lines), from one snapshot, for `kopilka import` into another database.",
        discussion: """
            Moves a merchant between SQLite and PostgreSQL:
              kopilka export --database kopilka.sqlite --output shop.kopilka
              kopilka import --database postgres://kopilka@db/kopilka --input shop.kopilka
              kopilka verify --database postgres://kopilka@db/kopilka
            """)

    @OptionGroup var db: DatabaseOptions

    @Option(help: "A merchant id to export (repeat for several; default: every merchant).")
    var merchant: [String] = []

    @Option(help: "The file to write.")
    var output: String

    func run() async throws {
        let ids = try merchant.map { text in
            guard let id = parseID(text) else { throw ValidationError("--merchant must be a merchant id, not \(text)") }
            return id
        }
        let store = try await db.open()
        let report = try await store.export(merchantIds: ids.isEmpty ? nil : ids, to: URL(fileURLWithPath: output)) { line in
            FileHandle.standardError.write(Data("  \(line)\n".utf8))
        }
        print("exported \(report.merchants.count) merchants, \(report.totalRows) rows to \(output)")
    }
}

/// `kopilka import`
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a file written by `kopilka export` into this database, in one transaction (refused if a merchant in it exists here).")

    @OptionGroup var db: DatabaseOptions

    @Option(help: "The file to read.")
    var input: String

    func run() async throws {
        let store = try await db.open()
        do {
            let report = try await store.importData(from: URL(fileURLWithPath: input)) { line in
                FileHandle.standardError.write(Data("  \(line)\n".utf8))
            }
            print("imported \(report.merchants.count) merchants, \(report.totalRows) rows into \(store.location); run `kopilka verify` to check them")
        } catch let error as TransferError {
            throw ValidationError(error.description)
        }
    }
}
