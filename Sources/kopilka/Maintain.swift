import ArgumentParser
import Foundation
import KopilkaStore

/// `kopilka maintain`
struct Maintain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Expire due points, mark activated points and release expired holds now (serve runs this every minute). Idempotent.")

    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        let store = try await db.open()
        let report = try await store.runMaintenance(now: Int64(Date().timeIntervalSince1970))
        print("expired \(report.expiredLots) lots (\(report.expiredPoints) hundredths of points), activated \(report.activatedLots) lots, released \(report.releasedHolds) holds")
    }
}
