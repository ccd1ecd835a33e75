import Foundation
import KopilkaCore
import Testing

/// Stamp cards: "every 6th coffee free", "every 10th visit from 300 ₽ — 20 % off". Each case is worked out by hand
/// from the card's stamps before the receipt.
@Suite struct StampCardTests {
    static let coffeeCard: StampCard = {
        var card = StampCard(id: "coffee", name: "Кофейная карта", every: 6)
        card.lines = LineScope(categories: ["coffee"])
        return card
    }()

    static func coffee(_ price: Kopecks, quantity: Thousandths = 1000, flags: [LineFlag] = []) -> ReceiptLine {
        ReceiptLine(sku: "latte", category: "coffee", quantity: quantity, price: price, flags: flags)
    }

    static let croissant = ReceiptLine(sku: "croissant", category: "bakery", price: 90_00)

    static func calculate(
        _ lines: [ReceiptLine], stamps: Int, card: StampCard = coffeeCard, anonymous: Bool = false, configure: (inout ProgramRules) -> Void = { _ in }
    ) -> ReceiptCalculation {
        var rules = ProgramRules()
        rules.stampCards = [card]
        configure(&rules)
        #expect(rules.violations() == [], "the test's program is valid")
        var context = ReceiptContext()
        context.stamps = [card.id: stamps]
        return ReceiptCalculator.calculate(
            lines: lines, rules: rules, customer: anonymous ? nil : .init(spendablePoints: 0), redeem: .points(0), context: context)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let lines: [ReceiptLine]
        let before: Int
        let earned: Int
        let rewards: Int
        let after: Int
        let discount: Kopecks
        let earnedPoints: Points
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "a first coffee earns a stamp and 5 % of 150 ₽", lines: [coffee(150_00)], before: 0, earned: 1, rewards: 0, after: 1,
             discount: 0, earnedPoints: 7_50),
        Case(name: "with 4 stamps, of two coffees the second is the 6th: the cheaper is free", lines: [coffee(150_00), coffee(200_00)],
             before: 4, earned: 1, rewards: 1, after: 0, discount: 150_00, earnedPoints: 10_00),
        Case(name: "six coffees on an empty card: five stamps, the sixth free", lines: [coffee(120_00, quantity: 6000)], before: 0,
             earned: 5, rewards: 1, after: 0, discount: 120_00, earnedPoints: 30_00),
        Case(name: "a card carried over with 6 stamps: the coffee is free and one stamp stays", lines: [coffee(150_00)], before: 6,
             earned: 0, rewards: 1, after: 1, discount: 150_00, earnedPoints: 0),
        Case(name: "13 coffees on an empty card: two rewards, the two cheapest units", lines: [coffee(100_00, quantity: 10000), coffee(200_00, quantity: 3000)],
             before: 0, earned: 11, rewards: 2, after: 1, discount: 200_00, earnedPoints: 70_00),
        Case(name: "a croissant beside the coffee earns points but no stamp", lines: [croissant, coffee(150_00)], before: 2, earned: 1,
             rewards: 0, after: 3, discount: 0, earnedPoints: 12_00),
    ])
    func everySixthCoffeeIsFree(_ c: Case) throws {
        let result = Self.calculate(c.lines, stamps: c.before)
        let outcome = try #require(result.stamps.first)
        #expect(outcome.before == c.before)
        #expect(outcome.earned == c.earned)
        #expect(outcome.rewards == c.rewards)
        #expect(outcome.spent == c.rewards * 5)
        #expect(outcome.after == c.after)
        #expect(outcome.before + outcome.earned - outcome.spent == outcome.after)
        #expect(outcome.discount == c.discount)
        #expect(result.discount == c.discount)
        #expect(result.earnedPoints == c.earnedPoints)
        #expect(result.explanation.contains { $0.code == "stamp_reward" } == (c.rewards > 0))
        #expect(result.explanation.contains { $0.code == "stamp_earned" } == (c.earned > 0))
    }

    @Test func aReceiptWithoutQualifyingLinesLeavesTheCardAlone() {
        let result = Self.calculate([Self.croissant], stamps: 5)
        #expect(result.stamps.isEmpty)
        #expect(result.discount == 0)
    }

    @Test func halfAUnitEarnsNoStamp() {
        let result = Self.calculate([Self.coffee(150_00, quantity: 500)], stamps: 5)
        #expect(result.stamps.isEmpty)
        #expect(result.earnedPoints == 3_75)
    }

    @Test func anAnonymousReceiptCollectsNoStamps() {
        let result = Self.calculate([Self.coffee(150_00)], stamps: 0, anonymous: true)
        #expect(result.stamps.isEmpty)
        #expect(result.explanation.contains { $0.code == "stamp_needs_customer" })
    }

    @Test func aFixedPriceCoffeeCannotBeTheRewardSoItEarnsAStamp() throws {
        let result = Self.calculate([Self.coffee(150_00, flags: [.noDiscount])], stamps: 5)
        let outcome = try #require(result.stamps.first)
        #expect((outcome.earned, outcome.rewards, outcome.after) == (1, 0, 6))
        #expect(result.discount == 0)
        #expect(result.explanation.contains { $0.code == "stamp_reward_unavailable" })
    }

    @Test(arguments: [(Kopecks(250_00), Kopecks(100_00)), (80_00, 80_00)])
    func aFreeDrinkUpToAPrice(price: Kopecks, discount: Kopecks) throws {
        var card = Self.coffeeCard
        card.maxRewardKopecks = 100_00
        let result = Self.calculate([Self.coffee(price)], stamps: 5, card: card)
        #expect(try #require(result.stamps.first).discount == discount)
        #expect(result.payable == price - discount)
    }

    @Test func theCardDiscountComesFirstAndTheRewardFreesTheRest() {
        // 10 % card discount: 15 ₽ off 150 ₽; the reward takes the 135 ₽ left.
        let result = Self.calculate([Self.coffee(150_00)], stamps: 5) { $0.discountBp = 1000 }
        #expect(result.discount == 150_00)
        #expect(result.stamps.first?.discount == 135_00)
        #expect(result.payable == 0)
    }

    @Test func anExclusivePromotionKeepsTheRewardForLater() throws {
        var promotion = Promotion(id: "morning", name: "Утро", reward: Reward(kind: .percentOff))
        promotion.reward.percentBp = 1000
        promotion.exclusive = true
        let result = Self.calculate([Self.coffee(150_00)], stamps: 5) { $0.promotions = [promotion] }
        let outcome = try #require(result.stamps.first)
        #expect((outcome.earned, outcome.rewards, outcome.after) == (1, 0, 6))
        #expect(result.discount == 15_00)
        #expect(result.explanation.contains { $0.code == "stamp_reward_excluded" })
    }

    static let visitCard: StampCard = {
        var card = StampCard(id: "visits", name: "Каждый 10-й визит", every: 10)
        card.basis = .receipt
        card.minAmountKopecks = 300_00
        card.reward = .percentOff
        card.percentBp = 2000
        return card
    }()

    @Test(arguments: [
        // 20 % of 500 ₽.
        (Kopecks(300_00), 9, 0, 1, 0, Kopecks(100_00)),
        (300_00, 3, 1, 0, 4, 0),
    ])
    func everyTenthVisitFromThreeHundredRoubles(second: Kopecks, before: Int, earned: Int, rewards: Int, after: Int, discount: Kopecks) throws {
        let result = Self.calculate([ReceiptLine(sku: "a", price: 200_00), ReceiptLine(sku: "b", price: second)], stamps: before, card: Self.visitCard)
        let outcome = try #require(result.stamps.first)
        #expect((outcome.earned, outcome.rewards, outcome.after) == (earned, rewards, after))
        #expect(result.discount == discount)
    }

    @Test func aVisitBelowTheMinimumDoesNotCount() {
        let result = Self.calculate([ReceiptLine(sku: "a", price: 299_99)], stamps: 9, card: Self.visitCard)
        #expect(result.stamps.isEmpty)
        #expect(result.explanation.contains { $0.code == "stamp_below_minimum" })
    }

    @Test func aVisitRewardOfAnAmountIsSpreadOverTheLines() throws {
        var card = Self.visitCard
        card.reward = .amountOff
        card.amountKopecks = 100_00
        let result = Self.calculate([ReceiptLine(sku: "a", price: 300_00), ReceiptLine(sku: "b", price: 100_00)], stamps: 9, card: card)
        #expect(result.discount == 100_00)
        #expect(result.lines.map(\.discount) == [75_00, 25_00])
        #expect(try #require(result.stamps.first).rewards == 1)
    }

    @Test func aSwitchedOffCardGivesNothing() {
        var card = Self.coffeeCard
        card.enabled = false
        let result = Self.calculate([Self.coffee(150_00)], stamps: 5, card: card)
        #expect(result.stamps.isEmpty)
        #expect(result.discount == 0)
    }

    @Test func badCardsAreRefusedField() {
        var rules = ProgramRules()
        var card = StampCard(id: "coffee", name: "", every: 1)
        card.reward = .amountOff
        var free = StampCard(id: "free", name: "Кофе", every: 6)
        (free.amountKopecks, free.percentBp) = (-1, 10_001)
        rules.stampCards = [card, card, free]
        let fields = Set(rules.violations().map(\.field))
        #expect(fields == ["stampCards[0].name", "stampCards[0].every", "stampCards[0].amountKopecks",
                           "stampCards[1].name", "stampCards[1].every", "stampCards[1].amountKopecks", "stampCards[1].id",
                           "stampCards[2].amountKopecks", "stampCards[2].percentBp"], "a value out of range is refused even when the reward does not read it")
    }

    @Test func aCardFromJSONTakesTheDefaults() throws {
        let json = #"{"stampCards": [{"id": "coffee", "name": "Кофе", "every": 6, "lines": {"categories": ["coffee"]}}]}"#
        let rules = try JSONDecoder().decode(ProgramRules.self, from: Data(json.utf8))
        let card = try #require(rules.stampCards.first)
        #expect((card.basis, card.reward, card.lifetimeDays, card.enabled) == (.item, .freeItem, 0, true))
        #expect(rules.violations() == [])
    }
}
