import KopilkaCore
import KopilkaStore
import KopilkaWeb

/// Texts members before their points burn (`ProgramRules.expiryReminderDays`): claims the reminders due and sends each
/// through the SMS provider. A text the provider refuses is given back and tried again on a later run.
public struct ExpiryReminderSender: Sendable {
    let store: any LoyaltyStore
    let gateway: any SMSGateway

    public init(store: any LoyaltyStore, gateway: any SMSGateway) {
        self.store = store
        self.gateway = gateway
    }

    /// Sends what is due at `now`; returns how many texts went out and how many the provider refused.
    public func run(now: UnixSeconds) async throws -> (sent: Int, refused: Int) {
        var sent = 0, refused = 0
        for reminder in try await store.claimExpiryReminders(now: now, limit: 500) {
            do {
                try await gateway.send(to: reminder.phone, text: CustomerMessages.expiryReminder(reminder))
                sent += 1
            } catch {
                try await store.releaseExpiryReminder(reminder)
                refused += 1
            }
        }
        return (sent, refused)
    }
}
