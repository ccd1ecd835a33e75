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
        func day(_ seconds: UnixSeconds) -> String {
            let date = f.date(Instant(seconds), zone)  // YYYY-MM-DD
            return "\(date.dropFirst(8)).\(date.dropFirst(5).prefix(2))"
        }
        let first = day(reminder.firstExpiresAt), last = day(reminder.lastExpiresAt)
        let when = first == last ? first : "с \(first) по \(last)"
        return "\(reminder.merchantName): \(when) сгорает \(f.points(reminder.points)) \(pointsWord(reminder.points)). Успейте их потратить."
    }

    /// "балл", "балла" or "баллов", as Russian counts `hundredths / 100` points (a fraction takes "балла").
    static func pointsWord(_ hundredths: Points) -> String {
        hundredths % 100 == 0 ? Formatting.russianCount(hundredths / 100, "балл", "балла", "баллов") : "балла"
    }
}
