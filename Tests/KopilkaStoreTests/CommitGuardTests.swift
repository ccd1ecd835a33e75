import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// A commit decided on a snapshot is written only while what it read is unchanged: the guards of `writeCommit`.
@Suite struct CommitGuardTests {
    static func spend(_ f: StoreFixture, _ customerId: Int64, externalId: String) -> ReceiptCommand {
        ReceiptCommand(
            storeId: f.storeId, registerId: nil, customer: .id(customerId), externalId: externalId, lines: [StoreFixture.coffee],
            redeem: .points(10_00))
    }

    /// Prefetch and decide now; apply later.
    static func decided(_ f: StoreFixture, _ command: ReceiptCommand, now: UnixSeconds) async throws -> (CommitSnapshot, StoredResponse, Int64) {
        let snapshot = try await f.store.backend.read { db in
            try f.store.commitSnapshot(db, merchantId: f.merchantId, command, now: now)
        }
        let receiptId = f.store.nextID()
        let decided = f.store.decideCommit(command, snapshot, receiptId: receiptId, now: now)
        #expect((try? decided.get()) != nil)
        return (snapshot, StoreFixture.renderer()(decided.map(\.answer)), receiptId)
    }

    static func apply(
        _ f: StoreFixture, _ command: ReceiptCommand, _ snapshot: CommitSnapshot, _ response: StoredResponse, receiptId: Int64, now: UnixSeconds
    ) async throws -> StoredResponse {
        let outcome = try f.store.decideCommit(command, snapshot, receiptId: receiptId, now: now).get().outcome
        return try await f.store.backend.write { db in
            try db.savepoint {
                try f.store.writeCommit(db, merchantId: f.merchantId, command, snapshot, outcome, receiptId: receiptId, now: now)
            }
            return response
        }
    }

    @Test(arguments: TestDatabase.allCases) func aDecisionOnAnOlderReadingIsNotWritten(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.accrualRateBp = 1000 }
        let customerId = try await f.customer()
        let now = StoreFixture.t0 + 60
        _ = try await f.commit(customerId, now: now)
        let before = try await f.balance(customerId, at: now)
        #expect(before.spendable == 20_00)

        let command = Self.spend(f, customerId, externalId: "late")
        let (snapshot, response, receiptId) = try await Self.decided(f, command, now: now)
        // Meanwhile another receipt of the same customer only earns: no lot the decision spends from changes, so only the
        // customer's version tells that the decision read an older state (its level, velocity and stamps may differ).
        _ = try await f.commit(customerId, now: now)
        await #expect(throws: Ledger.Stale.self) {
            try await Self.apply(f, command, snapshot, response, receiptId: receiptId, now: now)
        }
        // Nothing of it was written: no receipt under its fiscal number, the balance is the earning receipt's alone.
        #expect(try await f.store.receipt(merchantId: f.merchantId, receiptId: receiptId) == nil)
        #expect(try await f.balance(customerId, at: now).spendable == 40_00)

        // Decided again on a fresh snapshot, it goes through.
        let committed = try StoreFixture.decode(ReceiptCommitted.self, try await f.store.commitReceipt(
            merchantId: f.merchantId, command, idempotency: nil, now: now, render: StoreFixture.renderer()))
        // 10 % of the 190 ₽ paid in money.
        #expect(committed.balance == BalanceSnapshot(spendable: 49_00, pending: 0, debt: 0))
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func anUnchangedReadingIsWrittenAsDecided(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { $0.accrualRateBp = 1000 }
        let customerId = try await f.customer()
        let now = StoreFixture.t0 + 60
        _ = try await f.commit(customerId, now: now)
        let command = Self.spend(f, customerId, externalId: "on-time")
        let (snapshot, response, receiptId) = try await Self.decided(f, command, now: now)
        let written = try await Self.apply(f, command, snapshot, response, receiptId: receiptId, now: now)
        // The answer rendered before the writer was asked is the answer given, and the receipt holds what it says.
        #expect(written == response)
        let answer = try StoreFixture.decode(ReceiptCommitted.self, written)
        #expect(try await f.store.receipt(merchantId: f.merchantId, receiptId: receiptId)?.redeemedPoints == 10_00)
        #expect(try await f.balance(customerId, at: now) == answer.balance)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func aFiscalNumberTakenMeanwhileIsNotWrittenTwice(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let anna = try await f.customer()
        let boris = try await f.customer(phone: "+79120000002")
        let now = StoreFixture.t0 + 60
        let command = ReceiptCommand(
            storeId: f.storeId, registerId: nil, customer: .id(anna), externalId: "F-1", lines: [StoreFixture.coffee], redeem: .points(0))
        let (snapshot, response, receiptId) = try await Self.decided(f, command, now: now)
        // Another customer's receipt takes the same fiscal number: Anna's version never moved.
        _ = try await f.commit(boris, externalId: "F-1", now: now)
        await #expect(throws: Ledger.Stale.self) {
            try await Self.apply(f, command, snapshot, response, receiptId: receiptId, now: now)
        }
        // Decided again, the commit says the receipt is registered already.
        let again = try await f.store.commitReceipt(merchantId: f.merchantId, command, idempotency: nil, now: now, render: StoreFixture.renderer())
        #expect(String(decoding: again.body, as: UTF8.self).hasPrefix("receiptAlreadyRegistered"))
    }
}
