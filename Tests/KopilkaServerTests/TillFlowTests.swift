import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore
import KopilkaTesting
import Testing

@Suite struct TillFlowTests {
    @Test(arguments: TestDatabase.allCases) func aTillSessionFromRegistrationToReturn(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 100_00
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till, phone: "8 (912) 345-67-89")
            // The same number written another way is the same customer.
            let found = try await client.get("/v1/customers/lookup?phone=%2B7%20912%203456789", key: till)
            #expect(found.status == 200)
            #expect(found.json["id"] as? String == id)
            #expect(found.json["maskedName"] as? String == "Анна П.")
            #expect((found.json["balance"] as? [String: Any])?["spendable"] as? Int == 100_00)
            let card = found.json["card"] as! String
            #expect(CardNumber.isValid(card))
            #expect(try await client.get("/v1/customers/lookup?card=\(card)", key: till).json["id"] as? String == id)

            let receipt = """
                {"customer": {"phone": "+79123456789"}, "externalId": "FN-1001",
                 "lines": [{"sku": "CAP", "name": "Капучино", "category": "coffee", "quantity": 2000, "price": 22000},
                           {"sku": "CIG", "name": "Сигареты", "category": "tobacco", "quantity": 1000, "price": 21000, "flags": ["noDiscount"]}],
                 "redeem": "max"}
                """
            let calculated = try await client.call(.post, "/v1/receipts/calculate", key: till, json: receipt)
            #expect(calculated.status == 200)
            let calculation = try #require(calculated.json["calculation"] as? [String: Any])
            // 650 ₽; points may pay 30 % = 195 ₽ but only 100 are held; tobacco cannot be paid with points.
            #expect(calculation["amount"] as? Int == 650_00)
            #expect(calculation["redeemedPoints"] as? Int == 100_00)
            #expect(calculation["earnedPoints"] as? Int == 27_50)  // 5 % of the 550 ₽ paid in money
            #expect((calculated.json["printText"] as? [String])?.isEmpty == false)
            let explanation = (calculation["explanation"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(explanation.contains("redemption_excluded_flag"))
            #expect(explanation.contains("redemption_capped_balance"))

            let committed = try await client.post("/v1/receipts", key: till, receipt, idempotencyKey: "sale-1")
            #expect(committed.status == 201, "\(committed.text)")
            let receiptId = try #require((committed.json["receipt"] as? [String: Any])?["id"] as? String)
            // Months later the receipt still says why it earned what it did.
            let stored = try await client.get("/v1/receipts/\(receiptId)", key: till).json
            let reasons = (stored["explanation"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(reasons.contains("accrual_rate") && reasons.contains("redemption_excluded_flag"))
            #expect((committed.json["balance"] as? [String: Any])?["spendable"] as? Int == 27_50)

            let half = try await client.post("/v1/receipts/\(receiptId)/returns", key: till, #"{"lines": [{"line": 1, "quantity": 1000}]}"#)
            #expect(half.status == 201, "\(half.text)")
            // Line 1 (440 ₽) took all 100 points and earned 5 % of 340 ₽ = 17 points; half of each comes back.
            #expect(half.json["restoredPoints"] as? Int == 50_00)
            #expect(half.json["reversedPoints"] as? Int == 8_50)
            #expect(half.json["refundKopecks"] as? Int == 170_00)
            #expect((half.json["balance"] as? [String: Any])?["spendable"] as? Int == 27_50 + 50_00 - 8_50)

            let ledger = try await client.get("/v1/customers/\(id)/ledger", key: till)
            let kinds = (ledger.json["entries"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["reversal", "restore", "accrual", "redemption", "welcome"])
        }
        #expect(try await f.store.verify().violations.isEmpty)
        let logs = f.logs.all.joined(separator: "\n")
        for secret in ["9123456789", "912) 345", "Анна", f.adminKey] { #expect(!logs.contains(secret), "logs contain personal data or a key") }
    }

    @Test(arguments: TestDatabase.allCases) func fiftyConcurrentRedemptionsOverHTTP(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 1_000_00
        rules.accrualRateBp = 0
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            let statuses = try await withThrowingTaskGroup(of: (Int, String).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let reply = try await client.post("/v1/receipts", key: till, """
                            {"customer": {"id": "\(id)"}, "externalId": "R-\(index)", "lines": [{"sku": "TV", "quantity": 1000, "price": 100000}], "redeem": 10000}
                            """)
                        return (reply.status, reply.json["code"] as? String ?? "")
                    }
                }
                return try await group.reduce(into: [(Int, String)]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 10)
            #expect(statuses.filter { $0 == (409, "insufficient_points") }.count == 40)
            #expect(statuses.allSatisfy { $0.0 < 500 })
            let balance = try await client.get("/v1/customers/lookup?phone=89123456789", key: till).json["balance"] as? [String: Any]
            #expect(balance?["spendable"] as? Int == 0)
        }
        #expect(try await f.store.verify().violations.isEmpty)
    }

    @Test(arguments: TestDatabase.allCases) func idempotencyAndReceiptUniqueness(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            let body = #"{"customer": {"id": "\#(id)"}, "externalId": "FN-7", "lines": [{"sku": "CAP", "quantity": 1000, "price": 20000}]}"#
            let first = try await client.post("/v1/receipts", key: till, body, idempotencyKey: "key-7")
            #expect(first.status == 201)
            for _ in 0..<5 {
                let replay = try await client.post("/v1/receipts", key: till, body, idempotencyKey: "key-7")
                #expect(replay.status == 201)
                #expect(replay.body == first.body)
                #expect(replay.headers[.init("Idempotency-Replayed")!] == "true")
            }
            let otherBody = body.replacingOccurrences(of: "20000", with: "30000")
            let reused = try await client.post("/v1/receipts", key: till, otherBody, idempotencyKey: "key-7")
            #expect(reused.status == 422)
            #expect(reused.json["code"] as? String == "idempotency_key_reused")
            let again = try await client.post("/v1/receipts", key: till, body, idempotencyKey: "key-8")
            #expect(again.status == 409)
            #expect(again.json["code"] as? String == "receipt_already_registered")
            #expect((again.json["receipt"] as? [String: Any])?["externalId"] as? String == "FN-7")
            let missing = try await client.post("/v1/receipts", key: till, body, idempotencyKey: nil)
            #expect(missing.status == 400)
            #expect(missing.json["code"] as? String == "idempotency_key_missing")
            let balance = try await client.get("/v1/customers/lookup?id=\(id)", key: till).json["balance"] as? [String: Any]
            #expect(balance?["spendable"] as? Int == 10_00, "one accrual, whatever was retried")
        }
    }

    @Test(arguments: TestDatabase.allCases) func offlineBatchOnlyEarns(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 50_00
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            let batch = """
                {"receipts": [
                  {"idempotencyKey": "off-1", "receipt": {"customer": {"id": "\(id)"}, "externalId": "OFF-1", "lines": [{"sku": "A", "quantity": 1000, "price": 10000}]}},
                  {"idempotencyKey": "off-2", "receipt": {"customer": {"id": "\(id)"}, "externalId": "OFF-2", "lines": [{"sku": "A", "quantity": 1000, "price": 10000}], "redeem": 1000}},
                  {"idempotencyKey": "off-3", "receipt": {"customer": {"id": "\(id)"}, "externalId": "OFF-3", "lines": [{"sku": "A", "quantity": -1, "price": 10000}]}}
                ]}
                """
            let reply = try await client.call(.post, "/v1/receipts/batch", key: till, json: batch)
            #expect(reply.status == 200)
            let results = reply.json["results"] as? [[String: Any]] ?? []
            #expect(results.compactMap { $0["status"] as? Int } == [201, 422, 400])
            let replay = try await client.call(.post, "/v1/receipts/batch", key: till, json: batch)
            #expect((replay.json["results"] as? [[String: Any]])?.first?["replayed"] as? Bool == true)
            let balance = try await client.get("/v1/customers/lookup?id=\(id)", key: till).json["balance"] as? [String: Any]
            #expect(balance?["spendable"] as? Int == 55_00)
        }
    }

    @Test(arguments: TestDatabase.allCases) func ordersHoldThenConfirm(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 100_00
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            let order = try await client.post("/v1/orders", key: till, """
                {"customer": {"id": "\(id)"}, "externalId": "WEB-1", "lines": [{"sku": "A", "quantity": 1000, "price": 100000}], "redeem": 5000}
                """)
            #expect(order.status == 201, "\(order.text)")
            let orderId = try #require((order.json["hold"] as? [String: Any])?["id"] as? String)
            #expect((order.json["balance"] as? [String: Any])?["spendable"] as? Int == 50_00)
            let confirmed = try await client.post("/v1/orders/\(orderId)/confirm", key: till, #"{"externalId": "FN-WEB-1"}"#)
            #expect(confirmed.status == 201, "\(confirmed.text)")
            let cancel = try await client.post("/v1/orders/\(orderId)/cancel", key: till, "{}")
            #expect(cancel.status == 409)
            #expect(cancel.json["code"] as? String == "order_not_held")
            #expect(try await client.get("/v1/orders/\(orderId)", key: till).json["status"] as? String == "confirmed")
        }
        #expect(try await f.store.verify().violations.isEmpty)
    }
}

@Suite struct TierFlowTests {
    @Test(arguments: TestDatabase.allCases) func aMerchantConfiguresLevelsAndTillsSeeThem(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let version = try await client.get("/v1/program", key: f.adminKey).json["version"] as! Int
            let levels = """
                {"accrualRateBp": 300, "tiers": {"basis": "spend", "windowDays": 365, "tiers": [
                  {"name": "Бронза", "threshold": 0, "accrualRateBp": 300},
                  {"name": "Серебро", "threshold": 500000, "accrualRateBp": 500, "privileges": ["кофе в подарок в день рождения"]}]}}
                """
            let saved = try await client.call(.put, "/v1/program", key: f.adminKey, json: levels, ifMatch: String(version))
            #expect(saved.status == 200, "\(saved.text)")
            let unordered = levels.replacingOccurrences(of: "500000", with: "0")
            let refused = try await client.call(.put, "/v1/program", key: f.adminKey, json: unordered, ifMatch: String(version + 1))
            #expect(refused.status == 400)
            #expect((refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "tiers.tiers[1].threshold")
            let id = try await f.customer(client, key: till)
            let sale = #"{"customer": {"id": "\#(id)"}, "externalId": "T-1", "lines": [{"sku": "TV", "quantity": 1000, "price": 600000}]}"#
            let first = try await client.post("/v1/receipts", key: till, sale)
            #expect((first.json["calculation"] as? [String: Any])?["earnedPoints"] as? Int == 180_00)  // 3 % of 6,000 ₽
            let found = try await client.get("/v1/customers/lookup?id=\(id)", key: till).json
            let tier = try #require(found["tier"] as? [String: Any])
            #expect(tier["tier"] as? String == "Серебро")
            #expect(tier["privileges"] as? [String] == ["кофе в подарок в день рождения"])
            let second = try await client.post("/v1/receipts", key: till, sale.replacingOccurrences(of: "T-1", with: "T-2"))
            #expect((second.json["calculation"] as? [String: Any])?["earnedPoints"] as? Int == 300_00)  // 5 % of 6,000 ₽
        }
    }

    @Test(arguments: TestDatabase.allCases) func aTillSaysHowTheReceiptIsPaid(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.accrualExcludedPayments = [.certificate]
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            // 400 ₽ of 1,000 ₽ paid by gift certificate: 5 % of the 600 ₽ paid otherwise.
            let paid = try await client.post("/v1/receipts", key: till, """
                {"customer": {"id": "\(id)"}, "externalId": "P-1", "lines": [{"sku": "TV", "quantity": 1000, "price": 100000}],
                 "payments": [{"method": "card", "amountKopecks": 60000}, {"method": "certificate", "amountKopecks": 40000}]}
                """)
            #expect(paid.status == 201 || paid.status == 200)
            #expect((paid.json["receipt"] as? [String: Any])?["earnedPoints"] as? Int == 30_00)
            let bad = try await client.post("/v1/receipts", key: till, """
                {"customer": {"id": "\(id)"}, "externalId": "P-2", "lines": [{"sku": "TV", "quantity": 1000, "price": 100000}],
                 "payments": [{"method": "card", "amountKopecks": -5}]}
                """)
            #expect(bad.status == 400)
            #expect(((bad.json["errors"] as? [[String: Any]])?.first?["field"] as? String) == "payments[0].amountKopecks")
        }
    }

    /// Every request is one line at `info`: the route's template, not the path or the query that carry a phone or a card.
    @Test func everyRequestIsOneLineWithItsRouteAndNoPersonalData() async throws {
        let f = try await APIFixture(.sqlite)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till, phone: "+79123334455")
            #expect(try await client.get("/v1/customers/lookup?phone=%2B79123334455", key: till).status == 200)
            #expect(try await client.get("/v1/customers/\(id)/ledger", key: till).status == 200)
            let lines = f.logs.all.filter { $0.hasPrefix("info request") }
            #expect(lines.contains { $0.contains("/v1/customers/lookup") && $0.contains("\"status\": 200") && $0.contains("\"key\": kpk_reg_") }, "\(lines)")
            #expect(lines.contains { $0.contains("/v1/customers/{id}/ledger") }, "\(lines)")
            #expect(!f.logs.all.joined().contains("3334455") && !f.logs.all.joined().contains(till), "no phone and no key in the log")
        }
    }

    /// A spend the rules refuse says which rule: a daily limit is named as one (`limitReason`), and so is a receipt paid
    /// on credit under "no points on credit".
    @Test(arguments: TestDatabase.allCases) func aRefusedSpendNamesTheRuleThatRefusedIt(_ database: TestDatabase) async throws {
        var rules = ProgramRules()
        rules.welcomeBonusPoints = 500_00
        rules.maxRedemptionsPerDay = 1
        rules.redemptionExcludedPayments = [.credit]
        let f = try await APIFixture(database, rules: rules)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let id = try await f.customer(client, key: till)
            func sale(_ number: Int, payments: String = "") -> String {
                """
                {"customer": {"id": "\(id)"}, "externalId": "D-\(number)", "lines": [{"sku": "TV", "quantity": 1000, "price": 100000}],
                 "redeem": 10000\(payments)}
                """
            }
            let onCredit = try await client.post("/v1/receipts", key: till, sale(1, payments: #", "payments": [{"method": "credit", "amountKopecks": 90000}]"#))
            #expect(onCredit.status == 422 && onCredit.json["limitReason"] as? String == "redemption_excluded_payments", "\(onCredit.text)")
            #expect((onCredit.json["detail"] as? String)?.hasSuffix("points pay for nothing on a receipt paid by credit") == true, "\(onCredit.text)")
            #expect(try await client.post("/v1/receipts", key: till, sale(2)).status == 201)
            let second = try await client.post("/v1/receipts", key: till, sale(3))
            #expect(second.status == 422 && second.json["code"] as? String == "redemption_limit_exceeded")
            #expect(second.json["limitReason"] as? String == "redemption_daily_limit", "\(second.text)")
            #expect((second.json["detail"] as? String)?.hasSuffix("points pay for at most 1 receipts a day") == true, "\(second.text)")
        }
    }

    /// A program saved the way the console saves it (through the store, not this API) is what the very next calculation
    /// uses: programs are cached by version, not for a while.
    @Test(arguments: TestDatabase.allCases) func aProgramSavedElsewhereIsUsedByTheNextCalculation(_ database: TestDatabase) async throws {
        let f = try await APIFixture(database)
        try await f.run { client in
            let (_, till) = try await f.till(client)
            let customerId = try await f.customer(client, key: till)
            let body = #"{"customer": {"id": "\#(customerId)"}, "lines": [{"sku": "A", "quantity": 1000, "price": 100000}]}"#
            let before = try await client.post("/v1/receipts/calculate", key: till, body)
            #expect((before.json["calculation"] as? [String: Any])?["earnedPoints"] as? Int == 50_00)
            var rules = try await f.store.program(merchantId: f.merchantId).rules
            rules.accrualRateBp = 700
            let saved = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: APIFixture.t0)
            let after = try await client.post("/v1/receipts/calculate", key: till, body)
            #expect(after.json["programVersion"] as? Int == Int(saved.version))
            #expect((after.json["calculation"] as? [String: Any])?["earnedPoints"] as? Int == 70_00)
        }
    }
}
