import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// A fresh database (an SQLite file in a temporary folder, or a schema of its own on the test PostgreSQL cluster)
/// with one merchant, one store and a program.
struct StoreFixture {
    let store: SQLStore
    let merchantId: Int64
    let storeId: Int64
    let temporary: TemporaryFolder
    var folder: URL { temporary.url }
    /// The pinned clock: 2026-01-01 00:00 UTC.
    static let t0: UnixSeconds = 1_767_225_600
    static let day: Int64 = 86_400

    init(_ database: TestDatabase, _ configure: (inout ProgramRules) -> Void = { _ in }) async throws {
        temporary = try TemporaryFolder("kopilka-test")
        store = try await database.open(in: temporary)
        let (merchant, _) = try await store.createMerchant(name: "Test", now: Self.t0)
        merchantId = parseID(merchant.id)!
        var rules = ProgramRules()
        rules.lifetimeDays = 0
        configure(&rules)
        _ = try await store.updateProgram(merchantId: merchantId, rules: rules, expectedVersion: nil, now: Self.t0)
        storeId = parseID(try await store.createStore(merchantId: merchantId, name: "Shop", timeZone: "Europe/Moscow", now: Self.t0).id)!
    }

    /// Encodes successes as JSON with 201, refusals as their case name with 409.
    static func renderer<T: Codable & Sendable>() -> ResponseRenderer<T> {
        { result in
            switch result {
            case .success(let value): StoredResponse(status: 201, body: Array(try! JSONEncoder().encode(value)))
            case .failure(let error): StoredResponse(status: 409, body: Array("\(error)".utf8))
            }
        }
    }

    /// Decodes a success, or fails the test with the refusal.
    static func decode<T: Decodable>(_ type: T.Type, _ response: StoredResponse) throws -> T {
        guard response.status == 201 else {
            Issue.record("expected success, got \(String(decoding: response.body, as: UTF8.self))")
            throw CancellationError()
        }
        return try JSONDecoder().decode(T.self, from: Data(response.body))
    }

    func customer(phone: String = "+79120000001", now: UnixSeconds = t0) async throws -> Int64 {
        let response = try await store.registerCustomer(
            merchantId: merchantId,
            NewCustomer(phone: phone, name: "Анна Петрова", email: nil, birthday: nil, personalDataConsent: true, marketingConsent: false),
            idempotency: nil, now: now, render: Self.renderer())
        return parseID(try Self.decode(CustomerRegistered.self, response).customer.id)!
    }

    static let coffee = ReceiptLine(sku: "CAP", name: "Капучино", category: "coffee", quantity: 1000, price: 200_00)

    func commit(
        _ customerId: Int64?, _ lines: [ReceiptLine] = [coffee], redeem: RedeemRequest = .points(0), externalId: String = UUID().uuidString,
        key: IdempotencyKey? = nil, now: UnixSeconds = t0
    ) async throws -> StoredResponse {
        try await store.commitReceipt(
            merchantId: merchantId,
            ReceiptCommand(storeId: storeId, registerId: nil, customer: customerId.map { .id($0) }, externalId: externalId, lines: lines, redeem: redeem),
            idempotency: key, now: now, render: Self.renderer())
    }

    /// Returns lines of a receipt: all that is left of it when `lines` is nil.
    func returnLines(_ receiptId: String, _ lines: [ReturnCalculator.Request]? = nil, now: UnixSeconds = t0 + 10) async throws -> StoredResponse {
        try await store.returnLines(
            merchantId: merchantId, ReturnCommand(receiptId: parseID(receiptId)!, storeId: nil, lines: lines), idempotency: nil, now: now,
            render: Self.renderer())
    }

    func balance(_ customerId: Int64, at now: UnixSeconds = t0) async throws -> BalanceSnapshot {
        try await store.customer(merchantId: merchantId, .id(customerId), now: now)!.balance
    }

    func expectInvariants(sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let report = try await store.verify()
        #expect(report.violations.isEmpty, "\(report.violations)", sourceLocation: sourceLocation)
        #expect(try await store.integrityCheck().isEmpty, sourceLocation: sourceLocation)
    }
}
