import Foundation
import KopilkaTesting
import Testing

/// The till's answers word reasons in the merchant's language, a request's `Accept-Language` overrides it, and the codes
/// and values stay the same in every language.
@Suite struct ReasonLanguageTests {
    static let receipt = #"""
        {"customer": {"phone": "+79123456789"}, "externalId": "FN-1",
         "lines": [{"sku": "CIG", "quantity": 1000, "price": 21000, "flags": ["noDiscount"]}], "redeem": "max"}
        """#

    static func reason(_ calculation: [String: Any]?, _ code: String) -> [String: Any]? {
        (calculation?["explanation"] as? [[String: Any]])?.first { $0["code"] as? String == code }
    }

    static func message(_ reply: APIFixture.Client.Reply, _ code: String) -> String? {
        reason(reply.json["calculation"] as? [String: Any], code)?["message"] as? String
    }

    @Test(arguments: TestDatabase.allCases) func answersSpeakTheMerchantsLanguageUnlessTheRequestAsksAnother(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            _ = try await f.customer(client, key: till)
            func calculate(_ language: String? = nil) async throws -> APIFixture.Client.Reply {
                try await client.call(.post, "/v1/receipts/calculate", key: till, json: Self.receipt, acceptLanguage: language)
            }

            let russian = try await calculate()
            #expect(russian.status == 200, "\(russian.text)")
            #expect(Self.message(russian, "redemption_excluded_flag") == "строка 1: цена фиксирована, баллами её не оплатить")
            #expect(Self.message(russian, "accrual_rate") == "5 % от 210 ₽: начислено 10,5 балла")
            let rate = Self.reason(russian.json["calculation"] as? [String: Any], "accrual_rate")
            #expect(rate?["values"] as? [[String: Int]] == [["percent": 500], ["money": 210_00], ["points": 10_50]])

            let english = try await calculate("en-GB,en;q=0.9")
            #expect(Self.message(english, "redemption_excluded_flag") == "line 1: price is fixed (noDiscount), points cannot pay for it")
            #expect(Self.message(english, "accrual_rate") == "5 % of 210.00 earns 10.50 points")

            // The merchant's own language: a register key may not set it, a wrong one is refused, English is taken.
            #expect(try await client.call(.put, "/v1/merchant/language", key: till, json: #"{"language": "en"}"#).status == 403)
            let wrong = try await client.call(.put, "/v1/merchant/language", key: f.adminKey, json: #"{"language": "de"}"#)
            #expect(wrong.status == 400 && (wrong.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "language", "\(wrong.text)")
            let set = try await client.call(.put, "/v1/merchant/language", key: f.adminKey, json: #"{"language": "en"}"#)
            #expect(set.status == 200 && set.json["language"] as? String == "en", "\(set.text)")
            #expect(Self.message(try await calculate(), "accrual_rate") == "5 % of 210.00 earns 10.50 points")
            #expect(Self.message(try await calculate("ru"), "accrual_rate") == "5 % от 210 ₽: начислено 10,5 балла")

            // A replay is the first answer byte for byte, whatever language it asks for; the stored receipt is worded anew.
            let first = try await client.call(.post, "/v1/receipts", key: till, json: Self.receipt, idempotencyKey: "sale-1")
            #expect(first.status == 201, "\(first.text)")
            let replay = try await client.call(.post, "/v1/receipts", key: till, json: Self.receipt, idempotencyKey: "sale-1", acceptLanguage: "ru")
            #expect(replay.headers[.init("Idempotency-Replayed")!] == "true" && replay.body == first.body)
            let id = try #require((first.json["receipt"] as? [String: Any])?["id"] as? String)
            let stored = try await client.call(.get, "/v1/receipts/\(id)", key: till, acceptLanguage: "ru")
            #expect(Self.reason(stored.json, "accrual_rate")?["message"] as? String == "5 % от 210 ₽: начислено 10,5 балла")
        }
    }
}
