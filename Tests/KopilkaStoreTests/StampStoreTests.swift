import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// "Every 6th coffee free, stamps burn after 30 days without a coffee", kept by the store on both databases: the
/// reward at the till, returns and cancelled orders that give stamps back, burnt stamps, and two tills at once.
@Suite struct StampStoreTests {
    static let day = StoreFixture.day

    static func fixture(_ database: TestDatabase) async throws -> StoreFixture {
        try await StoreFixture(database) { rules in
            var card = StampCard(id: "coffee", name: "Кофейная карта", every: 6)
            card.lines = LineScope(categories: ["coffee"])
            card.lifetimeDays = 30
            rules.stampCards = [card]
        }
    }

    static func stamps(_ f: StoreFixture, _ customerId: Int64, at now: UnixSeconds) async throws -> StampBalance {
        try #require(try await f.store.customer(merchantId: f.merchantId, .id(customerId), now: now)?.stamps.first)
    }

    static func committed(_ response: StoredResponse) throws -> ReceiptCommitted {
        try StoreFixture.decode(ReceiptCommitted.self, response)
    }

    @Test(arguments: TestDatabase.allCases)
    func theSixthCoffeeIsFreeAndAReturnGivesTheStampsBack(_ database: TestDatabase) async throws {
        let f = try await Self.fixture(database)
        let t0 = StoreFixture.t0
        let anna = try await f.customer()
        var receipts: [ReceiptCommitted] = []
        for visit in 0..<5 {
            receipts.append(try Self.committed(try await f.commit(anna, now: t0 + Int64(visit) * Self.day)))
        }
        #expect(receipts.map { $0.calculation.stamps.first?.after } == [1, 2, 3, 4, 5])
        let card = try await Self.stamps(f, anna, at: t0 + 4 * Self.day)
        #expect((card.stamps, card.stampsForReward) == (5, 5))
        #expect(card.expiresAt == Instant(t0 + 34 * Self.day), "30 days after the last stamp")

        let free = try Self.committed(try await f.commit(anna, now: t0 + 5 * Self.day))
        #expect(free.calculation.discount == 200_00)
        #expect(free.calculation.payable == 0)
        #expect(try await Self.stamps(f, anna, at: t0 + 5 * Self.day).stamps == 0)

        // The free coffee comes back: its five stamps return. Then the first coffee comes back: its stamp goes.
        for receiptId in [free.receipt.id, receipts[0].receipt.id] {
            _ = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(receiptId, now: t0 + 6 * Self.day))
        }
        #expect(try await Self.stamps(f, anna, at: t0 + 6 * Self.day).stamps == 4)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func stampsBurnThirtyDaysAfterTheLastOne(_ database: TestDatabase) async throws {
        let f = try await Self.fixture(database)
        let t0 = StoreFixture.t0
        let anna = try await f.customer()
        for visit in 0..<3 { _ = try await f.commit(anna, now: t0 + Int64(visit) * Self.day) }
        #expect(try await Self.stamps(f, anna, at: t0 + 32 * Self.day - 1).stamps == 3)
        #expect(try await Self.stamps(f, anna, at: t0 + 32 * Self.day).stamps == 0)
        let next = try Self.committed(try await f.commit(anna, now: t0 + 40 * Self.day))
        #expect(next.calculation.stamps.first.map { ($0.before, $0.after) } ?? (-1, -1) == (0, 1))
        #expect(try await Self.stamps(f, anna, at: t0 + 40 * Self.day).stamps == 1)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func aCancelledOrderGivesItsRewardBack(_ database: TestDatabase) async throws {
        let f = try await Self.fixture(database)
        let t0 = StoreFixture.t0
        let anna = try await f.customer()
        for visit in 0..<5 { _ = try await f.commit(anna, now: t0 + Int64(visit)) }
        let placed = try StoreFixture.decode(HoldPlaced.self, try await f.store.placeHold(
            merchantId: f.merchantId,
            HoldCommand(storeId: f.storeId, registerId: nil, customer: .id(anna), externalId: "web-1", lines: [StoreFixture.coffee],
                        redeem: .points(0), ttlSeconds: nil),
            idempotency: nil, now: t0 + 10, render: StoreFixture.renderer()))
        #expect(placed.calculation.stamps.first?.rewards == 1)
        #expect(try await Self.stamps(f, anna, at: t0 + 10).stamps == 0, "the reward is taken when the order is placed")
        _ = try StoreFixture.decode(HoldView.self, try await f.store.cancelHold(
            merchantId: f.merchantId, holdId: try #require(parseID(placed.hold.id)), storeId: nil, idempotency: nil, now: t0 + 20,
            render: StoreFixture.renderer()))
        #expect(try await Self.stamps(f, anna, at: t0 + 20).stamps == 5)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func twoTillsAtOnceGiveOneReward(_ database: TestDatabase) async throws {
        let f = try await Self.fixture(database)
        let t0 = StoreFixture.t0
        let anna = try await f.customer()
        for visit in 0..<5 { _ = try await f.commit(anna, now: t0 + Int64(visit)) }
        async let first = f.commit(anna, now: t0 + 10)
        async let second = f.commit(anna, now: t0 + 10)
        let both = try [try await first, try await second].map(Self.committed)
        #expect(both.map { $0.calculation.stamps.first?.rewards ?? 0 }.reduce(0, +) == 1)
        #expect(both.map(\.calculation.discount).reduce(0, +) == 200_00)
        #expect(try await Self.stamps(f, anna, at: t0 + 10).stamps == 1)
        try await f.expectInvariants()
    }
}
