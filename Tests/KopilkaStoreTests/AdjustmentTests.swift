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

    /// The default caps: 1,000 points at once and 5,000 in 24 hours across all customers need the owner's confirmation;
    /// two adjustments racing past the daily cap do not both pass; the reason stays with the entry and the audit record.
    @Test(arguments: TestDatabase.allCases) func manualAdjustmentsAreCappedUnlessTheOwnerConfirms(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        let anna = try await f.customer(phone: "+79120000001"), boris = try await f.customer(phone: "+79120000002")
        func adjust(_ customer: Int64, _ points: Points, confirmed: Bool = false, at: UnixSeconds = t0 + 10) async throws -> StoredResponse {
            try await f.store.adjustPoints(
                merchantId: f.merchantId, AdjustmentCommand(customerId: customer, points: points, reason: "жалоба №\(points)", confirmed: confirmed),
                actor: .operator, idempotency: nil, now: at, render: StoreFixture.renderer())
        }
        func refusedForTheCap(_ response: StoredResponse) -> Bool { String(decoding: response.body, as: UTF8.self).hasPrefix("cashierLimit") }
        #expect(refusedForTheCap(try await adjust(anna, 1_000_000_00)), "a million points at once")
        #expect(refusedForTheCap(try await adjust(anna, 1_000_01)), "a hundredth over 1,000 points at once")
        for customer in [anna, boris, anna, boris] { #expect(try await adjust(customer, 1_000_00).status == 201, "1,000 points is within the cap") }
        // 1,000 more each, at once: 4,000 + 1,000 is within the day's 5,000, 4,000 + 2,000 is not — one of the two passes.
        let racing = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for customer in [anna, boris] { group.addTask { try await adjust(customer, 1_000_00) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(racing.filter { $0.status == 201 }.count == 1 && racing.filter(refusedForTheCap).count == 1)
        #expect(try await f.store.adjustedToday(merchantId: f.merchantId, now: t0 + 10) == 5_000_00)
        #expect(refusedForTheCap(try await adjust(boris, -5_00)), "debits count towards the day too")
        // The owner confirms: it goes through, unflagged, and the audit says so; a day later the cap is whole again.
        let confirmed = try await adjust(boris, 1_000_000_00, confirmed: true)
        #expect(confirmed.status == 201)
        #expect(try StoreFixture.decode(AdjustmentMade.self, confirmed).flagged == false)
        #expect(try await adjust(anna, 1_000_00, at: t0 + 10 + 86_400).status == 201)
        let audit = try await f.store.recentAudit(merchantId: f.merchantId, before: nil, limit: 20).records.filter { $0.action == "customer.adjust" }
        #expect(audit.count == 7 && audit.filter { $0.after?.contains("\"confirmed\":true") == true }.count == 1)
        let history = try #require(try await f.store.ledger(merchantId: f.merchantId, customerId: boris, before: nil, limit: 10))
        #expect(history.entries.first { $0.kind == .manualCredit }?.note == "жалоба №100000000")
        try await f.expectInvariants()
    }
}
