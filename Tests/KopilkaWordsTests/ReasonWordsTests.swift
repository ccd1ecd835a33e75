import Foundation
import KopilkaCore
import Testing

@testable import KopilkaWords

/// Reasons in sentences: the real engine explains receipts that take most of its paths, and every reason it gives must
/// have a sentence in each language that names only values the reason has.
@Suite struct ReasonWordsTests {
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
        var first = Promotion(id: "first", name: "Первая покупка", reward: .percentOff(1000))
        first.conditions = [RuleCondition(fact: "customer.purchases", atMost: 0)]
        rules.promotions = [sale, double, later, Promotion(id: "bonus", name: "Подарок", reward: .bonusPoints(10_00)), first]
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

    @Test func everyReasonTheEngineGivesHasASentenceInEachLanguage() {
        let reasons = Self.reasons()
        #expect(Set(reasons.map(\.code)).count >= 12, "the receipts take many paths: \(Set(reasons.map(\.code)).sorted())")
        for reason in reasons {
            for language in Language.allCases {
                #expect(ReasonWords.hasSentence(reason, in: language), "no \(language) sentence for \(reason.sentenceKey) with \(reason.values)")
            }
        }
    }

    @Test func bothLanguagesHaveTheSameSentences() {
        #expect(ReasonWords.keys(.en) == ReasonWords.keys(.ru))
        #expect(ReasonWords.keys(.en).count >= 100)
    }

    @Test func englishReadsAsTillsHaveAlwaysPrintedIt() {
        #expect(ReasonWords.sentence(Reason("accrual_rate", .percent(750), .money(1234_50), .points(92_58)), in: .en)
            == "7.5 % of 1234.50 earns 92.58 points")
        #expect(ReasonWords.sentence(Reason("discount_rate", .percent(300), .money(12_00), .lines([1, 3])), in: .en)
            == "card discount 3 %: −12.00 on lines 1, 3")
        #expect(ReasonWords.sentence(Reason("redemption_excluded_flag", variant: "no_discount", line: 2), in: .en)
            == "line 2: price is fixed (noDiscount), points cannot pay for it")
        #expect(ReasonWords.sentence(Reason("promotion_outside_days", promotion: "p", .text("Выходные"), .schedule(.onlyOn([6, 7]))), in: .en)
            == "«Выходные»: only on Saturday, Sunday")
    }

    @Test func russianWritesValuesTheRussianWay() {
        #expect(ReasonWords.sentence(Reason("accrual_rate", .percent(750), .money(1234_50), .points(92_58)), in: .ru)
            == "7,5 % от 1\u{202F}234,50 ₽: начислено 92,58 балла")
        #expect(ReasonWords.sentence(Reason("promotion_bonus", .text("Подарок"), .points(21_00)), in: .ru) == "«Подарок»: +21 балл")
        #expect(ReasonWords.sentence(Reason("promotion_bonus", .text("Подарок"), .points(3_00)), in: .ru) == "«Подарок»: +3 балла")
        #expect(ReasonWords.sentence(Reason("promotion_bonus", .text("Подарок"), .points(11_00)), in: .ru) == "«Подарок»: +11 баллов")
        #expect(ReasonWords.sentence(Reason("discount_rate", .percent(300), .money(12_00), .lines([1, 3])), in: .ru)
            == "скидка по карте 3 %: −12 ₽, строки 1, 3")
        #expect(ReasonWords.sentence(Reason("accrual_outside_schedule", .schedule(.onlyOn([6, 7]))), in: .ru)
            == "сейчас баллы не начисляются: только по дням: сб, вс")
        #expect(ReasonWords.sentence(Reason("promotion_not_started", .text("Весна"), .schedule(.startsOn(LocalDate("2027-03-01")!))), in: .ru)
            == "«Весна»: действует с 01.03.2027")
        #expect(ReasonWords.sentence(Reason("accrual_excludes_payments", .money(50_00), .payments([.credit])), in: .ru)
            == "на 50 ₽, оплаченные так: в кредит, баллы не начисляются")
        func condition(_ fact: String, _ atLeast: Int64?, _ atMost: Int64?, _ language: Language = .ru) -> String {
            ReasonWords.sentence(Reason("promotion_condition_not_met", .text("Акция"), .condition(RuleCondition(fact: fact, atLeast: atLeast, atMost: atMost))), in: language)
        }
        #expect(condition("customer.purchases", nil, 0) == "«Акция»: только если покупок до этой — не больше 0")
        #expect(condition("customer.daysSinceJoined", 7, 30) == "«Акция»: только если дней с регистрации — от 7 до 30")
        #expect(condition("customer.hasEmail", 1, nil) == "«Акция»: только если указан email")
        #expect(condition("customer.marketingConsent", nil, 0) == "«Акция»: только если нет согласия на рассылки")
        #expect(condition("receipt.paidKopecks", 3_000_00, nil) == "«Акция»: только если оплачено деньгами — не меньше 3\u{202F}000 ₽")
        #expect(condition("customer.purchases", 4, 4, .en) == "«Акция»: only when the number of purchases before this one is exactly 4")
    }

    @Test func aReasonWithoutASentenceShowsWhatItWasStoredWith() throws {
        let old = try JSONDecoder().decode(Reason.self, from: Data(#"{"code": "accrual_rate", "message": "5 % of 100.00 earns 5.00 points"}"#.utf8))
        #expect(old.storedMessage == "5 % of 100.00 earns 5.00 points" && old.values.isEmpty)
        #expect(ReasonWords.sentence(old, in: .ru) == "5 % of 100.00 earns 5.00 points", "a receipt stored before values keeps its sentence")
        #expect(ReasonWords.sentence(Reason("a_newer_code", .count(1)), in: .ru) == "a_newer_code")
    }

    @Test func storedReasonsReadBackWithTheirValues() throws {
        let reasons = Self.reasons()
        let stored = JSONWriter.bytes(of: reasons)
        #expect(!String(decoding: stored, as: UTF8.self).contains("message"), "stored without sentences")
        #expect(try JSONDecoder().decode([Reason].self, from: Data(stored)) == reasons)
        let worded = String(decoding: JSONWriter.bytes(of: reasons, wording: ReasonWords.wording(.ru)), as: UTF8.self)
        #expect(worded.contains("\"message\":\"строка 3: отмечена «без оплаты баллами»\""), "\(worded.prefix(400))")
    }

    /// A wording keeps the JSON of the reasons it wrote; what it keeps must be what it would write again, in its own
    /// language, for exactly that reason.
    @Test func keptReasonsAreWrittenAsTheyWereWorded() throws {
        let reasons = Self.reasons()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for language in [Language.ru, .en] {
            encoder.userInfo[.wording] = ReasonWords.wording(language)
            let expected = try encoder.encode(reasons)
            #expect(JSONWriter.bytes(of: reasons, wording: ReasonWords.wording(language)) == Array(expected), "first, \(language)")
            #expect(JSONWriter.bytes(of: reasons, wording: ReasonWords.wording(language)) == Array(expected), "kept, \(language)")
        }
        // The same code with other values is another reason; more reasons than are kept start the keeping again.
        let amounts = (0..<5_000).map { Reason("promotion_below_threshold", promotion: "p", .text("Осень"), .money(1_000_00), .money(Int64($0))) }
        let worded = String(decoding: JSONWriter.bytes(of: amounts, wording: ReasonWords.wording(.ru)), as: UTF8.self)
        #expect(worded.contains("товары стоят 0"), "\(worded.prefix(300))")
        #expect(worded.contains("товары стоят 49,99"))
        let again = String(decoding: JSONWriter.bytes(of: [amounts[0], amounts[4_999]], wording: ReasonWords.wording(.ru)), as: UTF8.self)
        #expect(again.contains("стоят 0") && !again.contains("стоят 0,") && again.contains("стоят 49,99"), "\(again)")
    }

    @Test func acceptLanguageChoosesBySpokenLanguageAndWeight() {
        #expect(Language(acceptLanguage: "en-US,en;q=0.9,ru;q=0.8") == .en)
        #expect(Language(acceptLanguage: "ru-RU, ru;q=0.9, en-US;q=0.8") == .ru)
        #expect(Language(acceptLanguage: "de-DE,en;q=0.5,ru;q=0.7") == .ru)
        #expect(Language(acceptLanguage: "de, fr;q=0.9") == nil)
        #expect(Language(acceptLanguage: "en;q=0, ru") == .ru)
        #expect(Language(acceptLanguage: "*") == nil)
    }
}
