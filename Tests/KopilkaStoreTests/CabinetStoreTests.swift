import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// The cabinet's one-time sign-in codes and the customer's own consent, on both databases.
@Suite struct CabinetStoreTests {
    /// 30 guesses at once, the right code among the last: at most the allowed attempts are compared, so a code guessed at
    /// in parallel is no weaker than one guessed at in turn. The attempt is taken before the comparison.
    @Test(arguments: TestDatabase.allCases)
    func parallelGuessesAtASignInCodeCountEach(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        _ = try await f.customer(phone: "+79120000001")
        _ = try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "123456", now: t0)
        let signedIn = try await withThrowingTaskGroup(of: Int64?.self) { group in
            for guess in 0..<30 {
                let code = guess == 29 ? "123456" : String(format: "9%05d", guess)
                group.addTask { try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: code, now: t0 + 10) }
            }
            return try await group.reduce(into: [Int64]()) { if let id = $1 { $0.append(id) } }
        }
        let attempts: Int64 = try await f.store.backend.read { db in
            try db.row("SELECT attempts FROM login_codes WHERE merchant_id = ?", [f.merchantId])!["attempts"]
        }
        #expect(attempts <= Int64(SQLStore.loginCodeAttempts), "\(attempts) guesses were compared")
        #expect(signedIn.count <= 1)
    }

    @Test(arguments: TestDatabase.allCases)
    func aSignInCodeWorksOnceForItsPhoneAndNotAfterGuessing(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        let customer = try await f.customer(phone: "+79120000001")
        _ = try await f.customer(phone: "+79120000002")
        #expect(try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79129999999", code: "111111", now: t0) == nil)

        // The right code once; a wrong one counts; another phone's code is not this one's.
        #expect(try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "123456", now: t0) == customer)
        #expect(try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000002", code: "654321", now: t0) != nil)
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "654321", now: t0 + 10) == nil)
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "123456", now: t0 + 20) == customer)
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "123456", now: t0 + 30) == nil)

        // A newer code voids the older; a code dies with its lifetime.
        _ = try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "000001", now: t0 + 60)
        _ = try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "000002", now: t0 + 70)
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "000001", now: t0 + 80) == nil)
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "000002", now: t0 + 70 + SQLStore.loginCodeSeconds) == nil)

        // Five guesses void a code even when the sixth is right; a phone gets five codes an hour.
        _ = try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "777777", now: t0 + 3_700)
        for guess in 0..<SQLStore.loginCodeAttempts {
            #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "00000\(guess)", now: t0 + 3_710) == nil)
        }
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "777777", now: t0 + 3_720) == nil)
        for minute in 1..<SQLStore.loginCodesPerHour {
            _ = try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "12345\(minute)", now: t0 + 3_700 + Int64(minute) * 60)
        }
        await #expect(throws: KopilkaError.self) {
            try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "999999", now: t0 + 4_100)
        }

        // The customer's own consent, audited as them; an erased customer gets no code.
        try await f.store.setMarketingConsent(merchantId: f.merchantId, customerId: customer, consent: false, now: t0, actor: .customer(customer))
        #expect(try await f.store.customerProfile(merchantId: f.merchantId, customerId: customer, now: t0)?.consents.marketing == false)
        let audit = try await f.store.auditLog(merchantId: f.merchantId, after: 0, limit: 100)
        #expect(audit.records.contains { $0.action == "customer.consent" && $0.actor == "customer:\(customer)" })
        _ = try await f.store.eraseCustomer(merchantId: f.merchantId, customerId: customer, now: t0 + 9_000, actor: .customer(customer))
        #expect(try await f.store.issueLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "111111", now: t0 + 9_000) == nil)
    }
}
