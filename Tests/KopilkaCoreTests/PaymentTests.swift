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

    /// "Points are neither earned nor spent when buying on credit": any part paid on credit stops spending, with the reason.
    @Test(arguments: [
        ([], Int64(100_00)),
        ([Payment(method: .card, amountKopecks: 900_00)], 100_00),
        ([Payment(method: .card, amountKopecks: 800_00), Payment(method: .credit, amountKopecks: 100_00)], 0),
        ([Payment(method: .card, amountKopecks: 900_00), Payment(method: .credit, amountKopecks: 0)], 100_00),
    ] as [([Payment], Points)])
    func noSpendingOnCredit(payments: [Payment], redeemed: Points) {
        var rules = ProgramRules()
        rules.redemptionExcludedPayments = [.credit]
        var context = ReceiptContext()
        context.payments = payments
        let result = ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "TV", price: 1_000_00)], rules: rules, customer: .init(spendablePoints: 500_00), redeem: .points(100_00),
            context: context)
        #expect(result.redeemedPoints == redeemed)
        let reason = result.explanation.first { $0.code == "redemption_excluded_payments" }
        #expect((reason?.values == [.payments([.credit])]) == (redeemed == 0))
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
