import ArgumentParser
import Foundation
import KopilkaServer
import KopilkaStore

/// `kopilka maintain`
struct Maintain: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Expire due points, mark activated points, release expired holds, send expiry reminders (with --sms-url) and fold the dashboard's analytics now (serve runs this every minute). Idempotent.")

    @OptionGroup var db: DatabaseOptions
    @OptionGroup var sms: SMSOptions

    @Option(help: "Fold into the analytics only what was made at least this many seconds ago (serve waits 120, for transactions still in flight).")
    var analyticsLag: Int64 = 0

    func run() async throws {
        let store = try await db.open()
        let now = Int64(Date().timeIntervalSince1970)
        let report = try await store.runMaintenance(now: now)
        var reminders: (sent: Int, refused: Int)?
        if let gateway = try sms.gateway() { reminders = try await ExpiryReminderSender(store: store, gateway: gateway).run(now: now) }
        let folded = try await store.rollUpAnalytics(lagSeconds: analyticsLag)
        print("expired \(report.expiredLots) lots (\(report.expiredPoints) hundredths of points), activated \(report.activatedLots) lots, released \(report.releasedHolds) holds, settled \(report.settledReferrals) referral rewards, looked at \(report.birthdaysChecked) birthdays, folded \(folded) receipts into the analytics")
        if let reminders { print("sent \(reminders.sent) expiry reminders, \(reminders.refused) refused by the SMS provider (tried again next run)") }
    }
}
