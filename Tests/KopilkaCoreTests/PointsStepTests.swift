import Foundation
import KopilkaCore
import Testing

/// Points split over a receipt's lines in the program's step, so that what a return gives back and takes back is in
/// whole steps too, and a balance on the step stays on it: no points a customer can never spend.
@Suite struct PointsStepTests {
    static func wholePoints(_ configure: (inout ProgramRules) -> Void = { _ in }) -> ProgramRules {
        var rules = ProgramRules()
        rules.pointsStep = 100
        rules.accrualRounding = .halfUp
        configure(&rules)
        return rules
    }

    static func calc(_ prices: [Kopecks], _ rules: ProgramRules, spendable: Points = 0, redeem: Points = 0) -> ReceiptCalculation {
        let lines = prices.enumerated().map { ReceiptLine(sku: "S\($0.offset)", quantity: 1000, price: $0.element) }
        return ReceiptCalculator.calculate(lines: lines, rules: rules, customer: .init(spendablePoints: spendable), redeem: .points(redeem))
    }

    @Test func earnedWholePointsSplitInWholePoints() {
        // 5 % of 420 ₽ is 21 points; split by the money, 7.50 and 13.50. In whole points the tie goes to the first line.
        let sale = Self.calc([150_00, 270_00], Self.wholePoints())
        #expect(sale.earnedPoints == 21_00)
        #expect(sale.lines.map(\.earnedPoints) == [8_00, 13_00])
    }

    @Test func aPointPerSumSplitsInWholePoints() {
        // "1 point per 100 ₽", points counted in hundredths: two books of 150 ₽ earn 3 points, 2 and 1, not 1.50 each.
        let sale = Self.calc([150_00, 150_00], ProgramRules.with { $0.accrualPerKopecks = 100_00 })
        #expect(sale.earnedPoints == 3_00)
        #expect(sale.lines.map(\.earnedPoints) == [2_00, 1_00])
    }

    @Test func spentWholePointsSplitInWholePoints() {
        // 13 points over lines of 100 and 180 ₽: 4.64 and 8.36 by the money; 5 and 8 in whole points.
        let sale = Self.calc([100_00, 180_00], Self.wholePoints(), spendable: 100_00, redeem: 13_00)
        #expect(sale.redeemedPoints == 13_00)
        #expect(sale.lines.map(\.redeemedPoints) == [5_00, 8_00])
        #expect(sale.lines.map(\.redeemedKopecks).reduce(0, +) == 13_00)
    }

    @Test func partialReturnsOfALineGiveBackWholePoints() throws {
        var line = ReturnableLine(quantity: 3000, returnedQuantity: 0, payable: 100_00, redeemedPoints: 10_00, earnedPoints: 7_00)
        var reversed: [Points] = [], restored: [Points] = []
        for _ in 0..<3 {
            let result = try ReturnCalculator.compute(lines: [line], requests: [.init(line: 1, quantity: 1000)], pointsStep: 100)[0]
            reversed.append(result.reversedPoints)
            restored.append(result.restoredPoints)
            line.returnedQuantity += 1000
        }
        #expect(reversed == [2_00, 2_00, 3_00])
        #expect(restored == [3_00, 3_00, 4_00])
    }

    @Test func fixedPointsOffTheStepAreRefused() {
        let rules = Self.wholePoints {
            $0.welcomeBonusPoints = 1_50
            $0.promotions = [Promotion(id: "p", name: "P", reward: .bonusPoints(2_50))]
            var referral = ReferralRules()
            referral.referrerPoints = 1_00
            referral.friendPoints = 50
            $0.referral = referral
        }
        #expect(rules.violations().map(\.field) == ["welcomeBonusPoints", "promotions[0].reward.points", "referral.friendPoints"])
        #expect(ProgramRules.with { $0.welcomeBonusPoints = 1_50 }.violations() == [], "points in hundredths take any amount")
    }

    /// Any sequence of sales and partial returns, under any step and rounding: every line's points and every return's
    /// are on the step the receipt's points were split in, the lines add up to the receipt, a line returned in full
    /// gives back exactly what it earned and spent, and the balance never leaves the program's step.
    @Test func balancesStayOnTheStepThroughSalesAndReturns() throws {
        let seed = ProcessInfo.processInfo.environment["KOPILKA_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
        print("balancesStayOnTheStepThroughSalesAndReturns seed \(seed) (KOPILKA_SEED replays it)")
        var random = PromotionPropertyTests.Generator(state: seed)
        for _ in 0..<300 {
            var rules = ProgramRules()
            rules.pointsStep = random.chance(2) ? 100 : 1
            rules.accrualRounding = [RoundingMode.down, .halfUp, .up][Int(random.next(3))]
            rules.accrualRateBp = random.next(2000) + 1
            if random.chance(3) { rules.accrualPerKopecks = (random.next(5) + 1) * 50_00 }
            rules.maxRedeemShareBp = random.next(10_001)
            rules.pointValueKopecks = [100, 50, 200][Int(random.next(3))]
            if random.chance(3) { rules.promotions = [Promotion(id: "x2", name: "x2", reward: .pointsMultiplier(200))] }
            #expect(rules.violations() == [])
            let step = rules.linePointsStep
            var balance: Points = 0
            var receipts: [[ReturnableLine]] = []
            for _ in 0..<Int(random.next(12) + 1) {
                if !receipts.isEmpty, random.chance(2) {
                    // A return of part of some lines of an earlier receipt.
                    let index = Int(random.next(Int64(receipts.count)))
                    let open = receipts[index].indices.filter { receipts[index][$0].returnedQuantity < receipts[index][$0].quantity }
                    guard !open.isEmpty else { continue }
                    let requests = open.filter { _ in random.chance(2) }.map { line in
                        let left = receipts[index][line].quantity - receipts[index][line].returnedQuantity
                        return ReturnCalculator.Request(line: line + 1, quantity: random.chance(2) ? left : random.next(left) + 1)
                    }
                    for made in try ReturnCalculator.compute(lines: receipts[index], requests: requests, pointsStep: step) {
                        var line = receipts[index][made.line - 1]
                        #expect(made.reversedPoints % Self.stepOf(line.earnedPoints, step) == 0, "seed \(seed)")
                        #expect(made.restoredPoints % Self.stepOf(line.redeemedPoints, step) == 0, "seed \(seed)")
                        balance += made.restoredPoints - made.reversedPoints
                        line.returnedQuantity += made.quantity
                        receipts[index][made.line - 1] = line
                    }
                    continue
                }
                let lines = (0..<Int(random.next(5) + 1)).map { number in
                    ReceiptLine(
                        sku: "S\(number)", quantity: (random.next(4) + 1) * (random.chance(3) ? 500 : 1000), price: random.next(300_00) + 1)
                }
                // A return may have taken back points already spent: the balance can be below zero for a while.
                let spend = balance > 0 && random.chance(2) ? random.next(balance + 1) : 0
                let sale = ReceiptCalculator.calculate(
                    lines: lines, rules: rules, customer: .init(spendablePoints: max(0, balance)), redeem: .points(spend))
                #expect(sale.lines.map(\.earnedPoints).reduce(0, +) == sale.earnedPoints, "seed \(seed)")
                #expect(sale.lines.map(\.redeemedPoints).reduce(0, +) == sale.redeemedPoints, "seed \(seed)")
                for line in sale.lines {
                    #expect(line.earnedPoints % Self.stepOf(sale.earnedPoints, step) == 0, "seed \(seed)")
                    #expect(line.redeemedPoints % Self.stepOf(sale.redeemedPoints, step) == 0, "seed \(seed)")
                }
                balance += sale.earnedPoints - sale.redeemedPoints
                receipts.append(
                    zip(lines, sale.lines).map { line, result in
                        ReturnableLine(
                            quantity: line.quantity, returnedQuantity: 0, payable: result.payable, redeemedPoints: result.redeemedPoints,
                            earnedPoints: result.earnedPoints)
                    })
                #expect(balance % rules.pointsStep == 0, "seed \(seed): balance \(balance)")
            }
            // Everything still open returned: the balance comes back to what it would be without those sales' lines.
            for index in receipts.indices {
                let requests = receipts[index].indices.compactMap { line in
                    let left = receipts[index][line].quantity - receipts[index][line].returnedQuantity
                    return left > 0 ? ReturnCalculator.Request(line: line + 1, quantity: left) : nil
                }
                for made in try ReturnCalculator.compute(lines: receipts[index], requests: requests, pointsStep: step) {
                    balance += made.restoredPoints - made.reversedPoints
                }
            }
            #expect(balance == 0, "seed \(seed): everything returned leaves nothing")
        }
    }

    /// The step a total was split in: the line step when the total is on it, else hundredths.
    static func stepOf(_ total: Points, _ step: Points) -> Points { total % step == 0 ? step : 1 }
}

extension ProgramRules {
    static func with(_ configure: (inout ProgramRules) -> Void) -> ProgramRules {
        var rules = ProgramRules()
        configure(&rules)
        return rules
    }
}
