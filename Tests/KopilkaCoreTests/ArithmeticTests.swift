import KopilkaCore
import Testing

@Suite struct ArithmeticTests {
    @Test(arguments: [
        (10, 3, 4, .down, 7),
        (10, 3, 4, .halfUp, 8),  // 7.5 → 8
        (10, 3, 4, .up, 8),
        (9, 3, 4, .halfUp, 7),  // 6.75 → 7
        (9, 1, 4, .halfUp, 2),  // 2.25 → 2
        (0, 5, 7, .up, 0),
        (Int64.max, 2, 4, .down, Int64.max / 2),  // the product needs 128 bits
    ] as [(Int64, Int64, Int64, RoundingMode, Int64)])
    func mulDivRounds(a: Int64, b: Int64, c: Int64, mode: RoundingMode, expected: Int64) {
        #expect(Arithmetic.mulDiv(a, b, c, mode) == expected)
    }

    @Test(arguments: [
        (100, [1, 1, 1], [34, 33, 33]),
        (100, [2, 1, 1], [50, 25, 25]),
        (10, [0, 5, 0], [0, 10, 0]),
        (7, [3, 3, 1], [3, 3, 1]),
        (1, [1, 1], [1, 0]),  // ties go to the earlier line
        (2, [1, 3, 3], [0, 1, 1]),  // the largest remainders first, wherever they are
        (0, [5, 5], [0, 0]),
        (5, [0, 0], [0, 0]),  // nothing to weigh by
        (99_99, [333_33, 333_33, 333_34], [33_33, 33_33, 33_33]),
    ] as [(Int64, [Int64], [Int64])])
    func distributeAddsUpExactly(total: Int64, weights: [Int64], expected: [Int64]) {
        let shares = Arithmetic.distribute(total, over: weights)
        #expect(shares == expected)
    }

    @Test func distributeNeverExceedsItsProportionBySeed() {
        var seed: UInt64 = 20261123
        func next() -> UInt64 {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return seed >> 33
        }
        for _ in 0..<2000 {
            let weights = (0..<Int(next() % 8 + 1)).map { _ in Int64(next() % 100_000) }
            let sum = weights.reduce(0, +)
            let total = sum == 0 ? 0 : Int64(next() % UInt64(sum + 1))
            let shares = Arithmetic.distribute(total, over: weights)
            #expect(shares.reduce(0, +) == (sum == 0 ? 0 : total), "seed \(seed)")
            for (share, weight) in zip(shares, weights) {
                #expect(share <= weight, "a share may not exceed its line (seed \(seed))")
            }
        }
    }

    @Test func formatsHundredths() {
        #expect(formatHundredths(12990) == "129.90")
        #expect(formatHundredths(5) == "0.05")
        #expect(formatHundredths(-150) == "-1.50")
        #expect(formatPercent(3000) == "30 %")
        #expect(formatPercent(550) == "5.5 %")
    }
}

@Suite struct InstantTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (1_767_225_600, "2026-01-01T00:00:00Z"),
        (1_709_164_800, "2024-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
    ])
    func formatsAndParses(seconds: Int64, text: String) {
        #expect(Instant(seconds).description == text)
        #expect(Instant(iso8601: text) == Instant(seconds))
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(Instant(iso8601: "2026-01-01T03:00:00+03:00") == Instant(1_767_225_600))
        #expect(Instant(iso8601: "2025-12-31T19:00:00.250-05:00") == Instant(1_767_225_600))
        #expect(Instant(iso8601: "2026-01-01 00:00:00") == nil)
        #expect(Instant(iso8601: "2026-13-01T00:00:00Z") == nil)
    }
}
