import KopilkaCore
import Testing

@testable import KopilkaWeb

/// The receipt page shows the engine's reasons in Russian: the real engine explains receipts that take most of its
/// paths, and every sentence it gives must match a pattern of its code (otherwise the page would fall back to English).
@Suite struct ExplanationTranslationTests {
    static let coffee = ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 2000, price: 200_00)
    static let tobacco = ReceiptLine(sku: "CIG", category: "tobacco", quantity: 1000, price: 250_00, flags: [.noDiscount])
    static let cake = ReceiptLine(sku: "CAKE", category: "bakery", quantity: 1000, price: 150_00, flags: [.noRedemption, .noAccrual])
    static let alcohol = ReceiptLine(sku: "WINE", category: "alcohol", quantity: 1000, price: 900_00)
    static let thursday = LocalTime(date: LocalDate("2026-11-26")!, minute: 18 * 60)

    static func rules() -> ProgramRules {
        var rules = ProgramRules()
        rules.discountBp = 300
        rules.accrualExcludedCategories = ["alcohol"]
        rules.redemptionExcludedCategories = ["alcohol"]
        rules.discountExcludedCategories = ["alcohol"]
        rules.tiers = TierRules(tiers: [Tier(name: "Базовый", threshold: 0, accrualRateBp: 500), Tier(name: "Золото", threshold: 1_000_00, accrualRateBp: 750)])
        var sale = Promotion(id: "sale", name: "Кофе −20 %", reward: .percentOff(2000))
        sale.lines = LineScope(categories: ["coffee"])
        var double = Promotion(id: "double", name: "Двойные баллы", reward: .pointsMultiplier(200))
        double.lines = LineScope(categories: ["bakery"])
        var later = Promotion(id: "later", name: "Весенняя", reward: .bonusPoints(50_00))
        later.when = Schedule(from: LocalDate("2027-03-01")!)
        rules.promotions = [sale, double, later, Promotion(id: "bonus", name: "Подарок", reward: .bonusPoints(10_00))]
        #expect(rules.violations() == [], "the test's program is valid")
        return rules
    }

    static func reasons() -> [Reason] {
        let rules = rules()
        let context = ReceiptContext(time: thursday, storeId: "1")
        let gold = ReceiptCalculator.Customer(spendablePoints: 50_00, tier: rules.tiers!.tiers[1])
        let receipts: [([ReceiptLine], ReceiptCalculator.Customer?, RedeemRequest)] = [
            ([coffee, tobacco, cake, alcohol], gold, .max),
            ([coffee], .init(spendablePoints: 10_000_00, tier: rules.tiers!.tiers[0]), .max),
            ([coffee, alcohol], nil, .points(0)),
            ([tobacco], .init(spendablePoints: 0), .points(100_00)),
        ]
        let published = receipts.flatMap { lines, customer, redeem in
            ReceiptCalculator.calculate(lines: lines, rules: rules, customer: customer, redeem: redeem, context: context).explanation
        }
        return published + stampReasons() + variants().flatMap { variant in
            [100_00, 2_000_00].flatMap { price in
                ReceiptCalculator.calculate(
                    lines: [ReceiptLine(sku: "A", price: price)], rules: variant, customer: .init(spendablePoints: 500_00), redeem: .max,
                    context: paidHalfOnCredit
                ).explanation
            }
        }
    }

    /// Receipts on two stamp cards: a reward, a visit below the minimum, an anonymous receipt, a reward that no line
    /// can take and one an exclusive promotion keeps for later.
    static func stampReasons() -> [Reason] {
        var rules = ProgramRules()
        var cups = StampCard(id: "cups", name: "Каждый 6-й кофе", every: 6)
        cups.lines = LineScope(categories: ["coffee"])
        var visits = StampCard(id: "visits", name: "Визиты", every: 10)
        (visits.basis, visits.minAmountKopecks) = (.receipt, 1_000_00)
        rules.stampCards = [cups, visits]
        var exclusive = rules
        var only = Promotion(id: "only", name: "Только она", reward: .percentOff(1000))
        only.exclusive = true
        exclusive.promotions = [only]
        var context = ReceiptContext()
        context.stamps = ["cups": 5, "visits": 9]
        let fixed = ReceiptLine(sku: "CAP", category: "coffee", price: 200_00, flags: [.noDiscount])
        let customer = ReceiptCalculator.Customer(spendablePoints: 0)
        return [(rules, [coffee], customer), (rules, [coffee], nil), (rules, [fixed], customer), (exclusive, [coffee], customer)]
            .flatMap { rules, lines, customer in
                ReceiptCalculator.calculate(lines: lines, rules: rules, customer: customer, redeem: .points(0), context: context).explanation
            }
    }

    static var paidHalfOnCredit: ReceiptContext {
        var context = ReceiptContext(time: thursday, storeId: "1", codes: [PresentedCode(code: "SPRING", status: .valid)])
        context.payments = [Payment(method: .card, amountKopecks: 50_00), Payment(method: .credit, amountKopecks: 50_00)]
        return context
    }

    /// Programs with the published earning rules (a point per sum, bands, minimums, "earn or spend", …).
    static func variants() -> [ProgramRules] {
        var perAmount = ProgramRules(), bands = ProgramRules(), minimums = ProgramRules(), either = ProgramRules(), noCodes = ProgramRules()
        perAmount.accrualPerKopecks = 100_00
        perAmount.discountBp = 500
        perAmount.redeemWithDiscounts = false
        perAmount.accrueOnDiscountedLines = false
        bands.accrualBands = [.init(fromKopecks: 500_00, rateBp: 300)]
        bands.accrualExcludedPayments = [.credit]
        bands.maxBenefitShareBp = 1000
        bands.discountBp = 500
        minimums.minAccrualReceiptKopecks = 1_000_00
        minimums.minRedemptionReceiptKopecks = 1_000_00
        either.earnOrSpend = true
        noCodes.accrueWithCodes = false
        return [perAmount, bands, minimums, either, noCodes]
    }

    @Test func everyReasonTheEngineGivesReadsInRussian() {
        let reasons = Self.reasons()
        #expect(Set(reasons.map(\.code)).count >= 12, "the receipts take many paths: \(Set(reasons.map(\.code)).sorted())")
        for reason in reasons {
            let russian = Explanations.russian(reason)
            #expect(russian != nil, "no Russian pattern matches \(reason.code): \(reason.message)")
            #expect(Explanations.text(reason, .en) == reason.message)
        }
    }

    @Test func valuesAreWrittenTheRussianWay() {
        let accrual = Reason(code: "accrual_rate", message: "7.5 % of 1234.50 earns 92.58 points")
        #expect(Explanations.russian(accrual) == "7,5 % от 1\u{202F}234,50 ₽: 92,58 баллов")
        let discount = Reason(code: "discount_rate", message: "card discount 3 %: −12.00 on lines 1, 3")
        #expect(Explanations.russian(discount) == "скидка по карте 3 %: −12 ₽, строки 1, 3")
        let schedule = Reason(code: "accrual_outside_schedule", message: "no points are earned now: only on Saturday, Sunday")
        #expect(Explanations.russian(schedule) == "сейчас баллы не начисляются: только по дням: сб, вс")
        let unknown = Reason(code: "accrual_rate", message: "a sentence of a newer engine")
        #expect(Explanations.russian(unknown) == nil)
        #expect(Explanations.text(unknown, .ru) == "a sentence of a newer engine", "an unknown sentence stays as the engine wrote it")
    }

    @Test func refusalsSpeakThePagesLanguage() {
        #expect(Refusal.text(.insufficientPoints(requested: 150_00, spendable: 20_50), .ru) == "Не хватает баллов: нужно 150, доступно 20,5")
        #expect(Refusal.text(.insufficientPoints(requested: 150_00, spendable: 20_50), .en) == "Not enough points: asked 150, spendable 20.5")
        #expect(Refusal.text(.returnRefused(.nothingLeft), .ru) == "Всё по этому чеку уже возвращено")
        #expect(Refusal.text(.returnRefused(.exceedsPurchase(index: 0, line: 2, left: 500)), .ru) == "По строке 2 возвращают больше, чем осталось")
        #expect(Refusal.text(.returnRefused(.noSuchLine(index: 1, line: 9)), .en) == "lines[1].line: the receipt has no line 9")
    }
}
