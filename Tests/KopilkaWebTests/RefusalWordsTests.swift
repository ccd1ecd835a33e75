import KopilkaWords
import Testing

@testable import KopilkaWeb

/// The store's refusals in the page's language.
@Suite struct RefusalWordsTests {
    @Test func refusalsSpeakThePagesLanguage() {
        #expect(Refusal.text(.insufficientPoints(requested: 150_00, spendable: 20_50), .ru) == "Не хватает баллов: нужно 150, доступно 20,5")
        #expect(Refusal.text(.insufficientPoints(requested: 150_00, spendable: 20_50), .en) == "Not enough points: asked 150, spendable 20.5")
        #expect(Refusal.text(.returnRefused(.nothingLeft), .ru) == "Всё по этому чеку уже возвращено")
        #expect(Refusal.text(.returnRefused(.exceedsPurchase(index: 0, line: 2, left: 500)), .ru) == "По строке 2 возвращают больше, чем осталось")
        #expect(Refusal.text(.returnRefused(.noSuchLine(index: 1, line: 9)), .en) == "lines[1].line: the receipt has no line 9")
    }
}
