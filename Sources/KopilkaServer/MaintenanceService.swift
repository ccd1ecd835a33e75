import KopilkaCore
import KopilkaStore
import Logging
import ServiceLifecycle

/// Expires lots, marks activations, releases expired holds, sends expiry reminders (with an SMS provider) and folds
/// the analytics every `intervalSeconds`, until shutdown.
struct MaintenanceService: Service, CustomStringConvertible {
    var description: String { "MaintenanceService(every \(intervalSeconds) s)" }

    let store: any LoyaltyStore
    let intervalSeconds: Int
    let clock: @Sendable () -> UnixSeconds
    let logger: Logger
    let metrics: Metrics
    let reminders: ExpiryReminderSender?

    func run() async throws {
        var maintaining: Bool?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // One process of several on one database maintains; the others stand by and take over when it ends.
                let holds = try await store.holdsMaintenanceLease()
                if holds != maintaining { logger.info(holds ? "maintaining" : "maintenance standing by: another process runs it") }
                maintaining = holds
                guard holds else {
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(intervalSeconds)) }
                    continue
                }
                let report = try await store.runMaintenance(now: clock(), batchSize: 500)
                metrics.maintenanceRuns.add(1)
                if report.expiredLots + report.activatedLots + report.releasedHolds + report.settledReferrals + report.birthdaysChecked > 0 {
                    logger.info(
                        "maintenance",
                        metadata: [
                            "expiredLots": "\(report.expiredLots)", "expiredPoints": "\(report.expiredPoints)",
                            "activatedLots": "\(report.activatedLots)", "releasedHolds": "\(report.releasedHolds)", "settledReferrals": "\(report.settledReferrals)",
                            "birthdaysChecked": "\(report.birthdaysChecked)",
                        ])
                }
                let folded = try await store.rollUpAnalytics(lagSeconds: 120, batchSize: 2_000)
                if folded > 0 { logger.debug("analytics folded", metadata: ["receipts": "\(folded)"]) }
                // Keys are kept 30 days at least (a till can be offline for days); 45 leaves a margin.
                _ = try await store.pruneIdempotencyKeys(olderThan: clock() - 45 * 86_400)
                // Last, so that a provider's trouble never holds up the rest.
                if let reminders {
                    let texts = try await reminders.run(now: clock())
                    metrics.expiryReminders.add(texts.sent)
                    if texts.refused > 0 { logger.warning("expiry reminders refused by the SMS provider", metadata: ["count": "\(texts.refused)"]) }
                }
            } catch {
                logger.error("maintenance failed", metadata: ["error": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(intervalSeconds)) }
        }
    }
}
