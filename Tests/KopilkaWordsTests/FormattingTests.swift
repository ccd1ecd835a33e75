import KopilkaWords
import Testing

/// Numbers with their nouns as Russian and English readers expect them.
@Suite struct FormattingTests {
    @Test func pointsTakeTheRightRussianNoun() {
        let ru = Formatting(language: .ru)
        let cases: [(Int64, String)] = [
            (1_00, "1 балл"), (2_00, "2 балла"), (5_00, "5 баллов"), (11_00, "11 баллов"), (12_00, "12 баллов"), (21_00, "21 балл"),
            (22_00, "22 балла"), (111_00, "111 баллов"), (141_00, "141 балл"), (1_000_00, "1\u{202F}000 баллов"), (2_50, "2,5 балла"),
            (0, "0 баллов"),
        ]
        for (hundredths, text) in cases { #expect(ru.pointsCounted(hundredths) == text) }
        let en = Formatting(language: .en)
        #expect(en.pointsCounted(1_00) == "1 point" && en.pointsCounted(2_50) == "2.5 points")
    }
}
