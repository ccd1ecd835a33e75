import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// Manual adjustments decided on a snapshot of the customer's points: the writer takes only those decided on the
/// points as they still are.
@Suite struct AdjustmentTests {
    static func adjust(_ f: StoreFixture, _ customerId: Int64, _ points: Points) async throws -> StoredResponse {
        try await f.store.adjustPoints(
            merchantId: f.merchantId, AdjustmentCommand(customerId: customerId, points: points, reason: "списание по акту"),
            actor: .operator, idempotency: nil, now: StoreFixture.t0 + 10, render: StoreFixture.renderer())
    }

    @Test(arguments: TestDatabase.allCases) func concurrentDebitsNeverTakeMoreThanTheBalance(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let anna = try await f.customer()
        let replies = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for _ in 0..<8 { group.addTask { try await Self.adjust(f, anna, -60_00) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.filter { $0.status == 201 }.count == 1, "\(replies.map { String(decoding: $0.body, as: UTF8.self) })")
        #expect(replies.filter { String(decoding: $0.body, as: UTF8.self).hasPrefix("insufficientPoints") }.count == 7)
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 10).spendable == 40_00)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func concurrentCreditsAreAllCounted(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let anna = try await f.customer()
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await Self.adjust(f, anna, 12_50).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 201, count: 8))
        #expect(try await f.balance(anna, at: StoreFixture.t0 + 10).spendable == 100_00)
        try await f.expectInvariants()
    }
}
