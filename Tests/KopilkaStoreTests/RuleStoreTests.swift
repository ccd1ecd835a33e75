import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Rules outside receipts, on both databases, with amounts worked by hand: a birthday gift in a window around the day
/// for customers whose birthday was known a month before, with its own lifetime, once a year; points for a review by
/// its length and photos, once per review and once between purchases; a monthly cap on reposts; a bonus on reaching a
/// level; points for joining with a birthday.
@Suite struct RuleStoreTests {
    static let day = StoreFixture.day
    static let t0 = StoreFixture.t0  // 2026-01-01 00:00 UTC, 03:00 in Moscow

    static func join(_ f: StoreFixture, _ phone: String, birthday: String?, now: UnixSeconds = t0) async throws -> Int64 {
        let response = try await f.store.registerCustomer(
            merchantId: f.merchantId,
            NewCustomer(phone: phone, name: nil, email: nil, birthday: birthday, personalDataConsent: true, marketingConsent: false),
            idempotency: nil, now: now, render: StoreFixture.renderer())
        return try #require(parseID(try StoreFixture.decode(CustomerRegistered.self, response).customer.id))
    }

    /// The customer's `rule` ledger entries, oldest first.
    static func rulePoints(_ f: StoreFixture, _ customerId: Int64) async throws -> [Points] {
        let page = try await f.store.ledger(merchantId: f.merchantId, customerId: customerId, before: nil, limit: 100)
        return (page?.entries ?? []).filter { $0.kind == .rule }.map(\.amount).reversed()
    }

    static func act(
        _ f: StoreFixture, _ customerId: Int64, _ action: String, _ ref: String, _ attributes: [String: Int64] = [:], now: UnixSeconds
    ) async throws -> StoredResponse {
        try await f.store.recordAction(
            merchantId: f.merchantId, ActionCommand(customerId: customerId, action: action, ref: ref, attributes: attributes), idempotency: nil,
            now: now, render: StoreFixture.renderer())
    }

    static func recorded(_ response: StoredResponse) throws -> ActionRecorded { try StoreFixture.decode(ActionRecorded.self, response) }

    @Test(arguments: TestDatabase.allCases)
    func aBirthdayGiftComesInItsWindowOnceAYearToThoseWhoseBirthdayWasKnown(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var gift = Rule(id: "birthday", name: "Подарок ко дню рождения", on: .birthday, points: 500_00)
            gift.birthday = BirthdayWindow(daysBefore: 3, daysAfter: 3)
            gift.conditions = [RuleCondition(fact: RuleFacts.Customer.birthdayKnownDays.rawValue, atLeast: 30)]
            gift.lifetime = RuleLifetime(days: 7)
            rules.rules = [gift]
        }
        // Anna joined on 1 January with her birthday, 10 March; Boris on 1 March with his, 12 March: known 6–11 days.
        let anna = try await Self.join(f, "+79120000001", birthday: "1990-03-10")
        let boris = try await Self.join(f, "+79120000002", birthday: "1985-03-12", now: Self.t0 + 59 * Self.day)
        let march6 = Self.t0 + 64 * Self.day, march7 = Self.t0 + 65 * Self.day
        _ = try await f.store.runMaintenance(now: march6)
        #expect(try await Self.rulePoints(f, anna) == [], "6 March is before the window (7–13 March)")
        #expect(try await f.store.runMaintenance(now: march7).birthdaysChecked == 1, "Boris's window (9–15 March) is still ahead")
        #expect(try await Self.rulePoints(f, anna) == [500_00])
        #expect(try await f.store.runMaintenance(now: march7 + 3600).birthdaysChecked == 0, "looked at today already")
        #expect(try await f.store.runMaintenance(now: march7 + 2 * Self.day).birthdaysChecked == 2)
        #expect(try await Self.rulePoints(f, anna) == [500_00], "one gift per birthday, whichever day of the window")
        #expect(try await Self.rulePoints(f, boris) == [], "on 9 March his birthday was known 8 days, not 30")
        #expect(try await f.balance(anna, at: march7 + 7 * Self.day - 1).spendable == 500_00)
        _ = try await f.store.runMaintenance(now: march7 + 7 * Self.day)
        #expect(try await f.balance(anna, at: march7 + 7 * Self.day).spendable == 0, "the gift lives 7 days")
        // A year later, both get one: Boris's birthday has been known for a year by then.
        _ = try await f.store.runMaintenance(now: march7 + 365 * Self.day)
        _ = try await f.store.runMaintenance(now: march7 + 367 * Self.day)
        #expect(try await Self.rulePoints(f, anna) == [500_00, 500_00])
        #expect(try await Self.rulePoints(f, boris) == [500_00])
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func aReviewIsPaidByItsLengthAndPhotosOncePerReviewAndOnceBetweenPurchases(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            // "50 points for a review of at least 100 characters, +50 with photos; one review between purchases."
            var review = Rule(id: "review", name: "Отзыв", on: .action, points: 50_00)
            review.action = "review"
            review.conditions = [RuleCondition(fact: "action.length", atLeast: 100)]
            review.pointsPer = [PointsPer(fact: "action.photos", every: 1, points: 50_00, maxPoints: 50_00)]
            review.caps = [RuleCap(per: .purchase, times: 1)]
            rules.rules = [review]
        }
        let anna = try await f.customer()
        _ = try await f.commit(anna, now: Self.t0)
        let first = try Self.recorded(try await Self.act(f, anna, "review", "r1", ["length": 300, "photos": 2], now: Self.t0 + 60))
        #expect(first.points == 100_00 && first.grants.map(\.points) == [100_00], "50 + 50 for photos, however many")
        let second = try Self.recorded(try await Self.act(f, anna, "review", "r2", ["length": 300], now: Self.t0 + 120))
        #expect(second.points == 0 && second.noGrants.map(\.code) == ["rule_cap_reached"] && second.noGrants.first?.per == .purchase)
        let again = try await Self.act(f, anna, "review", "r1", ["length": 300, "photos": 2], now: Self.t0 + 180)
        #expect(again.status == 409 && String(decoding: again.body, as: UTF8.self).contains("actionAlreadyRecorded"), "the same review twice")

        _ = try await f.commit(anna, now: Self.t0 + Self.day)
        let short = try Self.recorded(try await Self.act(f, anna, "review", "r3", ["length": 99, "photos": 1], now: Self.t0 + Self.day + 60))
        #expect(short.noGrants.map(\.code) == ["rule_condition_not_met"] && short.noGrants.first?.fact == "action.length")
        let plain = try Self.recorded(try await Self.act(f, anna, "review", "r4", ["length": 100], now: Self.t0 + Self.day + 120))
        #expect(plain.points == 50_00, "the short review did not use the cap")
        let unknown = try Self.recorded(try await Self.act(f, anna, "like", "l1", now: Self.t0 + Self.day + 180))
        #expect(unknown.points == 0 && unknown.noGrants.map(\.code) == ["no_rule_for_action"])
        #expect(try await Self.rulePoints(f, anna) == [100_00, 50_00])
        let page = try await f.store.ledger(merchantId: f.merchantId, customerId: anna, before: nil, limit: 100)
        #expect(page?.entries.filter { $0.kind == .rule }.map(\.rule) == ["review", "review"], "the ledger names the rule")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func repostsArePaidUpToACapOfPointsInACalendarMonth(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var repost = Rule(id: "repost", name: "Репост", on: .action, points: 100_00)
            repost.action = "repost"
            repost.caps = [RuleCap(per: .month, points: 250_00)]
            rules.rules = [repost]
        }
        let anna = try await f.customer()
        var given: [Points] = []
        for (index, at) in [Self.t0 + 60, Self.t0 + 120, Self.t0 + 180, Self.t0 + 240].enumerated() {
            given.append(try Self.recorded(try await Self.act(f, anna, "repost", "p\(index)", now: at)).points)
        }
        #expect(given == [100_00, 100_00, 50_00, 0], "250 points a month: the third repost gets what is left")
        // 1 February in Moscow begins at 21:00 UTC on 31 January.
        let february = Self.t0 + 31 * Self.day - 3 * 3600
        #expect(try Self.recorded(try await Self.act(f, anna, "repost", "p4", now: february - 1)).points == 0)
        #expect(try Self.recorded(try await Self.act(f, anna, "repost", "p5", now: february)).points == 100_00)
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func reachingALevelGivesItsBonusOnceAndOnlyVisitsFromTheMinimumCount(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var tiers = TierRules(basis: .purchases, windowDays: 0, tiers: [
                Tier(name: "Старт", threshold: 0, accrualRateBp: 300), Tier(name: "Серебро", threshold: 3, accrualRateBp: 500),
            ])
            tiers.minPurchaseKopecks = 300_00
            tiers.resetAfterDaysWithoutPurchase = 90
            rules.tiers = tiers
            var bonus = Rule(id: "silver", name: "Бонус за Серебро", on: .levelReached, points: 200_00)
            bonus.level = "Серебро"
            rules.rules = [bonus]
        }
        let anna = try await f.customer()
        let small = ReceiptLine(sku: "S", category: "goods", price: 200_00), big = ReceiptLine(sku: "B", category: "goods", price: 400_00)
        for (index, line) in [big, small, big].enumerated() { _ = try await f.commit(anna, [line], now: Self.t0 + Int64(index) * Self.day) }
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: Self.t0 + 3 * Self.day)?.tier?.tier == "Старт",
                "two visits count: the 200 ₽ one is below 300 ₽")
        #expect(try await Self.rulePoints(f, anna) == [])
        let key = IdempotencyKey(key: "silver", requestHash: [1])
        let reaching = try await f.commit(anna, [big], externalId: "R-4", key: key, now: Self.t0 + 3 * Self.day)
        let reached = try StoreFixture.decode(ReceiptCommitted.self, reaching)
        // The till prints the bonus and the balance with it: 12 + 6 + 12 + 12 points at 3 %, and 200.
        #expect(reached.entries.map(\.kind) == [.accrual, .rule] && reached.entries.last?.rule == "silver" && reached.entries.last?.amount == 200_00)
        #expect(reached.balance?.spendable == 242_00)
        #expect(try await f.commit(anna, [big], externalId: "R-4", key: key, now: Self.t0 + 3 * Self.day).body == reaching.body, "replayed as answered")
        _ = try await f.commit(anna, [big], now: Self.t0 + 4 * Self.day)
        #expect(try await Self.rulePoints(f, anna) == [200_00], "once, on the purchase that reached Silver")
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: Self.t0 + 93 * Self.day)?.tier?.tier == "Серебро")
        let lapsed = Self.t0 + 94 * Self.day
        #expect(try await f.store.customer(merchantId: f.merchantId, .id(anna), now: lapsed)?.tier?.tier == "Старт", "90 days without a purchase")
        _ = try await f.commit(anna, [big], now: lapsed)
        let after = try await f.store.customer(merchantId: f.merchantId, .id(anna), now: lapsed)?.tier
        #expect(after?.tier == "Старт" && after?.qualifying == 1, "visits count again from the first after the gap")
        try await f.expectInvariants()
    }

    @Test(arguments: TestDatabase.allCases)
    func aLevelReachedIsKeptForItsDaysThenFollowsPurchases(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var tiers = TierRules(basis: .spend, windowDays: 30, tiers: [
                Tier(name: "Base", threshold: 0, accrualRateBp: 300), Tier(name: "Gold", threshold: 1_000_00, accrualRateBp: 700),
            ])
            tiers.keepReachedDays = 60
            rules.tiers = tiers
        }
        let anna = try await f.customer()
        _ = try await f.commit(anna, [ReceiptLine(sku: "B", category: "goods", price: 1_000_00)], now: Self.t0)
        let level = { (at: UnixSeconds) in try await f.store.customer(merchantId: f.merchantId, .id(anna), now: at)?.tier?.tier }
        #expect(try await level(Self.t0 + 40 * Self.day) == "Gold", "out of the 30-day window, kept for 60 days")
        #expect(try await level(Self.t0 + 60 * Self.day) == "Base")
    }

    @Test(arguments: TestDatabase.allCases)
    func joiningWithABirthdayGivesPointsAndWithoutNone(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var joined = Rule(id: "profile", name: "За дату рождения", on: .registration, points: 100_00)
            joined.conditions = [RuleCondition(fact: RuleFacts.Customer.hasBirthday.rawValue, atLeast: 1)]
            rules.rules = [joined]
        }
        let response = try await f.store.registerCustomer(
            merchantId: f.merchantId,
            NewCustomer(phone: "+79120000001", name: nil, email: nil, birthday: "1990-03-10", personalDataConsent: true, marketingConsent: false),
            idempotency: nil, now: Self.t0, render: StoreFixture.renderer())
        let registered = try StoreFixture.decode(CustomerRegistered.self, response)
        #expect(registered.entries.map(\.rule) == ["profile"] && registered.customer.balance.spendable == 100_00, "the answer names the rule")
        let anna = try #require(parseID(registered.customer.id))
        let boris = try await Self.join(f, "+79120000002", birthday: nil)
        #expect(try await Self.rulePoints(f, anna) == [100_00])
        #expect(try await Self.rulePoints(f, boris) == [])
        try await f.expectInvariants()
    }

    /// Eight reports of one review at once, and eight customers racing for the first three prizes of a contest: the
    /// review is rewarded once, and a cap over everyone gives exactly three prizes.
    @Test(arguments: TestDatabase.allCases)
    func racingReportsNeverPayAnActionTwiceOrACapOverEveryoneBeyondIt(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var review = Rule(id: "review", name: "Отзыв", on: .action, points: 50_00)
            review.action = "review"
            var prize = Rule(id: "first-three", name: "Первым трём", on: .action, points: 300_00)
            prize.action = "contest"
            prize.caps = [RuleCap(per: .ever, times: 3, of: .everyone)]
            rules.rules = [review, prize]
        }
        let anna = try await f.customer()
        let same = try await withThrowingTaskGroup(of: StoredResponse.self) { group in
            for _ in 0..<8 { group.addTask { try await Self.act(f, anna, "review", "r1", ["length": 300], now: Self.t0 + 60) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(same.filter { $0.status == 201 }.count == 1, "\(same.map { String(decoding: $0.body, as: UTF8.self) })")
        #expect(try await Self.rulePoints(f, anna) == [50_00])

        var customers: [Int64] = []
        for index in 0..<8 { customers.append(try await f.customer(phone: "+7912000010\(index)")) }
        let prizes = try await withThrowingTaskGroup(of: Points.self) { group in
            for customer in customers {
                group.addTask { try Self.recorded(try await Self.act(f, customer, "contest", "entry-\(customer)", now: Self.t0 + 120)).points }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(prizes.sorted() == [0, 0, 0, 0, 0, 300_00, 300_00, 300_00], "three prizes, whoever came first")
        try await f.expectInvariants()
    }

    /// Rules on a purchase, with the receipt and the customer as facts: 200 points for the first purchase, 300 for coming
    /// back after 60 days, and 50 points per whole 1,000 ₽ paid from 3,000 ₽ at most twice a month — beside 5 % back.
    /// Their points join the receipt's, so a return takes them back with it.
    @Test(arguments: TestDatabase.allCases)
    func purchaseRulesAddTheirPointsToTheReceiptsWithinTheirCaps(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var first = Rule(id: "first", name: "Первая покупка", on: .purchase, points: 200_00)
            first.conditions = [RuleCondition(fact: RuleFacts.Customer.purchases.rawValue, atMost: 0)]
            var back = Rule(id: "back", name: "С возвращением", on: .purchase, points: 300_00)
            back.conditions = [RuleCondition(fact: RuleFacts.Customer.daysSinceLastPurchase.rawValue, atLeast: 60)]
            var big = Rule(id: "big", name: "За каждую тысячу", on: .purchase, points: 0)
            big.conditions = [RuleCondition(fact: RuleFacts.Receipt.paidKopecks.rawValue, atLeast: 3_000_00)]
            big.pointsPer = [PointsPer(fact: RuleFacts.Receipt.paidKopecks.rawValue, every: 1_000_00, points: 50_00)]
            big.caps = [RuleCap(per: .month, times: 2)]
            rules.rules = [first, back, big]
        }
        let anna = try await f.customer()
        func buy(_ price: Kopecks, day: Int64) async throws -> ReceiptCommitted {
            try StoreFixture.decode(
                ReceiptCommitted.self, try await f.commit(anna, [ReceiptLine(sku: "G", category: "goods", price: price)], now: Self.t0 + day * Self.day))
        }
        let purchases = [try await buy(1_000_00, day: 0), try await buy(3_500_00, day: 1), try await buy(4_000_00, day: 2), try await buy(5_000_00, day: 3)]
        #expect(purchases.map(\.calculation.earnedPoints) == [250_00, 325_00, 400_00, 250_00], "50 + 200; 175 + 3 × 50; 200 + 4 × 50; 250 only")
        #expect(purchases.map { $0.calculation.rules?.map(\.id) } == [["first"], ["big"], ["big"], nil])
        #expect(purchases[3].calculation.explanation.contains { $0.code == "rule_cap_reached" }, "twice a month")
        let returning = try await buy(1_000_00, day: 70)
        #expect(returning.calculation.earnedPoints == 350_00 && returning.calculation.rules?.map(\.points) == [300_00], "67 days away")
        let before = try await f.balance(anna, at: Self.t0 + 70 * Self.day).spendable
        _ = try StoreFixture.decode(ReturnMade.self, try await f.returnLines(returning.receipt.id, now: Self.t0 + 70 * Self.day + 60))
        #expect(try await f.balance(anna, at: Self.t0 + 70 * Self.day + 60).spendable == before - 350_00, "the return takes the rule's points too")
        // March: the cap of two is new.
        #expect(try await buy(3_000_00, day: 71).calculation.rules?.map(\.points) == [150_00])
        try await f.expectInvariants()
    }

    /// Promotions read the same facts as rules: "−10 % on the first purchase", "double points in the first week after
    /// joining" and "100 points for customers who gave an email". Two first purchases at once get the discount once.
    @Test(arguments: TestDatabase.allCases)
    func promotionsReadTheCustomersFactsAsRulesDo(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database) { rules in
            var first = Promotion(id: "first", name: "Первая покупка", reward: .percentOff(10_00))
            first.conditions = [RuleCondition(fact: RuleFacts.Customer.purchases.rawValue, atMost: 0)]
            var week = Promotion(id: "week", name: "Первая неделя", reward: .pointsMultiplier(200))
            week.conditions = [RuleCondition(fact: RuleFacts.Customer.daysSinceJoined.rawValue, atMost: 6)]
            var email = Promotion(id: "email", name: "За email", reward: .bonusPoints(100_00))
            email.conditions = [RuleCondition(fact: RuleFacts.Customer.hasEmail.rawValue, atLeast: 1)]
            rules.promotions = [first, week, email]
        }
        let anna = try await f.customer()
        func buy(_ day: Int64, _ customer: Int64? = nil) async throws -> ReceiptCalculation {
            try StoreFixture.decode(
                ReceiptCommitted.self, try await f.commit(customer ?? anna, [ReceiptLine(sku: "G", category: "goods", price: 1_000_00)], now: Self.t0 + day * Self.day)
            ).calculation
        }
        let purchases = [try await buy(0), try await buy(1), try await buy(7)]
        #expect(purchases.map(\.discount) == [100_00, 0, 0], "−10 % on the first purchase only")
        #expect(purchases.map(\.earnedPoints) == [90_00, 100_00, 50_00], "5 % of 900 ₽ doubled; of 1,000 ₽ doubled; day 7 is past the first week")
        let refusal = try #require(purchases[2].explanation.first { $0.code == "promotion_condition_not_met" && $0.promotion == "week" })
        #expect(refusal.values == [.text("Первая неделя"), .condition(RuleCondition(fact: "customer.daysSinceJoined", atMost: 6))])
        let email = try #require(purchases[0].explanation.first { $0.promotion == "email" })
        #expect(email.code == "promotion_condition_not_met", "Анна gave no email")

        let boris = try await f.customer(phone: "+79120000002")
        let racing = try await withThrowingTaskGroup(of: ReceiptCalculation.self) { group in
            for _ in 0..<4 { group.addTask { try await buy(0, boris) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(racing.map(\.discount).sorted() == [0, 0, 0, 100_00], "one of four first purchases")
        try await f.expectInvariants()
    }
}
