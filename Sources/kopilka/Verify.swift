import ArgumentParser
import Foundation
import KopilkaStore

/// `kopilka verify`
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the ledger invariants (I1 conservation, I2 cached balances, I9 lots), the audit chain (I10) and the file's integrity; exit 1 on any violation.")

    @OptionGroup var db: DatabaseOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let store = try await db.open()
        let report = try await store.verify()
        let integrity = try await store.integrityCheck()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("checked \(report.merchants) merchants, \(report.customers) customers, \(report.lots) lots, \(report.entries) entries, \(report.auditRecords) audit records")
            for violation in report.violations { print("VIOLATION \(violation)") }
            for problem in integrity { print("INTEGRITY \(problem)") }
            print(report.violations.isEmpty && integrity.isEmpty ? "ok: I1, I2, I9, I10 hold; integrity_check ok" : "FAILED")
        }
        if !report.violations.isEmpty || !integrity.isEmpty { throw ExitCode(1) }
    }
}
