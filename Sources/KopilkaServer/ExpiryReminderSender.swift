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

    /// Sends what is due at `now`; returns how many texts went out and how many were given back. After the provider's
    /// first refusal the rest are given back unsent: a provider that is down would otherwise hold the maintenance run
    /// for a timeout per text.
    public func run(now: UnixSeconds) async throws -> (sent: Int, refused: Int) {
        let due = try await store.claimExpiryReminders(now: now, limit: 500)
        for (index, reminder) in due.enumerated() {
            do {
                try await gateway.send(to: reminder.phone, text: CustomerMessages.expiryReminder(reminder))
            } catch {
                for unsent in due[index...] { try await store.releaseExpiryReminder(unsent) }
                return (index, due.count - index)
            }
        }
        return (due.count, 0)
    }
}
