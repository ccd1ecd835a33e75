import Foundation
import KopilkaCore
import KopilkaWords
import KopilkaStore

/// The texts Kopilka sends to customers, in Russian (customers have no language of their own yet).
public enum CustomerMessages {
    /// "Кофейня: 30.11 сгорает 150 баллов. Успейте их потратить." — the dates in the merchant's time zone; a range when
    /// the points burn on several days.
    public static func expiryReminder(_ reminder: ExpiryReminder) -> String {
        let f = Formatting(language: .ru), zone = TimeZone(identifier: reminder.timeZone) ?? TimeZone(identifier: "Europe/Moscow")!
        func day(_ seconds: UnixSeconds) -> String { String(f.date(Instant(seconds), zone).prefix(5)) }  // DD.MM
        let first = day(reminder.firstExpiresAt), last = day(reminder.lastExpiresAt)
        let when = first == last ? first : "с \(first) по \(last)"
        return "\(reminder.merchantName): \(when) сгорает \(f.pointsCounted(reminder.points)). Успейте их потратить."
    }
}
