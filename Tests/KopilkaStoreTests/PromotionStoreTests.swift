import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Codes and promotion limits on a real SQLite file, under concurrency.
@Suite struct PromotionStoreTests {
    /// A 50.00 coupon that needs a code.
    static func coupon(_ rules: inout ProgramRules) {
        var promotion = Promotion(id: "coupon", name: "Купон −50 ₽", reward: .amountOff(50_00))
        promotion.requiresCode = true
        rules.promotions = [promotion]
    }

    func commit(_ f: StoreFixture, _ customerId: Int64?, codes: [String], now: UnixSeconds = StoreFixture.t0) async throws -> StoredResponse {
        try await f.store.commitReceipt(
            merchantId: f.merchantId,
            ReceiptCommand(storeId: f.storeId, registerId: nil, customer: customerId.map { .id($0) }, externalId: UUID().uuidString,
                           lines: [StoreFixture.coffee], redeem: .points(0), codes: codes),
            idempotency: nil, now: now, render: StoreFixture.renderer())
    }

    /// A receipt records each promotion it got, with what it gave (written in one statement for all of them).
    @Test(arguments: TestDatabase.allCases) func aReceiptRecordsEveryPromotionItGot(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            rules.promotions = [
                Promotion(id: "minus10", name: "−10 %", reward: .percentOff(1000)),
                Promotion(id: "bonus", name: "+5 баллов", reward: .bonusPoints(5_00)),
                Promotion(id: "double", name: "Двойные баллы", reward: .pointsMultiplier(200)),
            ]
        }
        let anna = try await f.customer(phone: "+79120000001")
        let reply = try await commit(f, anna, codes: [])
        #expect(reply.status == 201)
        let rows = try await f.store.backend.read { db in
            try db.rows("SELECT promotion_id, discount, earned_points FROM receipt_promotions WHERE merchant_id = ? ORDER BY promotion_id", [f.merchantId])
        }
        let recorded = rows.map { "\($0["promotion_id"] as String) \($0["discount"] as Int64) \($0["earned_points"] as Int64)" }
        #expect(recorded.count == 3 && recorded.contains("minus10 2000 0") && recorded.contains("bonus 0 500"), "\(recorded)")
        #expect(recorded.contains { $0.hasPrefix("double 0 ") && !$0.hasSuffix(" 0") }, "\(recorded)")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func aSingleUseCodeIsTakenOnceUnderConcurrency(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database, Self.coupon)
        let batch = try await f.store.createCodeBatch(merchantId: f.merchantId, NewCodeBatch(name: "Листовки", promotionId: "coupon", count: 50), now: StoreFixture.t0)
        #expect(batch.count == 50)
        #expect(Set(batch.codes ?? []).count == 50, "codes are unique")
        #expect((batch.codes ?? []).allSatisfy { $0.count == 14 && $0.allSatisfy { PromoCode.alphabet.contains($0) || $0 == "-" } })
        let code = batch.codes![0].lowercased()  // typed in lower case with its hyphen: still the code
        let customers = try await (0..<8).asyncMap { try await f.customer(phone: "+7912000000\($0)") }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<24 { group.addTask { try await self.commit(f, customers[index % 8], codes: [code]).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 201 }.count == 1, "exactly one receipt gets the coupon: \(statuses)")
        #expect(statuses.filter { $0 == 409 }.count == 23, "the others are refused, changing nothing")
        // Most of them were refused while applying (the code was free in their snapshots): nothing they wrote before
        // the code's guard stays, neither a receipt nor points.
        let written = try await f.store.backend.read { db in
            try db.row(
                "SELECT (SELECT COUNT(*) FROM receipts WHERE merchant_id = ?1) AS receipts, (SELECT COUNT(*) FROM ledger_entries WHERE merchant_id = ?1) AS entries",
                [f.merchantId])!
        }
        #expect(written["receipts"] as Int64 == 1 && written["entries"] as Int64 == 1, "\(written)")
        let after = try await f.store.codeBatches(merchantId: f.merchantId)
        #expect(after.first?.usedCodes == 1 && after.first?.uses == 1)
        let exported = try await f.store.codes(merchantId: f.merchantId, batchId: parseID(batch.id)!)!
        #expect(exported.count == 50 && exported.filter { $0.uses == 1 }.count == 1)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func aMultiUseCodeKeepsItsPerCustomerLimit(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database, Self.coupon)
        _ = try await f.store.createCodeBatch(
            merchantId: f.merchantId, NewCodeBatch(name: "Лето", promotionId: "coupon", code: "SUMMER-25", usesPerCode: nil, usesPerCustomer: 1),
            now: StoreFixture.t0)
        let anna = try await f.customer(phone: "+79120000001")
        let boris = try await f.customer(phone: "+79120000002")
        #expect(try await commit(f, anna, codes: ["summer25"]).status == 201)
        let again = try await commit(f, anna, codes: ["SUMMER25"])
        #expect(again.status == 409 && String(decoding: again.body, as: UTF8.self).contains("codeNotApplicable"))
        #expect(try await commit(f, boris, codes: ["SUMMER 25"]).status == 201)
        #expect(try await commit(f, nil, codes: ["SUMMER25"]).status == 409, "a per-customer limit needs a customer")
    }

    /// A promotion's budget and a shared code are rows every receipt that uses them writes: 64 commits at once, of 64
    /// customers, all go through (none answered `busy`), and the budget pays exactly as many as it covers.
    @Test(arguments: TestDatabase.allCases) func hotCountersHoldUnderSixtyFourConcurrentCommits(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            // 20.00 off a 200.00 coffee; 40 of them fit the budget, and 50 a day are allowed.
            var minus10 = Promotion(id: "minus10", name: "−10 %", reward: .percentOff(1000))
            minus10.limits = PromotionLimits(usesPerDay: 50, budgetKopecks: 800_00)
            var coupon = Promotion(id: "coupon", name: "+5 баллов по коду", reward: .bonusPoints(5_00))
            coupon.requiresCode = true
            rules.promotions = [minus10, coupon]
        }
        _ = try await f.store.createCodeBatch(
            merchantId: f.merchantId, NewCodeBatch(name: "Для всех", promotionId: "coupon", code: "FOR-ALL", usesPerCode: nil, usesPerCustomer: nil),
            now: StoreFixture.t0)
        let customers = try await (0..<64).asyncMap { try await f.customer(phone: "+7912100\(String(format: "%04d", $0))") }
        let replies = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for customer in customers { group.addTask { try await self.commit(f, customer, codes: ["FOR-ALL"]) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(replies.allSatisfy { $0.status == 201 }, "\(replies.filter { $0.status != 201 }.map { String(decoding: $0.body, as: UTF8.self) }.prefix(3))")
        let promotions = try replies.filter { $0.status == 201 }.map { try StoreFixture.decode(ReceiptCommitted.self, $0).calculation.promotions.map(\.id) }
        #expect(promotions.filter { $0.contains("minus10") }.count == 40, "the budget pays 40 receipts, no more and no fewer")
        #expect(promotions.allSatisfy { $0.contains("coupon") }, "the shared code gives on every receipt")
        let counted = try await f.store.backend.read { db in
            try db.rows("SELECT bucket, uses, value_kopecks FROM promotion_counters WHERE merchant_id = ? AND promotion_id = 'minus10' AND bucket NOT LIKE 'c%' ORDER BY bucket",
                [f.merchantId])
                .map { "\($0["bucket"] as String)=\($0["uses"] as Int64)/\($0["value_kopecks"] as Int64)" }
        }
        #expect(counted == ["=40/80000", "d20454=40/80000"], "\(counted)")
        #expect(try await f.store.codeBatches(merchantId: f.merchantId).first?.uses == 64)
        #expect(f.store.writeConflicts == 0, "the hot rows are taken one transaction at a time, not fought over")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases) func codesHonourTheirValidity(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database, Self.coupon)
        let week = NewCodeBatch(
            name: "Неделя", promotionId: "coupon", code: "WEEK1", validFrom: StoreFixture.t0 + StoreFixture.day, validUntil: StoreFixture.t0 + 8 * StoreFixture.day)
        _ = try await f.store.createCodeBatch(merchantId: f.merchantId, week, now: StoreFixture.t0)
        let calculate = { (now: UnixSeconds) in
            try await f.store.calculateReceipt(
                merchantId: f.merchantId,
                CalculateCommand(storeId: f.storeId, customer: nil, lines: [StoreFixture.coffee], redeem: .points(0), codes: ["WEEK1"]), now: now
            ).calculation
        }
        #expect(try await calculate(StoreFixture.t0).codes.first?.status == .notStarted)
        #expect(try await calculate(StoreFixture.t0 + StoreFixture.day).discount == 50_00)
        #expect(try await calculate(StoreFixture.t0 + 8 * StoreFixture.day).discount == 50_00, "the last second still counts")
        #expect(try await calculate(StoreFixture.t0 + 8 * StoreFixture.day + 1).codes.first?.status == .expired)
        #expect(try await calculate(StoreFixture.t0).explanation.contains { $0.code == "code_not_started" })
        let unknown = try await f.store.calculateReceipt(
            merchantId: f.merchantId,
            CalculateCommand(storeId: f.storeId, customer: nil, lines: [StoreFixture.coffee], redeem: .points(0), codes: ["NOPE"]), now: StoreFixture.t0)
        #expect(unknown.calculation.codes == [CodeOutcome(code: "NOPE", status: .unknown, applied: false)])
    }

    @Test(arguments: TestDatabase.allCases) func limitsCountCommittedReceiptsPerCustomerAndPerLocalDay(_ database: TestDatabase) async throws {
        // 10 % off, twice per customer, three times a day (the store's day, Moscow), budget 100.00.
        let f = try await StoreFixture(database) { rules in
            var promotion = Promotion(id: "ten", name: "−10 %", reward: .percentOff(1000))
            promotion.limits = PromotionLimits(usesPerCustomer: 2, usesPerDay: 3, budgetKopecks: 100_00)
            rules.promotions = [promotion]
        }
        let anna = try await f.customer(phone: "+79120000001")
        let boris = try await f.customer(phone: "+79120000002")
        func discount(_ customer: Int64, _ now: UnixSeconds) async throws -> Kopecks {
            try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(customer, now: now)).calculation.discount
        }
        let t0 = StoreFixture.t0  // 03:00 in Moscow on 2026-01-01
        #expect(try await discount(anna, t0) == 20_00)  // 10 % of 200.00
        #expect(try await discount(anna, t0 + 60) == 20_00)
        #expect(try await discount(anna, t0 + 120) == 0, "Anna's two uses are spent")
        #expect(try await discount(boris, t0 + 180) == 20_00)  // the day's third use
        #expect(try await discount(boris, t0 + 240) == 0, "the day's three uses are spent")
        // 21:00 UTC is midnight in Moscow: a new local day. Budget: 60.00 of 100.00 spent, 20.00 fits, twice.
        #expect(try await discount(boris, t0 + 21 * 3600) == 20_00)
        let carol = try await f.customer(phone: "+79120000003")
        #expect(try await discount(carol, t0 + 21 * 3600 + 60) == 20_00)  // budget now 100.00 of 100.00
        #expect(try await discount(carol, t0 + 21 * 3600 + 120) == 0, "the budget is spent")
        try await f.expectInvariants()
    }

    /// "−15 % on the birthday week, once a year" and "a coffee −50 % twice a week": a customer's uses counted per
    /// calendar year and per week (from Monday), in the store's zone.
    @Test(arguments: TestDatabase.allCases)
    func aCustomersUsesCanBeCountedPerWeekOrYear(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var birthday = Promotion(id: "birthday", name: "День рождения", reward: .percentOff(15_00))
            birthday.birthday = BirthdayWindow(daysBefore: 3, daysAfter: 3)
            birthday.limits = PromotionLimits(usesPerCustomer: 1)
            birthday.limits?.customerPeriod = .year
            var coffee = Promotion(id: "coffee", name: "Кофе −50 %", reward: .percentOff(50_00))
            coffee.limits = PromotionLimits(usesPerCustomer: 2)
            coffee.limits?.customerPeriod = .week
            coffee.priority = 200
            rules.promotions = [birthday, coffee]
        }
        let response = try await f.store.registerCustomer(
            merchantId: f.merchantId,
            NewCustomer(phone: "+79120000009", name: nil, email: nil, birthday: "1990-01-03", personalDataConsent: true, marketingConsent: false),
            idempotency: nil, now: StoreFixture.t0, render: StoreFixture.renderer())
        let anna = parseID(try StoreFixture.decode(CustomerRegistered.self, response).customer.id)!
        func promotions(_ day: Int64) async throws -> (ids: [String], reasons: [Reason]) {
            let calculation = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna, now: StoreFixture.t0 + day * StoreFixture.day)).calculation
            return (calculation.promotions.map(\.id), calculation.explanation.filter { $0.code == "promotion_limit_reached" })
        }
        // 2026-01-01 is a Thursday; the birthday is on Saturday the 3rd.
        #expect(try await promotions(0).ids == ["birthday", "coffee"])
        let friday = try await promotions(1)
        #expect(friday.ids == ["coffee"], "the birthday discount once a year; the coffee's second use this week")
        #expect(friday.reasons.map(\.variant) == ["customer_year"])
        let saturday = try await promotions(2)
        #expect(saturday.ids.isEmpty && saturday.reasons.map(\.variant) == ["customer_year", "customer_week"])
        #expect(saturday.reasons.last?.values == [.text("Кофе −50 %"), .count(2), .count(2)])
        #expect(try await promotions(4).ids == ["coffee"], "Monday the 5th starts a new week")
        #expect(try await promotions(366 + 1).ids == ["birthday", "coffee"], "2027-01-03: a new year")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func promotionPointsWaitTheirOwnThirtyDays(_ database: TestDatabase) async throws {
        // 5 % at once; "+100 points for any purchase, credited in 30 days".
        let f = try await StoreFixture(database) { rules in
            var bonus = Promotion(id: "bonus", name: "+100 баллов", reward: .bonusPoints(100_00))
            bonus.activationDelayDays = 30
            rules.promotions = [bonus]
        }
        let t0 = StoreFixture.t0, day = StoreFixture.day
        let anna = try await f.customer()
        let sale = try StoreFixture.decode(ReceiptCommitted.self, try await f.commit(anna))
        #expect(sale.calculation.earnedPoints == 110_00)
        #expect(sale.entries.map(\.amount) == [10_00, 100_00], "two lots: the 5 % and the promotion's")
        #expect(try await f.balance(anna, at: t0) == BalanceSnapshot(spendable: 10_00, pending: 100_00, debt: 0))
        #expect(try await f.balance(anna, at: t0 + 30 * day - 1).spendable == 10_00)
        #expect(try await f.balance(anna, at: t0 + 30 * day).spendable == 110_00)
        // A full return takes both back.
        _ = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(sale.receipt.id, now: t0 + day))
        #expect(try await f.balance(anna, at: t0 + 30 * day) == BalanceSnapshot(spendable: 0, pending: 0, debt: 0))
        try await f.expectInvariants()
    }
}
