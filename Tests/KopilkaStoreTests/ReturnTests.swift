import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

@Suite struct ReturnTests {
    static let twoCoffees = [ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 2000, price: 200_00)]

    @Test(arguments: TestDatabase.allCases) func halfReturnReversesAndRestoresHalf(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        let sale = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, Self.twoCoffees, redeem: .points(100_00)))
        #expect(sale.calculation.redeemedPoints == 100_00)
        #expect(sale.calculation.earnedPoints == 15_00)  // 5 % of the 300 ₽ paid in money
        let half = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(sale.receipt.id, [.init(line: 1, quantity: 1000)]))
        #expect(half.refundKopecks == 150_00)
        #expect(half.reversedPoints == 7_50)
        #expect(half.restoredPoints == 50_00)
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 10).spendable == 15_00 - 7_50 + 50_00)
        let rest = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(sale.receipt.id, nil))
        #expect(rest.reversedPoints == 7_50)
        #expect(rest.restoredPoints == 50_00)
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 10).spendable == 100_00, "a full return leaves the balance as before the sale")
        let again = try await f.returnLines(sale.receipt.id, [.init(line: 1, quantity: 1000)])
        #expect(String(decoding: again.body, as: UTF8.self).hasPrefix("returnRefused"))
        try await f.expectInvariants()
    }

    /// Whole points: 21 points earned on 150 + 270 ₽ go to the lines as 8 + 13, not 7.50 + 13.50, so returning the first
    /// line leaves 13 points the customer can spend in full (13.50 was refused: only whole points can be spent).
    @Test(arguments: TestDatabase.allCases) func aPartialReturnLeavesWholePointsThatCanBeSpent(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) {
            $0.pointsStep = 100
            $0.accrualRounding = .halfUp
        }
        let anna = try await f.customer()
        let books = [ReceiptLine(sku: "A", quantity: 1000, price: 150_00), ReceiptLine(sku: "B", quantity: 1000, price: 270_00)]
        let sale = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, books))
        #expect(sale.calculation.earnedPoints == 21_00)
        let made = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(sale.receipt.id, [.init(line: 1, quantity: 1000)]))
        #expect(made.reversedPoints == 8_00)
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 10).spendable == 13_00)
        let spend = try StoreFixture.decode(
            ReceiptCommitted.self,
            try await f.commit(anna, [ReceiptLine(sku: "C", quantity: 1000, price: 100_00)], redeem: .points(13_00), now: StoreFixture.t0 + 20))
        #expect(spend.calculation.redeemedPoints == 13_00)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases, [ReturnPolicy.allowNegative, .capAtBalance])
    func returningSpentEarnedPointsFollowsThePolicy(_ database: TestDatabase, policy: ReturnPolicy) async throws {
        let f = try await StoreFixture(database) {
            $0.returnPolicy = policy
            $0.maxRedeemShareBp = 10_000
            $0.minPayableKopecks = 0
        }
        let anna = try await f.customer()
        let sale = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, [ReceiptLine(sku: "TV", quantity: 1000, price: 1_000_00)]))
        #expect(sale.calculation.earnedPoints == 50_00)
        // The customer spends the 50 points (on a line that earns nothing), then returns the TV.
        let book = ReceiptLine(sku: "BOOK", quantity: 1000, price: 200_00, flags: [.noAccrual])
        _ = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, [book], redeem: .points(50_00), now: StoreFixture.t0 + 5))
        let made = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(sale.receipt.id, nil))
        let balance = try await f.balance(anna, at: StoreFixture.t0 + 10)
        switch policy {
        case .allowNegative:
            #expect(made.reversedPoints == 50_00)
            #expect(made.unrecoveredPoints == 0)
            #expect(balance.debt == 50_00)
            // The debt is paid from the next accrual first: 5 % of 2,000 ₽ = 100 points, 50 go to the debt.
            _ = try await f.commit(anna, [ReceiptLine(sku: "X", quantity: 1000, price: 2_000_00)], now: StoreFixture.t0 + 20)
            #expect(try await f.balance(anna, at: StoreFixture.t0 + 20) == BalanceSnapshot(spendable: 50_00, pending: 0, debt: 0))
        case .capAtBalance:
            #expect(made.reversedPoints == 0)
            #expect(made.unrecoveredPoints == 50_00)
            #expect(balance.debt == 0)
        }
        try await f.expectInvariants()
    }

    /// Returns decided on one snapshot of the receipt: the writer takes only those whose lines are still returned as far
    /// as they read; the others decide again and are refused once nothing is left. Never more than bought comes back.
    /// With and without a customer: an anonymous receipt has no customer's version to guard it, only its lines.
    @Test(arguments: TestDatabase.allCases, [true, false])
    func concurrentReturnsOfOneLineGiveBackOnlyWhatWasBought(_ database: TestDatabase, named: Bool) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        let sale = try StoreFixture.decode(
            ReceiptCommitted.self, try await f.commit(named ? anna : nil, Self.twoCoffees, redeem: .points(named ? 100_00 : 0)))
        let replies = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for _ in 0..<16 { group.addTask { try await f.returnLines(sale.receipt.id, [.init(line: 1, quantity: 1000)]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let made = try replies.filter { $0.status == 201 }.map { try StoreFixture.decode(ReturnMade.self, $0) }
        #expect(made.count == 2, "\(replies.map { String(decoding: $0.body, as: UTF8.self) })")
        #expect(made.reduce(0) { $0 + $1.refundKopecks } == sale.calculation.payable)
        if named {
            #expect(made.reduce(0) { $0 + $1.reversedPoints } == 15_00 && made.reduce(0) { $0 + $1.restoredPoints } == 100_00)
            #expect(try await f.balance(anna, at: StoreFixture.t0 + 10).spendable == 100_00, "two halves leave the balance as before the sale")
        }
        try await f.expectInvariants()
    }
}
