import KopilkaCore
import Testing

/// Birthday and recency promotions, and daily limits on earning and spending, with the customer's facts as the store
/// gives them.
@Suite struct OccasionTests {
    static func day(_ text: String) -> LocalDate { LocalDate(text)! }

    @Test(arguments: [
        ("1990-03-10", 3, 3, "2026-03-07", true), ("1990-03-10", 3, 3, "2026-03-06", false),
        ("1990-03-10", 3, 3, "2026-03-13", true), ("1990-03-10", 3, 3, "2026-03-14", false),
        ("1990-12-30", 0, 5, "2027-01-04", true), ("1990-12-30", 0, 5, "2027-01-05", false),  // the window crosses the new year
        ("1991-01-02", 5, 0, "2026-12-28", true), ("1991-01-02", 5, 0, "2026-12-27", false),
        ("2000-02-29", 0, 0, "2027-02-28", true), ("2000-02-29", 0, 0, "2028-02-29", true), ("2000-02-29", 0, 0, "2028-02-28", false),
    ])
    func theBirthdayWindow(birthday: String, before: Int, after: Int, date: String, inside: Bool) {
        #expect(BirthdayWindow(daysBefore: before, daysAfter: after).contains(Self.day(date), birthday: Self.day(birthday)) == inside)
    }

    static func calculate(_ rules: ProgramRules, on date: String, facts: CustomerFacts, redeem: RedeemRequest = .points(0)) -> ReceiptCalculation {
        #expect(rules.violations() == [], "the test's program is valid")
        return ReceiptCalculator.calculate(
            lines: [ReceiptLine(sku: "A", price: 1_000_00)], rules: rules, customer: .init(spendablePoints: 1_000_00), redeem: redeem,
            context: ReceiptContext(time: LocalTime(date: Self.day(date), minute: 12 * 60), storeId: "1", facts: facts))
    }

    @Test(arguments: [("2026-05-20", Kopecks(150_00)), ("2026-05-13", 150_00), ("2026-05-12", 50_00), ("2026-05-28", 50_00)])
    func aBirthdayDiscountReplacesTheCardDiscountForAWeekAround(date: String, discount: Kopecks) {
        var rules = ProgramRules()
        rules.discountBp = 500
        var birthday = Promotion(id: "birthday", name: "День рождения −15 %", reward: .percentOff(1500))
        birthday.birthday = BirthdayWindow(daysBefore: 7, daysAfter: 7)
        birthday.exclusive = true
        rules.promotions = [birthday]
        // Born on 20 May: 13–27 May is the window; 15 % of 1,000 ₽ inside it, the card's 5 % outside.
        let result = Self.calculate(rules, on: date, facts: CustomerFacts(birthday: Self.day("1985-05-20")))
        #expect(result.discount == discount)
        let noBirthday = Self.calculate(rules, on: date, facts: CustomerFacts())
        #expect(noBirthday.discount == 50_00, "a customer who gave no birthday gets the card discount")
    }

    @Test(arguments: [("2026-05-13", Kopecks(100_00)), ("2026-05-12", 0), (nil, 0)])
    func comeBackWithinAWeek(lastPurchase: String?, discount: Kopecks) {
        var rules = ProgramRules()
        var comeBack = Promotion(id: "back", name: "Вернитесь за неделю: −10 %", reward: .percentOff(1000))
        comeBack.recencyDays = 7
        rules.promotions = [comeBack]
        // On 20 May: a purchase on 13 May was 7 days ago, on 12 May 8 days ago.
        let result = Self.calculate(rules, on: "2026-05-20", facts: CustomerFacts(lastPurchase: lastPurchase.map(Self.day)))
        #expect(result.discount == discount)
        #expect(result.explanation.contains { $0.code == "promotion_not_recent" } == (discount == 0))
    }

    @Test(arguments: [(0, Points(50_00)), (1, 50_00), (2, 0)])
    func atMostTwoReceiptsADayEarn(accrualsToday: Int, earned: Points) {
        var rules = ProgramRules()
        rules.maxAccrualsPerDay = 2
        #expect(Self.calculate(rules, on: "2026-05-20", facts: CustomerFacts(accrualsToday: accrualsToday)).earnedPoints == earned)
    }

    @Test(arguments: [(0, Points(300_00)), (1, 0)])
    func pointsPayForOneReceiptADay(redemptionsToday: Int, redeemed: Points) {
        var rules = ProgramRules()
        rules.maxRedemptionsPerDay = 1
        let result = Self.calculate(rules, on: "2026-05-20", facts: CustomerFacts(redemptionsToday: redemptionsToday), redeem: .max)
        #expect(result.redeemedPoints == redeemed)
    }
}
