import KopilkaCore
import Testing

@Suite struct ReturnCalculatorTests {
    static let line = ReturnableLine(quantity: 3000, returnedQuantity: 0, payable: 100_00, redeemedPoints: 10_00, earnedPoints: 4_00)

    @Test func partialReturnsAddUpToTheWhole() throws {
        // Three returns of one unit each give back exactly what the line earned and spent.
        var line = Self.line
        var refunds: [Int64] = [], reversed: [Int64] = [], restored: [Int64] = []
        for _ in 0..<3 {
            let result = try ReturnCalculator.compute(lines: [line], requests: [.init(line: 1, quantity: 1000)])[0]
            refunds.append(result.refundKopecks)
            reversed.append(result.reversedPoints)
            restored.append(result.restoredPoints)
            line.returnedQuantity += 1000
        }
        #expect(refunds == [33_33, 33_33, 33_34])
        #expect(reversed == [1_33, 1_33, 1_34])
        #expect(restored == [3_33, 3_33, 3_34])
    }

    @Test func halfReturnIsProportional() throws {
        let result = try ReturnCalculator.compute(lines: [Self.line], requests: [.init(line: 1, quantity: 1500)])[0]
        #expect(result.refundKopecks == 50_00)
        #expect(result.reversedPoints == 2_00)
        #expect(result.restoredPoints == 5_00)
    }

    @Test(arguments: [
        (ReturnCalculator.Request(line: 2, quantity: 1000), ReturnCalculator.Refusal.noSuchLine(index: 0, line: 2)),
        (.init(line: 1, quantity: 3001), .exceedsPurchase(index: 0, line: 1, left: 3000)),
        (.init(line: 1, quantity: 0), .exceedsPurchase(index: 0, line: 1, left: 3000)),
    ])
    func refusals(request: ReturnCalculator.Request, refusal: ReturnCalculator.Refusal) {
        #expect(throws: refusal) { try ReturnCalculator.compute(lines: [Self.line], requests: [request]) }
    }

    @Test func secondReturnOfTheSameLinesIsRefused() {
        var line = Self.line
        line.returnedQuantity = 3000
        #expect(throws: ReturnCalculator.Refusal.exceedsPurchase(index: 0, line: 1, left: 0)) {
            try ReturnCalculator.compute(lines: [line], requests: [.init(line: 1, quantity: 1000)])
        }
        #expect(throws: ReturnCalculator.Refusal.duplicateLine(index: 1, line: 1)) {
            try ReturnCalculator.compute(lines: [Self.line], requests: [.init(line: 1, quantity: 1000), .init(line: 1, quantity: 1000)])
        }
    }
}

@Suite struct LotTests {
    // Lots: 1 expires day 30, 2 expires day 10, 3 never expires, 4 pending until day 5.
    static let day: Int64 = 86_400
    static let lots = [
        Lot(id: 1, remaining: 50_00, activatesAt: 0, expiresAt: 30 * day),
        Lot(id: 2, remaining: 20_00, activatesAt: 0, expiresAt: 10 * day),
        Lot(id: 3, remaining: 100_00, activatesAt: 0, expiresAt: nil),
        Lot(id: 4, remaining: 40_00, activatesAt: 5 * day, expiresAt: 40 * day),
    ]

    @Test func spendTakesTheSoonestExpiringFirst() {
        #expect(Lots.spend(60_00, from: Self.lots, at: Self.day) == [LotTake(lotId: 2, points: 20_00), LotTake(lotId: 1, points: 40_00)])
        #expect(Lots.spend(170_00, from: Self.lots, at: Self.day)?.map(\.lotId) == [2, 1, 3])
        #expect(Lots.spend(170_01, from: Self.lots, at: Self.day) == nil, "pending points cannot be spent")
        // Once lot 4 is active it expires before the never-expiring lot 3.
        #expect(Lots.spend(200_00, from: Self.lots, at: 6 * Self.day)?.map(\.lotId) == [2, 1, 4, 3])
    }

    @Test(arguments: [
        (Int64(1), Points(170_00), Points(40_00)),  // day 1: lot 4 pending
        (6, 210_00, 0),  // day 6: all active
        (10, 190_00, 0),  // day 10: lot 2 expired
        (40, 100_00, 0),  // day 40: only the never-expiring lot left
    ])
    func balanceOverTime(day: Int64, spendable: Points, pending: Points) {
        let balance = Lots.balance(of: Self.lots, debt: 0, at: day * Self.day)
        #expect(balance.spendable == spendable)
        #expect(balance.pending == pending)
    }

    @Test func debtComesOffTheSpendableBalance() {
        #expect(Lots.balance(of: Self.lots, debt: 30_00, at: Self.day).spendable == 140_00)
        #expect(Lots.balance(of: Self.lots, debt: 1_000_00, at: Self.day).spendable == 0)
    }

    @Test func expiryTakesWhatRemainsOfDueLotsOnly() {
        #expect(Lots.expired(Self.lots, at: 10 * Self.day) == [LotTake(lotId: 2, points: 20_00)])
        #expect(Lots.expired(Self.lots, at: 9 * Self.day).isEmpty)
    }

    @Test func reclaimPrefersTheReceiptsOwnLotThenPendingToo() {
        let takes = Lots.reclaim(60_00, preferring: 4, from: Self.lots, at: Self.day)
        #expect(takes == [LotTake(lotId: 4, points: 40_00), LotTake(lotId: 2, points: 20_00)])
        #expect(Lots.reclaim(1_000_00, preferring: nil, from: Self.lots, at: Self.day).reduce(0) { $0 + $1.points } == 210_00)
    }
}

@Suite struct IdentityTests {
    @Test(arguments: [
        ("8 (912) 345-67-89", "+79123456789"),
        ("+7 912 3456789", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("7-912-345-67-89", "+79123456789"),
        ("+49 30 1234567", "+49301234567"),
    ])
    func phonesNormalise(text: String, e164: String) {
        #expect(Phone.normalize(text) == e164)
    }

    @Test(arguments: ["", "12345", "+7 912 345", "abc", "8 912 345 67 89 00", "+0123456789", "８９１２３４５６７８９"])
    func notPhones(text: String) {
        #expect(Phone.normalize(text) == nil)
    }

    @Test func cardNumbersCarryACheckDigit() {
        let card = CardNumber.make(body: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0])
        #expect(card.count == 13)
        #expect(card.hasPrefix("2"))
        #expect(CardNumber.isValid(card))
        var typo = Array(card)
        typo[5] = typo[5] == "9" ? "8" : "9"
        #expect(!CardNumber.isValid(String(typo)))
        #expect(CardNumber.isValid("4006381333931"))  // a known EAN-13
    }

    @Test func namesAndPhonesAreMasked() {
        #expect(maskName("Анна Петрова") == "Анна П.")
        #expect(maskName("Иван") == "Иван")
        #expect(maskName(nil) == nil)
        #expect(Phone.masked("+79123456789") == "+7912***89")
    }
}
