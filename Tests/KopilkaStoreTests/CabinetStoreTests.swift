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

    /// Joining from the join page: the code confirms the phone and is used by the registration it confirms, in one
    /// transaction; a refused registration leaves the code for the corrected form; a member's phone gets a sign-in code.
    @Test(arguments: TestDatabase.allCases)
    func aJoinCodeRegistersTheCustomerOnceWithTheWelcomeBonus(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.welcomeBonusPoints = 100_00 }
        let t0 = StoreFixture.t0
        let member = try await f.customer(phone: "+79120000001")
        let phone = "+79125550000"
        func newcomer(friend: CustomerKey? = nil) -> NewCustomer {
            NewCustomer(phone: phone, name: "Ира", email: nil, birthday: "1990-03-14", personalDataConsent: true, marketingConsent: true, referrer: friend)
        }
        #expect(try await f.store.issueJoinCode(merchantId: f.merchantId, phone: "+79120000001", code: "111111", now: t0) == .member)
        #expect(try await f.store.useLoginCode(merchantId: f.merchantId, phone: "+79120000001", code: "111111", now: t0 + 5) == member)

        #expect(try await f.store.issueJoinCode(merchantId: f.merchantId, phone: phone, code: "123456", now: t0) == .sent)
        // A wrong code counts and registers nothing; a friend no one is refuses the registration, and the code stays.
        #expect(try await f.store.join(merchantId: f.merchantId, newcomer(), code: "654321", now: t0 + 10) == .codeRefused)
        await #expect(throws: KopilkaError.self) {
            try await f.store.join(merchantId: f.merchantId, newcomer(friend: .phone("+79129999999")), code: "123456", now: t0 + 20)
        }
        #expect(try await f.store.customer(merchantId: f.merchantId, .phone(phone), now: t0 + 20) == nil)
        guard case .joined(let id) = try await f.store.join(merchantId: f.merchantId, newcomer(friend: .phone("+79120000001")), code: "123456", now: t0 + 30)
        else { Issue.record("the right code did not register"); return }
        let profile = try #require(try await f.store.customerProfile(merchantId: f.merchantId, customerId: id, now: t0 + 30))
        #expect(profile.phone == phone && profile.birthday == "1990-03-14" && profile.consents.marketing && profile.consents.personalData)
        #expect(profile.balance.spendable + profile.balance.pending == 100_00)
        #expect(try await f.store.referralSummary(merchantId: f.merchantId, customerId: member).friends == 1)
        // The code is used up: the same code again registers no one twice.
        #expect(try await f.store.join(merchantId: f.merchantId, newcomer(), code: "123456", now: t0 + 40) == .codeRefused)

        // Five wrong guesses void a join code even when the sixth is right.
        let other = NewCustomer(phone: "+79125550001", name: nil, email: nil, birthday: nil, personalDataConsent: true, marketingConsent: false)
        #expect(try await f.store.issueJoinCode(merchantId: f.merchantId, phone: other.phone, code: "777777", now: t0) == .sent)
        for guess in 0..<SQLStore.loginCodeAttempts {
            #expect(try await f.store.join(merchantId: f.merchantId, other, code: "00000\(guess)", now: t0 + 50) == .codeRefused)
        }
        #expect(try await f.store.join(merchantId: f.merchantId, other, code: "777777", now: t0 + 60) == .codeRefused)
        #expect(try await f.store.customer(merchantId: f.merchantId, .phone(other.phone), now: t0 + 60) == nil)

        // A join code keeps a phone that may never join: maintenance removes it the next day.
        func joinCodes() async throws -> Int64 {
            try await f.store.backend.read { db in try db.row("SELECT COUNT(*) AS n FROM join_codes WHERE merchant_id = ?", [f.merchantId])!["n"] }
        }
        #expect(try await joinCodes() == 2)
        _ = try await f.store.runMaintenance(now: t0 + 3_600)
        #expect(try await joinCodes() == 2)
        _ = try await f.store.runMaintenance(now: t0 + 86_401)
        #expect(try await joinCodes() == 0)
    }
}
