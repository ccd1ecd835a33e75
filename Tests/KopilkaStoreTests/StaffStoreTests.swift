import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Staff managed from the console: roles, switching off, new passwords, on both databases.
@Suite struct StaffStoreTests {
    static let password = PasswordHash(hash: Array(repeating: 1, count: 32), salt: Array(repeating: 2, count: 16), params: "scrypt:32768:8:1")

    @Test(arguments: TestDatabase.allCases)
    func theLastOwnerStaysAndASwitchedOffMemberIsSignedOut(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        let owner = try await f.store.createStaff(
            merchantId: f.merchantId, email: "Owner@Shop.ru", name: "Анна", role: .owner, password: Self.password, now: t0, actor: .operator)
        let cashier = try await f.store.createStaff(
            merchantId: f.merchantId, email: "kassa@shop.ru", name: "Олег", role: .cashier, password: Self.password, now: t0, actor: .operator)
        #expect(owner.email == "owner@shop.ru", "emails are kept lowercased")
        let ownerId = try #require(Int64(owner.id)), cashierId = try #require(Int64(cashier.id))

        // The only owner can be neither demoted nor switched off.
        await #expect(throws: KopilkaError.self) {
            try await f.store.updateStaff(merchantId: f.merchantId, staffId: ownerId, role: .marketer, disabled: false, now: t0, actor: .staff(ownerId))
        }
        await #expect(throws: KopilkaError.self) {
            try await f.store.updateStaff(merchantId: f.merchantId, staffId: ownerId, role: .owner, disabled: true, now: t0, actor: .staff(ownerId))
        }

        // A cashier made owner; then the first owner may step down.
        _ = try await f.store.updateStaff(merchantId: f.merchantId, staffId: cashierId, role: .owner, disabled: false, now: t0, actor: .staff(ownerId))
        let demoted = try await f.store.updateStaff(
            merchantId: f.merchantId, staffId: ownerId, role: .marketer, disabled: false, now: t0 + 1, actor: .staff(cashierId))
        #expect(demoted.role == .marketer)

        // Switching off ends the member's sessions at once and stops their sign-in; switching on restores the sign-in.
        try await f.store.openSession(
            merchantId: f.merchantId, staffId: ownerId, customerId: nil, tokenHash: Array(repeating: 7, count: 32), csrf: "c", expiresAt: t0 + 3_600,
            now: t0)
        #expect(try await f.store.session(tokenHash: Array(repeating: 7, count: 32), now: t0 + 10) != nil)
        let off = try await f.store.updateStaff(merchantId: f.merchantId, staffId: ownerId, role: .marketer, disabled: true, now: t0 + 20, actor: .staff(cashierId))
        #expect(off.disabledAt == Instant(t0 + 20))
        #expect(try await f.store.staffCredentials(email: "owner@shop.ru") == nil)
        _ = try await f.store.updateStaff(merchantId: f.merchantId, staffId: ownerId, role: .marketer, disabled: false, now: t0 + 30, actor: .staff(cashierId))
        #expect(try await f.store.session(tokenHash: Array(repeating: 7, count: 32), now: t0 + 40) == nil, "the ended session stays ended")
        #expect(try await f.store.staffCredentials(email: "owner@shop.ru")?.staff.role == .marketer)

        // A new password replaces the old one and ends sessions.
        try await f.store.openSession(
            merchantId: f.merchantId, staffId: ownerId, customerId: nil, tokenHash: Array(repeating: 8, count: 32), csrf: "c", expiresAt: t0 + 3_600,
            now: t0 + 50)
        let fresh = PasswordHash(hash: Array(repeating: 3, count: 32), salt: Array(repeating: 4, count: 16), params: "scrypt:32768:8:1")
        try await f.store.setStaffPassword(merchantId: f.merchantId, staffId: ownerId, password: fresh, now: t0 + 60, actor: .staff(cashierId))
        #expect(try await f.store.staffCredentials(email: "owner@shop.ru")?.password == fresh)
        #expect(try await f.store.session(tokenHash: Array(repeating: 8, count: 32), now: t0 + 70) == nil)

        // Each change is in the audit log under who made it.
        let actions = try await f.store.auditLog(merchantId: f.merchantId, after: 0, limit: 50).records.map { "\($0.action) \($0.actor)" }
        #expect(actions.filter { $0.hasPrefix("staff.update staff:\(cashierId)") }.count == 3)
        #expect(actions.contains("staff.password staff:\(cashierId)"))
    }
}
