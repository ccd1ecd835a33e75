import KopilkaCore
import Testing

/// "No points on the part paid on credit or by gift certificate": the excluded share of the payments comes off the
/// accrual base. 5 % of a 1,000 ₽ receipt is 50 points when everything earns.
@Suite struct PaymentTests {
    @Test(arguments: [
        ([], 50_00),
        ([Payment(method: .cash, amountKopecks: 1_000_00)], 50_00),
        ([Payment(method: .card, amountKopecks: 600_00), Payment(method: .certificate, amountKopecks: 400_00)], 30_00),
        ([Payment(method: .credit, amountKopecks: 1_000_00)], 0),
        // The till's split counts as shares even when it does not add up to the receipt: half on credit.
        ([Payment(method: .card, amountKopecks: 250_00), Payment(method: .credit, amountKopecks: 250_00)], 25_00),
    ] as [([Payment], Points)])
    func theShareOnCreditOrCertificateEarnsNothing(payments: [Payment], earned: Points) {
        var rules = ProgramRules()
        rules.accrualExcludedPayments = [.credit, .certificate]
        var context = ReceiptContext()
        context.payments = payments
        let result = ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "TV", price: 1_000_00)], rules: rules, customer: .init(spendablePoints: 0), redeem: .points(0), context: context)
        #expect(result.earnedPoints == earned)
        #expect(result.explanation.contains { $0.code == "accrual_excludes_payments" } == (earned < 50_00))
    }

    @Test func withoutExcludedMethodsPaymentsChangeNothing() {
        var context = ReceiptContext()
        context.payments = [Payment(method: .credit, amountKopecks: 1_000_00)]
        let result = ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "TV", price: 1_000_00)], rules: ProgramRules(), customer: .init(spendablePoints: 0), redeem: .points(0),
            context: context)
        #expect(result.earnedPoints == 50_00)
    }
}
