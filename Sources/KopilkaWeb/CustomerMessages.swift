import Foundation
import KopilkaCore
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
        guard hundredths % 100 == 0 else { return "балла" }
        let n = abs(hundredths / 100)
        if n % 10 == 1, n % 100 != 11 { return "балл" }
        if (2...4).contains(n % 10), !(12...14).contains(n % 100) { return "балла" }
        return "баллов"
    }
}
