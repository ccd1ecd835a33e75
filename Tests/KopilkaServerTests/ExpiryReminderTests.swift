import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

/// "We remind you 7 days before your points burn": texts through a real HTTP SMS provider (a local fake one), only to
/// members who agreed to messages, once per burning window, with the amount and the dates in the merchant's zone.
@Suite struct ExpiryReminderTests {
    static let day: Int64 = 86_400

    @Test(arguments: TestDatabase.allCases) func membersWhoAgreedAreRemindedOnceAWeekBeforeTheirPointsBurn(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.accrualRateBp = 500
        rules.lifetimeDays = 30
        rules.expiryReminderDays = 7
        rules.expiryReminderMinPoints = 10_00
        let f = try await APIFixture(database, rules: rules)
        let t0 = APIFixture.t0  // 2026-01-01 00:00 UTC, 03:00 in Moscow
        // Anna agreed to messages and buys twice on the first day; Boris did not agree; Vera agreed but earns 5 points,
        // under the minimum; Gleb and Dina agreed and buy a day later.
        let customers: [(phone: String, marketing: Bool, price: Int64, at: UnixSeconds)] = [
            ("+79120000001", true, 1_000_00, t0), ("+79120000001", true, 500_00, t0 + 2 * 3600), ("+79120000002", false, 1_000_00, t0),
            ("+79120000003", true, 100_00, t0), ("+79120000004", true, 1_000_00, t0 + Self.day), ("+79120000005", true, 400_00, t0 + Self.day),
        ]
        for (index, customer) in customers.enumerated() {
            try await f.run(now: customer.at) { client in
                let (_, till) = try await f.till(client)
                let consents = #"{"personalData": true, "marketing": \#(customer.marketing)}"#
                _ = try await client.post("/v1/customers", key: till, #"{"phone": "\#(customer.phone)", "consents": \#(consents)}"#)
                let sale = try await client.post(
                    "/v1/receipts", key: till,
                    #"{"customer": {"phone": "\#(customer.phone)"}, "externalId": "R-\#(index)", "lines": [{"sku": "X", "quantity": 1000, "price": \#(customer.price)}]}"#)
                #expect(sale.status == 201, "\(sale.text)")
            }
        }
        let provider = FakeSMSProvider()
        try await provider.serve { gateway in
            let sender = ExpiryReminderSender(store: f.store, gateway: gateway)
            /// [sent, refused] by a run at `now`.
            let texts: @Sendable (UnixSeconds) async throws -> [Int] = { now in
                let texts = try await sender.run(now: now)
                return [texts.sent, texts.refused]
            }
            // Anna's first points burn on 31 January at 00:00 UTC: 8 days ahead is too early, 7 days ahead is due.
            var outcome = try await texts(t0 + 22 * Self.day)
            #expect(outcome == [0, 0])
            outcome = try await texts(t0 + 23 * Self.day)
            #expect(outcome == [1, 0])
            // Both of her purchases burn that day (75 points, one text); Boris and Vera get none.
            #expect(provider.messages.withLock { $0.map(\.to) } == ["+79120000001"])
            #expect(provider.messages.withLock { $0.first?.text } == "Кофейня: 31.01 сгорает 75 баллов. Успейте их потратить.")
            outcome = try await texts(t0 + 23 * Self.day + 60)
            #expect(outcome == [0, 0], "a reminder is sent once")

            // Gleb's and Dina's are due a day later; the provider refuses the first, so both wait for the next run.
            provider.refusing.withLock { $0 = true }
            outcome = try await texts(t0 + 24 * Self.day)
            #expect(outcome == [0, 2])
            provider.refusing.withLock { $0 = false }
            outcome = try await texts(t0 + 24 * Self.day + 60)
            #expect(outcome == [2, 0])
            #expect(provider.messages.withLock { $0.dropFirst().map(\.to) } == ["+79120000004", "+79120000005"])
            #expect(provider.messages.withLock { $0.dropFirst().map(\.text) } == [
                "Кофейня: 01.02 сгорает 50 баллов. Успейте их потратить.", "Кофейня: 01.02 сгорает 20 баллов. Успейте их потратить.",
            ])
            outcome = try await texts(t0 + 29 * Self.day)
            #expect(outcome == [0, 0])
        }
    }
}
