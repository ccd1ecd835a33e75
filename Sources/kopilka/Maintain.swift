import ArgumentParser
import Foundation
import KopilkaStore

/// `kopilka maintain`
struct Maintain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Expire due points, mark activated points, release expired holds and fold the dashboard's analytics now (serve runs this every minute). Idempotent.")

    @OptionGroup var db: DatabaseOptions

    @Option(help: "Fold into the analytics only what was made at least this many seconds ago (serve waits 120, for transactions still in flight).")
    var analyticsLag: Int64 = 0

    func run() async throws {
        let store = try await db.open()
        let report = try await store.runMaintenance(now: Int64(Date().timeIntervalSince1970))
        let folded = try await store.rollUpAnalytics(lagSeconds: analyticsLag)
        print("expired \(report.expiredLots) lots (\(report.expiredPoints) hundredths of points), activated \(report.activatedLots) lots, released \(report.releasedHolds) holds, settled \(report.settledReferrals) referral rewards, folded \(folded) receipts into the analytics")
    }
}
