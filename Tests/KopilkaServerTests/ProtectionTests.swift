import Foundation
import Hummingbird
import HummingbirdTesting
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

/// Spending protection and cashier limits: a code sent through a real HTTP SMS provider (a local fake one) before a
/// customer named by phone spends points; velocity and manual-adjustment limits that block or flag.
@Suite struct ProtectionTests {
    static let sale = #""lines": [{"sku": "TV", "quantity": 1000, "price": 100000}]"#

    @Test(arguments: TestDatabase.allCases) func spendingByPhoneNeedsTheCodeSentToThePhone(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 1_000_00
        rules.maxRedeemShareBp = 10_000
        rules.accrualRateBp = 0
        rules.protection.confirmSpending = true
        rules.protection.codeAttempts = 3
        let f = try await APIFixture(database, rules: rules)
        let provider = FakeSMSProvider()
        try await provider.serve { gateway in
            try await f.run(configure: { $0.smsGateway = gateway }) { client in
                let (_, till) = try await f.till(client)
                let id = try await f.customer(client, key: till)
                let card = try #require(try await client.get("/v1/customers/lookup?id=\(id)", key: till).json["card"] as? String)
                func spend(_ customer: String, code: String? = nil, receipt: String) async throws -> APIFixture.Client.Reply {
                    let confirmation = code.map { #", "confirmationCode": "\#($0)""# } ?? ""
                    return try await client.post("/v1/receipts", key: till, #"{"customer": \#(customer), "externalId": "\#(receipt)", \#(Self.sale), "redeem": 10000\#(confirmation)}"#)
                }
                let byPhone = #"{"phone": "+79123456789"}"#

                let calculated = try await client.post("/v1/receipts/calculate", key: till, #"{"customer": \#(byPhone), \#(Self.sale), "redeem": 10000}"#)
                #expect(calculated.json["confirmationRequired"] as? Bool == true)
                let byCard = try await client.post("/v1/receipts/calculate", key: till, #"{"customer": {"card": "\#(card)"}, \#(Self.sale), "redeem": 10000}"#)
                #expect(byCard.json["confirmationRequired"] as? Bool == false)

                // No code: refused, nothing spent; earning alone needs none.
                let unconfirmed = try await spend(byPhone, receipt: "R-1")
                #expect(unconfirmed.status == 403 && unconfirmed.json["code"] as? String == "confirmation_required", "\(unconfirmed.text)")
                #expect(try await client.post("/v1/receipts", key: till, #"{"customer": \#(byPhone), "externalId": "R-earn", \#(Self.sale)}"#).status == 201)

                // The code goes to the customer's phone through the provider, never into the answer.
                let sent = try await client.post("/v1/customers/\(id)/spend-codes", key: till, "{}")
                #expect(sent.status == 202, "\(sent.text)")
                #expect(sent.json["sentTo"] as? String == "+7912***89")
                let code = try #require(provider.lastCode(to: "+79123456789"))
                #expect(!sent.text.contains(code))

                let wrong = try await spend(byPhone, code: code == "000000" ? "111111" : "000000", receipt: "R-2")
                #expect(wrong.status == 403 && wrong.json["reason"] as? String == "wrong" && wrong.json["attemptsLeft"] as? Int == 2, "\(wrong.text)")
                let key = UUID().uuidString
                let body = #"{"customer": \#(byPhone), "externalId": "R-3", \#(Self.sale), "redeem": 10000, "confirmationCode": "\#(code)"}"#
                let confirmed = try await client.post("/v1/receipts", key: till, body, idempotencyKey: key)
                #expect(confirmed.status == 201, "\(confirmed.text)")
                let replay = try await client.post("/v1/receipts", key: till, body, idempotencyKey: key)
                #expect(replay.status == 201 && replay.headers[.init("Idempotency-Replayed")!] == "true")
                #expect(try await spend(byPhone, code: code, receipt: "R-4").json["reason"] as? String == "used")

                // Attempts are limited, even when the guesses come all at once.
                _ = try await client.post("/v1/customers/\(id)/spend-codes", key: till, "{}")
                let guessed = try #require(provider.lastCode(to: "+79123456789"))
                let reasons = Shared<[String: Int]>([:])
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for guess in 0..<20 {
                        group.addTask {
                            let attempt = String(format: "%06d", (Int(guessed)! + 1 + guess) % 1_000_000)
                            let reply = try await spend(byPhone, code: attempt, receipt: "G-\(guess)")
                            reasons.withLock { $0[reply.json["reason"] as? String ?? "\(reply.status)", default: 0] += 1 }
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(reasons.withLock { $0 } == ["wrong": 3, "attempts_exhausted": 17], "\(reasons.withLock { $0 })")
                #expect(try await spend(byPhone, code: guessed, receipt: "G-right").json["reason"] as? String == "attempts_exhausted")

                // A card presented needs no code.
                #expect(try await spend(#"{"card": "\#(card)"}"#, receipt: "R-card").status == 201)

                // A second customer's code, to show it expiring below.
                let other = try await f.customer(client, key: till, phone: "+79120000002")
                #expect(try await client.post("/v1/customers/\(other)/spend-codes", key: till, "{}").status == 202)

                // At most five codes an hour.
                var statuses: [Int] = []
                for _ in 0..<5 { statuses.append(try await client.post("/v1/customers/\(id)/spend-codes", key: till, "{}").status) }
                #expect(statuses == [202, 202, 202, 429, 429], "two codes were sent before: \(statuses)")
                let balance = try await client.get("/v1/customers/lookup?id=\(id)", key: till).json["balance"] as? [String: Any]
                #expect(balance?["spendable"] as? Int == 1_000_00 - 2 * 100_00, "the welcome bonus less two confirmed spends")
            }
            // A code expires: the same code, after its lifetime (300 s).
            let late = try #require(provider.lastCode(to: "+79120000002"))
            try await f.run(now: APIFixture.t0 + 301) { client in
                let (_, till) = try await f.till(client)
                let reply = try await client.post("/v1/receipts", key: till, #"{"customer": {"phone": "+79120000002"}, "externalId": "late", \#(Self.sale), "redeem": 10000, "confirmationCode": "\#(late)"}"#)
                #expect(reply.json["reason"] as? String == "expired", "\(reply.text)")
            }
        }
        let codes = provider.messages.withLock { $0.compactMap { FakeSMSProvider.code(in: $0.text) } }
        let leaked = f.logs.all.filter { line in codes.contains { line.contains($0) } || line.contains("79123456789") }
        #expect(leaked.isEmpty, "codes or the phone in logs: \(leaked.prefix(3))")
        #expect(try await f.store.verify().violations.isEmpty)
    }

    @Test func codesAreRefusedClearlyWhenTheyCannotBeSent() async throws {
        var rules = ProgramRules()
        rules.protection.confirmSpending = true
        let f = try await APIFixture(.sqlite, rules: rules)
        let provider = FakeSMSProvider()
        provider.refusing.withLock { $0 = true }
        try await f.run { client in
            let id = try await f.customer(client, key: f.adminKey)
            let none = try await client.post("/v1/customers/\(id)/spend-codes", key: f.adminKey, "{}")
            #expect(none.status == 503 && none.json["code"] as? String == "sms_unavailable", "no gateway configured: \(none.text)")
            #expect(try await client.post("/v1/customers/999/spend-codes", key: f.adminKey, "{}").status == 404)
        }
        try await provider.serve { gateway in
            try await f.run(configure: { $0.smsGateway = gateway }) { client in
                let id = try #require(try await client.get("/v1/customers/lookup?phone=%2B79123456789", key: f.adminKey).json["id"] as? String)
                let refused = try await client.post("/v1/customers/\(id)/spend-codes", key: f.adminKey, "{}")
                #expect(refused.status == 503 && refused.headers[.retryAfter] != nil, "the provider refused: \(refused.text)")
                var plain = ProgramRules()
                plain.protection.confirmSpending = false
                _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: plain, expectedVersion: nil, now: APIFixture.t0)
            }
            try await f.run(configure: { $0.smsGateway = gateway }) { client in
                let id = try #require(try await client.get("/v1/customers/lookup?phone=%2B79123456789", key: f.adminKey).json["id"] as? String)
                let off = try await client.post("/v1/customers/\(id)/spend-codes", key: f.adminKey, "{}")
                #expect(off.status == 409 && off.json["code"] as? String == "confirmation_not_enabled", "\(off.text)")
            }
        }
    }

    /// At most 2 credits to a customer an hour from one register or cashier.
    static var velocity: ProgramRules {
        var rules = ProgramRules()
        rules.protection.maxCreditsPerCustomer = 2
        rules.protection.velocityWindowMinutes = 60
        return rules
    }

    /// A store's two registers' keys and a customer.
    static func twoRegistersAndACustomer(_ f: APIFixture, _ client: APIFixture.Client) async throws -> (String, String, String) {
        let (storeId, till) = try await f.till(client)
        let register2 = try #require((try await client.post("/v1/stores/\(storeId)/registers", key: f.adminKey, #"{"name": "Касса 2"}"#)
            .json["key"] as? [String: Any])?["secret"] as? String)
        return (till, register2, try await f.customer(client, key: till))
    }

    @Test(arguments: TestDatabase.allCases) func theVelocityRuleBlocksOrFlags(_ database: TestDatabase) async throws {
        let base = Self.velocity
        let f = try await APIFixture(database, rules: base)
        try await f.run { client in
            let (till, register2, id) = try await Self.twoRegistersAndACustomer(f, client)
            func sell(_ key: String, _ receipt: String, cashier: String? = nil) async throws -> APIFixture.Client.Reply {
                let who = cashier.map { #", "cashier": "\#($0)""# } ?? ""
                return try await client.post("/v1/receipts", key: key, #"{"customer": {"id": "\#(id)"}, "externalId": "\#(receipt)", \#(Self.sale)\#(who)}"#)
            }
            #expect(try await sell(till, "V-1", cashier: "Иванова").status == 201)
            #expect(try await sell(till, "V-2", cashier: "Иванова").status == 201)
            let third = try await sell(till, "V-3")
            #expect(third.status == 403 && third.json["code"] as? String == "cashier_limit" && third.json["rule"] as? String == "velocity", "\(third.text)")
            // The same cashier at another register is still the same cashier; another cashier there is not.
            #expect(try await sell(register2, "V-4", cashier: "Иванова").status == 403)
            #expect(try await sell(register2, "V-5", cashier: "Петрова").status == 201)
            // A sale that earns nothing is no credit.
            let anonymous = try await client.post("/v1/receipts", key: till, #"{"externalId": "V-anon", \#(Self.sale)}"#)
            #expect(anonymous.status == 201)
            // Offline receipts happened already: flagged, never refused.
            let batch = try await client.post("/v1/receipts/batch", key: till, #"{"receipts": [{"idempotencyKey": "off-1", "receipt": {"customer": {"id": "\#(id)"}, "externalId": "V-off", \#(Self.sale)}}]}"#)
            #expect((batch.json["results"] as? [[String: Any]])?.first?["status"] as? Int == 201, "\(batch.text)")
            // The merchant chooses to flag: the sale goes through and waits for review.
            var flagging = base
            flagging.protection.onLimit = .flag
            _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: flagging, expectedVersion: nil, now: APIFixture.t0)
        }
        try await f.run { client in
            let flags = try await client.get("/v1/fraud-flags", key: f.adminKey).json["flags"] as? [[String: Any]] ?? []
            #expect(flags.map { $0["rule"] as? String } == ["velocity"], "the offline receipt: \(flags)")
        }
        #expect(try await f.store.verify().violations.isEmpty)
    }

    /// Eight sales at once by one cashier at two registers, to one customer, under "at most 2 credits an hour": each
    /// decision counts the credits on its snapshot, and the customer's version guards it, so exactly two go through.
    @Test(arguments: TestDatabase.allCases) func theVelocityRuleHoldsUnderRacingRegisters(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database, rules: Self.velocity)
        try await f.run { client in
            let (till, register2, id) = try await Self.twoRegistersAndACustomer(f, client)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        let body = #"{"customer": {"id": "\#(id)"}, "externalId": "R-\#(index)", \#(Self.sale), "cashier": "Иванова"}"#
                        return try await client.post("/v1/receipts", key: index % 2 == 0 ? till : register2, body).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 2 && statuses.filter { $0 == 403 }.count == 6, "\(statuses.sorted())")
        }
        #expect(try await f.store.verify().violations.isEmpty)
    }

    @Test(arguments: TestDatabase.allCases) func manualAdjustmentsAreAuditedAndLimited(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.protection.maxManualAdjustment = 1_000_00
        let base = rules
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            let path = "/v1/customers/\(id)/adjustments"
            let key = UUID().uuidString
            let credit = try await client.post(path, key: f.adminKey, #"{"points": 50000, "reason": "жалоба №17: кофе остыл"}"#, idempotencyKey: key)
            #expect(credit.status == 201 && credit.json["flagged"] as? Bool == false, "\(credit.text)")
            let replay = try await client.post(path, key: f.adminKey, #"{"points": 50000, "reason": "жалоба №17: кофе остыл"}"#, idempotencyKey: key)
            #expect(replay.headers[.init("Idempotency-Replayed")!] == "true")
            #expect(try await client.post(path, key: f.adminKey, #"{"points": -20000, "reason": "ошибка кассира"}"#).status == 201)
            let overdraft = try await client.post(path, key: f.adminKey, #"{"points": -40000, "reason": "слишком много"}"#)
            #expect(overdraft.status == 409 && overdraft.json["code"] as? String == "insufficient_points", "\(overdraft.text)")
            let noReason = try await client.post(path, key: f.adminKey, #"{"points": 100, "reason": "  "}"#)
            #expect(noReason.status == 400 && (noReason.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "reason")
            #expect(try await client.post(path, key: till, #"{"points": 100, "reason": "касса"}"#).status == 403, "admin keys only")
            let large = try await client.post(path, key: f.adminKey, #"{"points": 100001, "reason": "подарок"}"#)
            #expect(large.status == 403 && large.json["rule"] as? String == "manual_adjustment", "\(large.text)")
            let balance = try await client.get("/v1/customers/lookup?id=\(id)", key: till).json["balance"] as? [String: Any]
            #expect(balance?["spendable"] as? Int == 300_00)
            let audit = try await client.get("/v1/audit", key: f.adminKey).json["records"] as? [[String: Any]] ?? []
            let adjustments = audit.filter { $0["action"] as? String == "customer.adjust" }
            #expect(adjustments.count == 2 && (adjustments.first?["after"] as? String)?.contains("кофе остыл") == true, "\(adjustments)")
            var flagging = base
            flagging.protection.onLimit = .flag
            _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: flagging, expectedVersion: nil, now: APIFixture.t0)
        }
        try await f.run { client in
            let id = try #require(try await client.get("/v1/customers/lookup?phone=%2B79123456789", key: f.adminKey).json["id"] as? String)
            let large = try await client.post("/v1/customers/\(id)/adjustments", key: f.adminKey, #"{"points": 100001, "reason": "подарок"}"#)
            #expect(large.status == 201 && large.json["flagged"] as? Bool == true, "\(large.text)")
            let flags = try await client.get("/v1/fraud-flags", key: f.adminKey).json["flags"] as? [[String: Any]] ?? []
            #expect(flags.map { $0["rule"] as? String } == ["manual_adjustment"])
        }
        let report = try await f.store.verify()
        #expect(report.violations.isEmpty, "\(report.violations)")
    }
}

/// A local SMS provider speaking the `HTTPSMSGateway` protocol over real HTTP: records each message, or refuses.
final class FakeSMSProvider: Sendable {
    struct Message: Sendable, Decodable {
        var to: String
        var text: String
    }

    let messages = Shared<[Message]>([])
    let refusing = Shared(false)

    /// Runs `body` with a gateway pointed at this provider.
    func serve(_ body: @Sendable @escaping (HTTPSMSGateway) async throws -> Void) async throws {
        let router = Router()
        router.post("/sms") { request, _ -> HTTPResponse.Status in
            guard !self.refusing.withLock({ $0 }) else { return .internalServerError }
            guard request.headers[.authorization] == "Bearer provider-token" else { return .unauthorized }
            let message = try JSONDecoder().decode(Message.self, from: Data(buffer: try await request.body.collect(upTo: 4096)))
            self.messages.withLock { $0.append(message) }
            return .ok
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(HTTPSMSGateway(url: URL(string: "http://127.0.0.1:\(client.port!)/sms")!, token: "provider-token"))
        }
    }

    /// The six-digit code in a message's text.
    static func code(in text: String) -> String? {
        text.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }.map(String.init)
    }

    func lastCode(to phone: String) -> String? {
        messages.withLock { $0.last { $0.to == phone } }.flatMap { Self.code(in: $0.text) }
    }
}
