import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore
import Synchronization
import KopilkaTesting
import Testing

/// A merchant configures levels, a happy hour, a coupon batch and a wholesale step over HTTP; a till's
/// calculate, commit and return give the documented numbers and explanations.
@Suite struct PromotionFlowTests {
    static let program = """
        {"tiers": {"tiers": [{"name": "Base", "threshold": 0, "accrualRateBp": 300},
                             {"name": "Silver", "threshold": 1000000, "accrualRateBp": 500}]},
         "promotions": [
            {"id": "happy-hour", "name": "Счастливые часы", "lines": {"categories": ["coffee"]},
             "when": {"hours": {"from": "17:00", "to": "19:00"}}, "reward": {"kind": "percentOff", "percentBp": 2000}},
            {"id": "coupon", "name": "Купон −100 ₽", "requiresCode": true, "reward": {"kind": "amountOff", "amountKopecks": 10000}}],
         "wholesale": {"groups": ["wholesale"], "steps": [{"lines": {"skus": ["SUGAR"]}, "minQuantity": 10000, "discountBp": 1000}]}}
        """
    static let receipt = """
        {"lines": [{"sku": "LATTE", "name": "Латте", "category": "coffee", "quantity": 2000, "price": 20000},
                   {"sku": "SUGAR", "name": "Сахар 1 кг", "category": "grocery", "quantity": 12000, "price": 5000}]
        """
    /// 18:00 in Moscow on 2026-01-01: inside the happy hour.
    static let evening = APIFixture.t0 + 15 * 3600

    static func reasons(_ calculation: [String: Any]) -> [String] {
        (calculation["explanation"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    @Test(arguments: TestDatabase.allCases) func happyHourCouponAndWholesaleOnOneReceipt(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        let sharedTill = Mutex("")
        try await f.run(now: Self.evening) { client in
            let saved = try await client.call(.put, "/v1/program", key: f.adminKey, json: Self.program, ifMatch: "2")
            #expect(saved.status == 200, "\(saved.text)")
            let batch = try await client.post("/v1/code-batches", key: f.adminKey, #"{"name": "Листовки", "promotionId": "coupon", "count": 3}"#)
            #expect(batch.status == 201, "\(batch.text)")
            let code = try #require((batch.json["codes"] as? [String])?.first)
            let csv = try await client.get("/v1/code-batches/\(batch.json["id"] as! String)/codes", key: f.adminKey)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.split(separator: "\n").count == 4 && csv.text.contains(code.replacingOccurrences(of: "-", with: "") + ",0"))

            let (_, tillKey) = try await f.till(client)
            sharedTill.withLock { $0 = tillKey }
            let customerId = try await f.customer(client, key: tillKey)
            let groups = try await client.call(.put, "/v1/customers/\(customerId)/groups", key: f.adminKey, json: #"{"groups": ["wholesale"]}"#)
            #expect(groups.status == 200, "\(groups.text)")
            #expect(try await client.call(.put, "/v1/customers/\(customerId)/groups", key: tillKey, json: #"{"groups": []}"#).status == 403)

            let body = Self.receipt + #", "customer": {"id": "\#(customerId)"}, "promoCodes": ["\#(code)"], "externalId": "FN-1"}"#
            let calculated = try await client.post("/v1/receipts/calculate", key: tillKey, body)
            #expect(calculated.status == 200, "\(calculated.text)")
            let calculation = try #require(calculated.json["calculation"] as? [String: Any])
            // Wholesale: 12 kg of sugar reach the 10-unit step: 10 % of 600.00 = 60.00.
            // Happy hour: 20 % of the coffee's 400.00 = 80.00.
            // Coupon: 100.00 over what is left, 320.00 : 540.00 → 37.2093 → 37.21 and 62.7907 → 62.79.
            let lines = try #require(calculation["lines"] as? [[String: Any]])
            #expect(lines.map { $0["discount"] as? Int } == [80_00 + 37_21, 60_00 + 62_79])
            #expect(calculation["discount"] as? Int == 240_00)
            #expect(calculation["payable"] as? Int == 760_00)
            // Level Base: 3 % of 760.00 = 22.80, by line 2280 × 282.79 / 760 = 8.48 and the rest 14.32.
            #expect(calculation["earnedPoints"] as? Int == 22_80)
            #expect(lines.map { $0["earnedPoints"] as? Int } == [8_48, 14_32])
            let applied = (calculation["promotions"] as? [[String: Any]] ?? []).map { $0["id"] as? String }
            #expect(applied == ["happy-hour", "coupon"])
            #expect((calculation["codes"] as? [[String: Any]])?.first?["applied"] as? Bool == true)
            let reasons = Self.reasons(calculation)
            #expect(reasons.filter { ["wholesale_applied", "promotion_applied", "tier"].contains($0) } == ["tier", "wholesale_applied", "promotion_applied", "promotion_applied"])

            let committed = try await client.post("/v1/receipts", key: tillKey, body, idempotencyKey: "sale-1")
            #expect(committed.status == 201, "\(committed.text)")
            let receiptId = try #require((committed.json["receipt"] as? [String: Any])?["id"] as? String)
            #expect((committed.json["receipt"] as? [String: Any])?["discount"] as? Int == 240_00)
            let stored = try await client.get("/v1/receipts/\(receiptId)", key: tillKey).json
            #expect(Self.reasons(stored).contains("promotion_applied"), "the explanation is kept with the receipt")

            // The coupon is spent: the next receipt with it is refused and changes nothing.
            let second = Self.receipt + #", "customer": {"id": "\#(customerId)"}, "promoCodes": ["\#(code)"], "externalId": "FN-2"}"#
            let refused = try await client.post("/v1/receipts", key: tillKey, second)
            #expect(refused.status == 422 && refused.json["code"] as? String == "code_not_applicable", "\(refused.text)")
            #expect(try await client.get("/v1/customers/\(customerId)", key: f.adminKey).json["id"] != nil)
            let recalculated = try await client.post("/v1/receipts/calculate", key: tillKey, second)
            #expect(Self.reasons(try #require(recalculated.json["calculation"] as? [String: Any])).contains("code_used"))

            // Returning the coffee takes back the points it earned (8.48) and refunds what was paid for it (282.79).
            let returned = try await client.post("/v1/receipts/\(receiptId)/returns", key: tillKey, #"{"lines": [{"line": 1, "quantity": 2000}]}"#)
            #expect(returned.status == 201, "\(returned.text)")
            #expect(returned.json["reversedPoints"] as? Int == 8_48)
            #expect(returned.json["refundKopecks"] as? Int == 400_00 - 117_21)
        }

        // 15:00 in Moscow: no happy hour; a customer outside the wholesale group pays retail.
        try await f.run(now: APIFixture.t0 + 12 * 3600) { client in
            let tillKey = sharedTill.withLock { $0 }
            let other = try await f.customer(client, key: tillKey, phone: "+7 913 000-00-01")
            let body = Self.receipt + #", "customer": {"id": "\#(other)"}}"#
            let calculation = try #require(try await client.post("/v1/receipts/calculate", key: tillKey, body).json["calculation"] as? [String: Any])
            #expect(calculation["discount"] as? Int == 0)
            let reasons = Self.reasons(calculation)
            #expect(reasons.contains("promotion_outside_hours") && reasons.contains("wholesale_needs_group") && reasons.contains("promotion_needs_code"))

            // The committed receipt records what it got: the promotions whose conditions did not hold stay in the
            // calculation before it, the rest of the explanation is kept.
            let committed = try await client.post("/v1/receipts", key: tillKey, String(body.dropLast()) + #", "externalId": "FN-15"}"#)
            #expect(committed.status == 201, "\(committed.text)")
            let recorded = Self.reasons(try #require(committed.json["calculation"] as? [String: Any]))
            #expect(!recorded.contains("promotion_outside_hours") && !recorded.contains("promotion_needs_code"))
            #expect(recorded == reasons.filter { !$0.hasPrefix("promotion_") }, "\(recorded) of \(reasons)")
            let receiptId = try #require((committed.json["receipt"] as? [String: Any])?["id"] as? String)
            #expect(Self.reasons(try await client.get("/v1/receipts/\(receiptId)", key: tillKey).json) == recorded)
        }
    }

    @Test(arguments: TestDatabase.allCases) func badRulesAndPlanLimitsChangeNothing(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        let (_, freeKey) = try await f.store.createMerchant(name: "Ларёк", currency: "RUB", plan: .free, now: APIFixture.t0)
        try await f.run { client in
            let badStep = #"{"wholesale": {"steps": [{"discountBp": 500}]}}"#
            let refused = try await client.call(.put, "/v1/program", key: f.adminKey, json: badStep, ifMatch: "2")
            #expect(refused.status == 400)
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "wholesale.steps[0].minQuantity")
            let backwards = #"{"promotions": [{"id": "x", "name": "X", "when": {"from": "2026-12-31", "until": "2026-12-01"}, "reward": {"kind": "bonusPoints", "points": 100}}]}"#
            let refusedDates = try await client.call(.put, "/v1/program", key: f.adminKey, json: backwards, ifMatch: "2")
            #expect((refusedDates.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "promotions[0].when.until")
            let typo = try await client.call(.put, "/v1/program", key: f.adminKey, json: #"{"expiryTimeZone": "Europe/Moskow"}"#, ifMatch: "2")
            #expect(typo.status == 400 && (typo.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "expiryTimeZone", "\(typo.text)")
            #expect(try await client.get("/v1/program", key: f.adminKey).headers[.eTag] == "\"2\"", "the program did not change")

            let planRefused = try await client.call(.put, "/v1/program", key: freeKey.secret, json: Self.program, ifMatch: "1")
            #expect(planRefused.status == 403 && planRefused.json["code"] as? String == "plan_limit", "\(planRefused.text)")
            #expect((planRefused.json["errors"] as? [[String: Any]])?.map { $0["field"] as? String } == ["promotions", "wholesale"])
            let levelsOnly = #"{"tiers": {"tiers": [{"name": "Base", "threshold": 0, "accrualRateBp": 300}]}}"#
            #expect(try await client.call(.put, "/v1/program", key: freeKey.secret, json: levelsOnly, ifMatch: "1").status == 200)
            let batch = try await client.post("/v1/code-batches", key: freeKey.secret, #"{"name": "X", "points": 100, "count": 1}"#)
            #expect(batch.status == 403 && batch.json["code"] as? String == "plan_limit")
            let zero = try await client.post("/v1/code-batches", key: f.adminKey, #"{"name": "X", "points": 100, "count": 0}"#)
            #expect(zero.status == 400 && (zero.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "count")

            // The free plan holds nine customers; the tenth is refused.
            let (_, till) = try await f.till(client, admin: freeKey.secret)
            for index in 0..<9 { _ = try await f.customer(client, key: till, phone: "+7 914 000-00-0\(index)") }
            let tenth = try await client.post("/v1/customers", key: till, #"{"phone": "+79150000000", "consents": {"personalData": true}}"#)
            #expect(tenth.status == 403 && tenth.json["code"] as? String == "plan_limit", "\(tenth.text)")
        }
    }

    @Test(arguments: TestDatabase.allCases) func aFreeCardFromAPurchase(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.cardFromPurchaseKopecks = 3000_00
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let small = #"{"lines": [{"sku": "A", "quantity": 1000, "price": 299999}], "externalId": "FN-1"}"#
            let big = #"{"lines": [{"sku": "A", "quantity": 1000, "price": 300000}], "externalId": "FN-2"}"#
            let offer = try await client.post("/v1/receipts/calculate", key: till, big).json["calculation"] as? [String: Any]
            #expect(Self.reasons(try #require(offer)).contains("card_offered"), "3,000.00 reaches the threshold")
            let noOffer = try await client.post("/v1/receipts/calculate", key: till, small).json["calculation"] as? [String: Any]
            #expect(!Self.reasons(try #require(noOffer)).contains("card_offered"), "2,999.99 does not")

            let smallId = try #require((try await client.post("/v1/receipts", key: till, small).json["receipt"] as? [String: Any])?["id"] as? String)
            let bigId = try #require((try await client.post("/v1/receipts", key: till, big).json["receipt"] as? [String: Any])?["id"] as? String)
            let join = { (receipt: String?) in
                let field = receipt.map { #", "purchaseReceiptId": "\#($0)""# } ?? ""
                return try await client.post("/v1/customers", key: till, #"{"phone": "+79120000001", "consents": {"personalData": true}\#(field)}"#)
            }
            let without = try await join(nil)
            #expect(without.status == 422 && without.json["code"] as? String == "card_needs_purchase")
            let below = try await join(smallId)
            #expect(below.status == 422 && (below.json["detail"] as? String)?.hasPrefix("that purchase paid 2999.99") == true, "\(below.text)")
            let joined = try await join(bigId)
            #expect(joined.status == 201, "\(joined.text)")
            let customerId = (joined.json["customer"] as? [String: Any])?["id"] as? String
            let receipt = try await client.get("/v1/receipts/\(bigId)", key: till).json
            #expect(receipt["customerId"] as? String == customerId, "the purchase becomes the new customer's")
            let again = try await client.post("/v1/customers", key: till, #"{"phone": "+79120000002", "consents": {"personalData": true}, "purchaseReceiptId": "\#(bigId)"}"#)
            #expect(again.status == 422 && again.json["code"] as? String == "purchase_already_claimed", "one purchase, one card: \(again.text)")
        }
    }
}
