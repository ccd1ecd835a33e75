import KopilkaCore
import Testing

/// "Points pay at most 30 % of each dish", and "at most 50 % of a procedure, goods in full": caps per line, under the
/// receipt's own cap.
@Suite struct LineCapTests {
    static let dish = ReceiptLine(sku: "SOUP", category: "kitchen", quantity: 1000, price: 400_00)
    static let wine = ReceiptLine(sku: "WINE", category: "bar", quantity: 1000, price: 600_00)

    static func spend(_ lines: [ReceiptLine], caps: [LineCap], receiptShareBp: BasisPoints = 10_000) -> ReceiptCalculation {
        var rules = ProgramRules()
        rules.maxRedeemShareBp = receiptShareBp
        rules.minPayableKopecks = 0
        rules.redemptionLineCaps = caps
        #expect(rules.violations() == [])
        return ReceiptCalculator.calculate(lines: lines, rules: rules, customer: .init(spendablePoints: 10_000_00), redeem: .max)
    }

    @Test func everyLineAtMostItsShare() {
        let result = Self.spend([Self.dish, Self.wine], caps: [LineCap(maxShareBp: 3000)])
        #expect(result.lines.map(\.redeemedKopecks) == [120_00, 180_00], "30 % of each line, not 300 ₽ anywhere on the receipt")
        #expect(result.explanation.filter { $0.code == "redemption_line_capped" }.map(\.line) == [1, 2])
    }

    @Test func aProcedureHalfGoodsInFull() {
        let procedure = ReceiptLine(sku: "MASSAGE", category: "procedures", quantity: 1000, price: 2_000_00)
        let cream = ReceiptLine(sku: "CREAM", category: "goods", quantity: 1000, price: 500_00)
        let result = Self.spend([procedure, cream], caps: [LineCap(lines: LineScope(categories: ["procedures"]), maxShareBp: 5000)])
        #expect(result.lines.map(\.redeemedKopecks) == [1_000_00, 500_00])
    }

    @Test func theSmallestCapAndTheReceiptsCapHold() {
        let caps = [LineCap(maxShareBp: 5000), LineCap(lines: LineScope(categories: ["bar"]), maxShareBp: 1000)]
        #expect(Self.spend([Self.dish, Self.wine], caps: caps).lines.map(\.redeemedKopecks) == [200_00, 60_00])
        // 20 % of the receipt (200 ₽) is less than the caps allow (260 ₽): split over the lines by what each may take.
        let both = Self.spend([Self.dish, Self.wine], caps: caps, receiptShareBp: 2000)
        #expect(both.redeemedKopecks == 200_00 && both.lines[1].redeemedKopecks <= 60_00)
    }

    @Test func aCapOutOfRangeIsRefused() {
        var rules = ProgramRules()
        rules.redemptionLineCaps = [LineCap(maxShareBp: 10_001)]
        #expect(rules.violations().map(\.field) == ["redemptionLineCaps[0].maxShareBp"])
    }
}
