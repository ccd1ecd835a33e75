import KopilkaCore

/// The lines a till prints on the receipt about points, in Russian (the primary market's language).
enum PrintText {
    static func lines(_ calculation: ReceiptCalculation, balance: BalanceSnapshot?) -> [String] {
        guard let balance else { return [] }
        var lines: [String] = []
        if calculation.redeemedPoints > 0 {
            lines.append("Оплачено бонусами: \(formatHundredths(calculation.redeemedKopecks)) ₽ (\(formatHundredths(calculation.redeemedPoints)) б.)")
        }
        if calculation.earnedPoints > 0 { lines.append("Начислено бонусов: \(formatHundredths(calculation.earnedPoints))") }
        let after = balance.spendable - calculation.redeemedPoints
        lines.append("Доступно бонусов: \(formatHundredths(max(0, after)))")
        if balance.pending > 0 { lines.append("Ожидают начисления: \(formatHundredths(balance.pending))") }
        return lines
    }
}
