import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Each process keeps the compiled program and checks its version in every snapshot (a lookup and a commit check it
/// with the customer's row): a program saved by another process on the same PostgreSQL is the one the next request
/// reads.
@Suite struct ProgramCacheTests {
    @Test func aProgramSavedByAnotherProcessIsReadOnTheNextLookupAndCommit() async throws {
        let location = try TestDatabase.freshPostgresLocation(pool: 2)
        let here = try await SQLStore.postgres(location), there = try await SQLStore.postgres(location)
        let t0 = StoreFixture.t0
        let (merchant, _) = try await here.createMerchant(name: "Test", now: t0)
        let merchantId = parseID(merchant.id)!
        var rules = ProgramRules()
        rules.accrualRateBp = 500
        let v1 = try await here.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: t0)
        let storeId = parseID(try await here.createStore(merchantId: merchantId, name: "Shop", timeZone: "Europe/Moscow", now: t0).id)!
        let ids = try await here.registerCustomers(
            merchantId: merchantId,
            [NewCustomer(phone: "+79120000001", name: nil, email: nil, birthday: nil, personalDataConsent: true, marketingConsent: false)], now: t0)
        let anna = try #require(ids.first ?? nil)
        func earned() async throws -> Points {
            let reply = try await here.commitReceipt(
                merchantId: merchantId,
                ReceiptCommand(storeId: storeId, registerId: nil, customer: .id(anna), externalId: UUID().uuidString, lines: [StoreFixture.coffee], redeem: .points(0)),
                idempotency: nil, now: t0, render: StoreFixture.renderer())
            return try StoreFixture.decode(ReceiptCommitted.self, reply).calculation.earnedPoints
        }
        // Cached here by a lookup and a commit.
        #expect(try await here.customer(merchantId: merchantId, .phone("+79120000001"), now: t0)?.tier == nil)
        #expect(try await earned() == 10_00)

        rules.accrualRateBp = 1000
        rules.tiers = TierRules(tiers: [Tier(name: "Гость", threshold: 0, accrualRateBp: 1000)])
        _ = try await there.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: v1.version, now: t0)
        #expect(try await here.customer(merchantId: merchantId, .phone("+79120000001"), now: t0)?.tier?.tier == "Гость")
        #expect(try await earned() == 20_00, "the next commit earns at the rate saved elsewhere")
        try await here.close()
        try await there.dropSchema()
    }
}
