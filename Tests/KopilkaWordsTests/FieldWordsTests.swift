import KopilkaCore
import KopilkaWords
import Testing

/// The core's field errors as an owner reads them: no basis points, kopecks, hundredths or JSON paths.
@Suite struct FieldWordsTests {
    func violations(_ change: (inout ProgramRules) -> Void) -> [FieldError] {
        var rules = ProgramRules()
        change(&rules)
        return rules.violations()
    }

    @Test func unitsBecomePercentsRoublesAndPoints() throws {
        let share = try #require(violations { $0.maxRedeemShareBp = 20_000 }.first)
        #expect(FieldWords.message(share, in: .ru) == "от 0 % до 100 %")
        #expect(FieldWords.message(share, in: .en) == "from 0 % to 100 %")
        let cap = FieldError(field: "protection.maxManualAdjustment", message: "must be 0 (no limit) … 100000000000 hundredths")
        #expect(FieldWords.message(cap, in: .ru) == "0 — без ограничения, или не больше 1\u{202F}000\u{202F}000\u{202F}000 баллов")
        let price = FieldError(field: "x", message: "must be 1…1000000 kopecks")
        #expect(FieldWords.message(price, in: .ru) == "от 0,01 ₽ до 10\u{202F}000 ₽")
        let days = FieldError(field: "lifetimeDays", message: "must be 0 (never) … 3650 days")
        #expect(FieldWords.message(days, in: .ru) == "0 — без ограничения, или не больше 3\u{202F}650 дней")
        // Nothing of the API's words is left in any Russian message the program's checks give.
        for error in violations({ rules in
            rules.accrualRateBp = -1; rules.pointValueKopecks = 0; rules.maxRedeemShareBp = 20_000; rules.lifetimeDays = -1
            rules.discountBp = 99_999; rules.welcomeBonusPoints = -5
        }) {
            let text = FieldWords.sentence(error, in: .ru)
            for api in ["basis points", "kopecks", "hundredths", "Bp", "Kopecks", "[", "must"] { #expect(!text.contains(api), "\(error) → \(text)") }
        }
    }

    @Test func pathsBecomeTheThingAndTheSetting() {
        let error = FieldError(field: "promotions[1].when.until", message: "must be 1…100 characters")
        #expect(FieldWords.sentence(error, in: .ru) == "Акция 2, «по»: от 1 до 100 символов")
        #expect(FieldWords.place("accrualRateBp", in: .ru) == "")
        #expect(FieldWords.message(FieldError(field: "x", message: "something the words do not know"), in: .ru) == "недопустимое значение")
    }
}
