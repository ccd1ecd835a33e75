import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// The commit refuses a receipt that breaks the till protocol's limits whoever built it (the web cashier builds its
/// commands itself), with the fields the till's API names, and writes nothing.
@Suite struct CommitValidationTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var name: String
        var field: String
        var change: @Sendable (inout ReceiptCommand) -> Void
        var testDescription: String { name }
    }

    static let examples: [Example] = [
        .init(name: "a price over the limit", field: "lines[0].price") { $0.lines[0].price = ReceiptLine.Limits.maxPrice + 1 },
        .init(name: "no lines", field: "lines") { $0.lines = [] },
        .init(name: "a receipt's sum over the limit", field: "lines") {
            $0.lines = Array(repeating: ReceiptLine(sku: "GOLD", quantity: 1_000_000, price: ReceiptLine.Limits.maxPrice / 10), count: 2)
        },
        .init(name: "an empty fiscal number", field: "externalId") { $0.externalId = "" },
        .init(name: "negative points", field: "redeem") { $0.redeem = .points(-1) },
        .init(name: "eleven codes", field: "promoCodes") { $0.codes = Array(repeating: "CODE", count: 11) },
        .init(name: "a cashier of 65 characters", field: "cashier") { $0.cashier = String(repeating: "к", count: 65) },
        .init(name: "a confirmation code of letters", field: "confirmationCode") { $0.confirmationCode = "12ab56" },
    ]

    @Test(arguments: examples) func aBrokenReceiptIsRefusedAndChangesNothing(_ example: Example) async throws {
        let f = try await StoreFixture(.sqlite)
        let customerId = try await f.customer()
        var command = ReceiptCommand(
            storeId: f.storeId, registerId: nil, customer: .id(customerId), externalId: "V-1", lines: [StoreFixture.coffee], redeem: .points(0))
        #expect(command.violations == nil)
        example.change(&command)
        let refused = try await f.store.commitReceipt(
            merchantId: f.merchantId, command, idempotency: IdempotencyKey(key: "v", requestHash: [1]), now: StoreFixture.t0,
            render: { result in
                guard case .failure(.validation(let errors)) = result else { return StoredResponse(status: 201, body: []) }
                return StoredResponse(status: 400, body: Array(errors.map(\.field).joined(separator: ",").utf8))
            })
        #expect(refused.status == 400)
        #expect(String(decoding: refused.body, as: UTF8.self).hasPrefix(example.field))
        // Nothing written, nor kept under the key: the corrected receipt goes through with the same key.
        #expect(try await f.balance(customerId) == BalanceSnapshot(spendable: 0, pending: 0, debt: 0))
        let corrected = try await f.store.commitReceipt(
            merchantId: f.merchantId,
            ReceiptCommand(
                storeId: f.storeId, registerId: nil, customer: .id(customerId), externalId: "V-1", lines: [StoreFixture.coffee], redeem: .points(0)),
            idempotency: IdempotencyKey(key: "v", requestHash: [2]), now: StoreFixture.t0, render: StoreFixture.renderer())
        #expect(corrected.status == 201)
    }

    /// Calculate refuses what the commit would, with the same fields (the receipt's own fields: a calculation has no
    /// fiscal number, cashier or confirmation code).
    @Test(arguments: examples.filter { !["externalId", "cashier", "confirmationCode"].contains($0.field) })
    func calculateRefusesWhatTheCommitWould(_ example: Example) async throws {
        let f = try await StoreFixture(.sqlite)
        var command = ReceiptCommand(storeId: f.storeId, registerId: nil, customer: nil, externalId: "V-1", lines: [StoreFixture.coffee], redeem: .points(0))
        example.change(&command)
        let calculate = CalculateCommand(storeId: f.storeId, customer: nil, lines: command.lines, redeem: command.redeem, codes: command.codes)
        await #expect {
            try await f.store.calculateReceipt(merchantId: f.merchantId, calculate, now: StoreFixture.t0)
        } throws: { error in
            guard case .validation(let errors) = error as? KopilkaError else { return false }
            return errors.first?.field.hasPrefix(example.field) == true
        }
    }
}
