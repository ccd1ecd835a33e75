import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// Orders' holds decided on snapshots: the writer takes a decision only while the hold is still held and the customer's
/// points are as read, so races between tills never reserve, give back or earn twice.
@Suite struct HoldRaceTests {
    static func place(_ f: StoreFixture, _ customerId: Int64, _ externalId: String, redeem: Points) async throws -> StoredResponse {
        try await f.store.placeHold(
            merchantId: f.merchantId,
            HoldCommand(storeId: f.storeId, registerId: nil, customer: .id(customerId), externalId: externalId, lines: [StoreFixture.coffee],
                        redeem: .points(redeem), ttlSeconds: 600),
            idempotency: nil, now: StoreFixture.t0, render: StoreFixture.renderer())
    }

    /// Eight orders each reserving 60 of the customer's 100 points: one is placed, the others find too few points.
    @Test(arguments: TestDatabase.allCases) func concurrentHoldsNeverReserveMoreThanTheBalance(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        let replies = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for index in 0..<8 { group.addTask { try await Self.place(f, anna, "web-\(index)", redeem: 60_00) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 1, "\(replies.map { String(decoding: $0.body, as: UTF8.self) })")
        #expect(try await f.balance(anna).spendable == 40_00)
        try await f.expectInvariants()
    }

    /// A hold confirmed and cancelled from eight tills each at once: exactly one of them closes it, and the points are
    /// either spent on a receipt or back with the customer, never both.
    @Test(arguments: TestDatabase.allCases) func confirmAndCancelRacedCloseTheHoldOnce(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        let placed = try StoreFixture.decode(HoldPlaced.self, try await Self.place(f, anna, "web-1", redeem: 50_00))
        let holdId = parseID(placed.hold.id)!
        let now = StoreFixture.t0 + 10
        let replies = try await withThrowingTaskGroup(of: (String, Int).self) { group in
            for index in 0..<16 {
                group.addTask {
                    if index % 2 == 0 {
                        let reply = try await f.store.confirmHold(
                            merchantId: f.merchantId, holdId: holdId, storeId: nil, externalId: "FN-\(index)", idempotency: nil, now: now,
                            render: StoreFixture.renderer())
                        return ("confirm", reply.status)
                    }
                    let reply = try await f.store.cancelHold(
                        merchantId: f.merchantId, holdId: holdId, storeId: nil, idempotency: nil, now: now,
                        render: StoreFixture.renderer() as ResponseRenderer<HoldView>)
                    return ("cancel", reply.status)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let winners = replies.filter { $0.1 == 201 }
        #expect(winners.count == 1, "\(replies)")
        let status = try #require(try await f.store.hold(merchantId: f.merchantId, holdId: holdId, now: now)?.status)
        let spendable = try await f.balance(anna, at: now).spendable
        if winners.first?.0 == "confirm" {
            // 5 % of the 150 ₽ paid in money.
            #expect(status == "confirmed" && spendable == 50_00 + 7_50)
        } else {
            #expect(status == "cancelled" && spendable == 100_00)
        }
        try await f.expectInvariants()
    }
}
