import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// "Bring a friend", on both databases: simple rewards after the friend's first purchase from 500 ₽ once the 14-day
/// return window is over, nothing for a purchase returned within it, no referring oneself; and a three-level share of
/// each purchase with a cap per customer, paid on what a partial return kept.
@Suite struct ReferralTests {
    static let day = StoreFixture.day
    static let t0 = StoreFixture.t0

    static func join(_ f: StoreFixture, _ phone: String, referrer: CustomerKey?, now: UnixSeconds = t0) async throws -> StoredResponse {
        try await f.store.registerCustomer(
            merchantId: f.merchantId,
            NewCustomer(phone: phone, name: nil, email: nil, birthday: nil, personalDataConsent: true, marketingConsent: false, referrer: referrer),
            idempotency: nil, now: now, render: StoreFixture.renderer())
    }

    static func joined(_ f: StoreFixture, _ phone: String, referrer: CustomerKey?) async throws -> Int64 {
        try #require(parseID(try StoreFixture.decode(CustomerRegistered.self, try await join(f, phone, referrer: referrer)).customer.id))
    }

    /// The customer's `referral` ledger entries, oldest first.
    static func referralPoints(_ f: StoreFixture, _ customerId: Int64) async throws -> [Points] {
        let page = try await f.store.ledger(merchantId: f.merchantId, customerId: customerId, before: nil, limit: 100)
        return (page?.entries ?? []).filter { $0.kind == .referral }.map(\.amount).reversed()
    }

    static func purchase(_ f: StoreFixture, _ customerId: Int64, _ prices: [Kopecks], now: UnixSeconds) async throws -> ReceiptCommitted {
        let lines = prices.enumerated().map { ReceiptLine(sku: "S\($0.offset)", category: "goods", price: $0.element) }
        return try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(customerId, lines, now: now))
    }

    @Test(arguments: TestDatabase.allCases)
    func bothAreRewardedAfterTheFriendsFirstPurchaseIsKept(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var referral = ReferralRules()
            (referral.referrerPoints, referral.friendPoints, referral.minPurchaseKopecks, referral.waitDays) = (300_00, 200_00, 500_00, 14)
            rules.referral = referral
        }
        let anna = try await f.customer(phone: "+79120000001")
        let boris = try await Self.joined(f, "+79120000002", referrer: .phone("+79120000001"))
        let carl = try await Self.joined(f, "+79120000003", referrer: .card(try #require(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: Self.t0)?.card)))

        // Boris: 300 ₽ is below the 500 ₽ that counts; 1,000 ₽ does, paid 14 days later, once.
        _ = try await Self.purchase(f, boris, [300_00], now: Self.t0 + Self.day)
        _ = try await Self.purchase(f, boris, [1_000_00], now: Self.t0 + 2 * Self.day)
        _ = try await Self.purchase(f, boris, [1_000_00], now: Self.t0 + 3 * Self.day)
        _ = try await f.store.runMaintenance(now: Self.t0 + 16 * Self.day - 1)
        #expect(try await Self.referralPoints(f, anna) == [], "the return window is not over")
        #expect(try await f.store.runMaintenance(now: Self.t0 + 16 * Self.day).settledReferrals == 2)
        #expect(try await Self.referralPoints(f, anna) == [300_00])
        #expect(try await Self.referralPoints(f, boris) == [200_00])

        // Carl returns his first purchase within the window: nothing; his next purchase counts instead.
        let first = try await Self.purchase(f, carl, [800_00], now: Self.t0 + 17 * Self.day)
        _ = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(first.receipt.id, now: Self.t0 + 19 * Self.day))
        _ = try await f.store.runMaintenance(now: Self.t0 + 31 * Self.day)
        #expect(try await Self.referralPoints(f, carl) == [])
        _ = try await Self.purchase(f, carl, [600_00], now: Self.t0 + 35 * Self.day)
        _ = try await f.store.runMaintenance(now: Self.t0 + 49 * Self.day)
        #expect(try await Self.referralPoints(f, anna) == [300_00, 300_00])
        #expect(try await Self.referralPoints(f, carl) == [200_00])
        #expect(try await f.store.referralSummary(merchantId: f.merchantId, customerId: anna) == ReferralSummary(friends: 2, paidPoints: 600_00, pendingPoints: 0))
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func nobodyRefersThemselvesOrSomeoneUnknown(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.referral = ReferralRules() }
        _ = try await f.customer(phone: "+79120000001")
        for (referrer, message) in [(CustomerKey.phone("+79120000002"), "cannot refer themselves"), (.phone("+79120000009"), "no member")] {
            let refused = try await Self.join(f, "+79120000002", referrer: referrer)
            #expect(refused.status == 409)
            #expect(String(decoding: refused.body, as: UTF8.self).contains(message))
        }
        #expect(try await f.store.customer(merchantId: f.merchantId, .phone("+79120000002"), now: Self.t0) == nil, "nothing was registered")
    }

    @Test(arguments: TestDatabase.allCases)
    func threeLevelsShareEachPurchaseWithinTheirCap(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var referral = ReferralRules()
            (referral.levelRatesBp, referral.maxPointsPerCustomer, referral.waitDays) = ([500, 200, 100], 60_00, 0)
            rules.referral = referral
        }
        // Anna brought Boris, Boris brought Carl, Carl brought Dina; Dina buys.
        let anna = try await f.customer(phone: "+79120000001")
        let boris = try await Self.joined(f, "+79120000002", referrer: .phone("+79120000001"))
        let carl = try await Self.joined(f, "+79120000003", referrer: .phone("+79120000002"))
        let dina = try await Self.joined(f, "+79120000004", referrer: .phone("+79120000003"))

        // 1,000 ₽: Carl 5 % = 50, Boris 2 % = 20, Anna 1 % = 10.
        _ = try await Self.purchase(f, dina, [1_000_00], now: Self.t0 + Self.day)
        _ = try await f.store.runMaintenance(now: Self.t0 + Self.day)
        // Again 1,000 ₽: Carl's cap of 60 from Dina leaves him 10.
        _ = try await Self.purchase(f, dina, [1_000_00], now: Self.t0 + 2 * Self.day)
        _ = try await f.store.runMaintenance(now: Self.t0 + 2 * Self.day)
        // 500 + 500 ₽ with one line returned before the rewards are settled: Boris 2 % of the 500 ₽ kept = 10, Anna 5.
        let third = try await Self.purchase(f, dina, [500_00, 500_00], now: Self.t0 + 3 * Self.day)
        _ = try StoreFixture.decode(
            ReturnMade.self, try await f.returnLines(third.receipt.id, [.init(line: 2, quantity: 1000)], now: Self.t0 + 3 * Self.day))
        _ = try await f.store.runMaintenance(now: Self.t0 + 3 * Self.day)

        #expect(try await Self.referralPoints(f, carl) == [50_00, 10_00])
        #expect(try await Self.referralPoints(f, boris) == [20_00, 20_00, 10_00])
        #expect(try await Self.referralPoints(f, anna) == [10_00, 10_00, 5_00])
        #expect(try await Self.referralPoints(f, dina) == [], "a buyer earns no share of their own purchases")
        try await f.expectInvariants()
    }
}
