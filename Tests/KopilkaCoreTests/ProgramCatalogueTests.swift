import Foundation
import KopilkaCore
import Testing

/// The example programs of `examples/programs`: each loads, passes the program's checks, and gives on three or more
/// receipts the amounts worked out by hand from its description (examples/programs/README.md). Times are in the
/// store's zone around Thursday 2026-11-26.
@Suite struct ProgramCatalogueTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/programs")

    static func at(_ date: String, _ hour: Int) -> LocalTime { LocalTime(date: LocalDate(date)!, minute: hour * 60) }
    static let thursdayMorning = at("2026-11-26", 9)
    static let thursdayNoon = at("2026-11-26", 12)
    static let thursdayLunch = at("2026-11-26", 13)
    static let thursdayEvening = at("2026-11-26", 19)
    static let wednesday = at("2026-11-25", 12)
    static let saturdayEvening = at("2026-11-28", 19)

    static func line(_ sku: String, _ category: String, _ price: Kopecks, quantity: Thousandths = 1000) -> ReceiptLine {
        ReceiptLine(sku: sku, category: category, quantity: quantity, price: price)
    }

    /// One receipt through one program, and what it must come to.
    struct Receipt: CustomTestStringConvertible, Sendable {
        let program: String
        let name: String
        var lines: [ReceiptLine]
        var time = ProgramCatalogueTests.thursdayEvening
        /// The customer's spendable points.
        var balance: Points = 0
        /// What the customer's level counts (spend in kopecks, or purchases), when the program has levels.
        var qualifying: Int64 = 0
        var groups: Set<String> = []
        var codes: [PresentedCode] = []
        var facts = CustomerFacts()
        /// The customer's facts that promotions' `conditions` and purchase rules read (`customer.purchases`).
        var ruleFacts: [RuleFacts.Customer: Int64] = [:]
        var payments: [Payment] = []
        var redeem: RedeemRequest = .points(0)
        /// Stamps on the customer's stamp cards before the receipt, and after it.
        var stamps: [String: Int] = [:]
        var stampsAfter: [String: Int] = [:]
        let discount: Kopecks
        let redeemed: Points
        let earned: Points
        var testDescription: String { "\(program): \(name)" }
    }

    static let receipts: [Receipt] = [
        // A coffee shop: 7 % back, points pay up to half, every third coffee half price, pastries −20 % on weekday mornings.
        Receipt(program: "coffee-shop", name: "three coffees: the third half price, 7 % of 500 ₽",
                lines: [line("CAP", "coffee", 200_00, quantity: 3000)], time: thursdayMorning, discount: 100_00, redeemed: 0, earned: 35_00),
        Receipt(program: "coffee-shop", name: "a morning croissant −20 %, 7 % of 320 ₽",
                lines: [line("CRO", "bakery", 150_00), line("CAP", "coffee", 200_00)], time: thursdayMorning, discount: 30_00, redeemed: 0,
                earned: 22_40),
        Receipt(program: "coffee-shop", name: "at noon no pastry discount; 100 points pay, 7 % of the 250 ₽ paid",
                lines: [line("CRO", "bakery", 150_00), line("CAP", "coffee", 200_00)], time: thursdayNoon, balance: 100_00, redeem: .max,
                discount: 0, redeemed: 100_00, earned: 17_50),
        Receipt(program: "coffee-shop", name: "a mug earns nothing, the coffee 7 %",
                lines: [line("MUG", "merch", 500_00), line("CAP", "coffee", 200_00)], discount: 0, redeemed: 0, earned: 14_00),

        // Pizza delivery: ranks by number of orders (3 %, from the 5th 5 %, from the 15th 7 % and half the check in
        // points); delivery earns nothing and cannot be paid with points; points pay for orders from 700 ₽.
        Receipt(program: "pizza-delivery", name: "4 orders before: 3 %, 200 points pay for the pizza, not the delivery",
                lines: [line("PIZZA", "pizza", 600_00), line("DLV", "delivery", 150_00)], balance: 200_00, qualifying: 4, redeem: .max,
                discount: 0, redeemed: 200_00, earned: 12_00),
        Receipt(program: "pizza-delivery", name: "5 orders before: 5 %; a 600 ₽ order is below the 700 ₽ to spend",
                lines: [line("PIZZA", "pizza", 600_00)], balance: 500_00, qualifying: 5, redeem: .max, discount: 0, redeemed: 0, earned: 30_00),
        Receipt(program: "pizza-delivery", name: "15 orders before: 7 %, points pay half",
                lines: [line("PIZZA", "pizza", 1_000_00)], balance: 1_000_00, qualifying: 15, redeem: .max, discount: 0, redeemed: 500_00,
                earned: 35_00),

        // Online cosmetics: 5 %, Gold from 30,000 ₽ a year 7 %, points pay up to 30 % (gifts and reviews are rules, in
        // RuleStoreTests).
        Receipt(program: "cosmetics-online", name: "Base: 5 % of 2,000 ₽", lines: [line("CRM", "care", 2_000_00)], qualifying: 29_999_99,
                ruleFacts: [.purchases: 3], discount: 0, redeemed: 0, earned: 100_00),
        Receipt(program: "cosmetics-online", name: "the first order: −10 % of 2,000 ₽, 5 % of 1,800 ₽", lines: [line("CRM", "care", 2_000_00)],
                ruleFacts: [.purchases: 0], discount: 200_00, redeemed: 0, earned: 90_00),
        Receipt(program: "cosmetics-online", name: "Gold from 30,000 ₽: 7 % of 1,000 ₽", lines: [line("CRM", "care", 1_000_00)],
                qualifying: 30_000_00, discount: 0, redeemed: 0, earned: 70_00),
        Receipt(program: "cosmetics-online", name: "1,000 points pay 30 % of 2,000 ₽, 5 % of the 1,400 ₽ paid",
                lines: [line("CRM", "care", 2_000_00)], balance: 1_000_00, redeem: .max, discount: 0, redeemed: 600_00, earned: 70_00),

        // A grocery store: a point per 50 ₽ from a 300 ₽ receipt; tobacco, alcohol and baby food earn nothing; points
        // pay up to 20 %, not for tobacco or alcohol.
        Receipt(program: "grocery-store", name: "270 ₽ is below 300 ₽",
                lines: [line("BREAD", "bakery", 60_00), line("MILK", "dairy", 90_00), line("CHEESE", "dairy", 120_00)], discount: 0, redeemed: 0,
                earned: 0),
        Receipt(program: "grocery-store", name: "480 ₽ of groceries earn 9 points, the cigarettes none",
                lines: [line("FOOD", "grocery", 480_00), line("CIG", "tobacco", 200_00)], discount: 0, redeemed: 0, earned: 9_00),
        Receipt(program: "grocery-store", name: "20 % of 1,500 ₽ in points, on the groceries; 700 ₽ paid earn 14 points",
                lines: [line("FOOD", "grocery", 1_000_00), line("WINE", "alcohol", 500_00)], balance: 1_000_00, redeem: .max, discount: 0,
                redeemed: 300_00, earned: 14_00),

        // A cake shop: 10 % back, points pay the whole cake but 1 ₽, and a receipt either earns or spends.
        Receipt(program: "cake-shop", name: "a cake earns 10 %", lines: [line("CAKE", "cakes", 1_200_00)], discount: 0, redeemed: 0, earned: 120_00),
        Receipt(program: "cake-shop", name: "500 points spent: nothing earned", lines: [line("CAKE", "cakes", 1_200_00)], balance: 500_00,
                redeem: .max, discount: 0, redeemed: 500_00, earned: 0),
        Receipt(program: "cake-shop", name: "an éclair paid with points but 1 ₽", lines: [line("ECL", "pastry", 150_00)], balance: 1_000_00,
                redeem: .max, discount: 0, redeemed: 149_00, earned: 0),

        // A clothing store: an accumulative discount card, 3 % → 5 % from 15,000 ₽ → 7 % from 50,000 ₽ → 10 % from
        // 100,000 ₽ bought, kept for good; sale items get no card discount.
        Receipt(program: "clothing-store", name: "a new card: 3 % off jeans", lines: [line("JEANS", "denim", 4_000_00)], discount: 120_00, redeemed: 0,
                earned: 0),
        Receipt(program: "clothing-store", name: "60,000 ₽ bought: 7 % off the jacket, not the sale T-shirt",
                lines: [line("JACKET", "outerwear", 10_000_00), line("TEE", "sale", 1_000_00)], qualifying: 60_000_00, discount: 700_00,
                redeemed: 0, earned: 0),
        Receipt(program: "clothing-store", name: "exactly 100,000 ₽ bought: 10 %", lines: [line("COAT", "outerwear", 20_000_00)],
                qualifying: 100_000_00, discount: 2_000_00, redeemed: 0, earned: 0),

        // A wholesale supplier: for wholesale buyers −5 % from 50 packs of packaging, −7 % on orders from 100,000 ₽;
        // for everyone, a discount by last quarter's purchases (3 % from 500,000 ₽, 5 % from 1.5 million ₽).
        Receipt(program: "wholesale-supplier", name: "60 packs: −5 %", lines: [line("BOX", "packaging", 100_00, quantity: 60_000)],
                groups: ["wholesale"], discount: 300_00, redeemed: 0, earned: 0),
        Receipt(program: "wholesale-supplier", name: "a 120,000 ₽ order: −7 %", lines: [line("DRILL", "tools", 120_000_00)], groups: ["wholesale"],
                discount: 8_400_00, redeemed: 0, earned: 0),
        Receipt(program: "wholesale-supplier", name: "not a wholesale buyer: the quarter's 3 % only", lines: [line("DRILL", "tools", 120_000_00)],
                qualifying: 600_000_00, discount: 3_600_00, redeemed: 0, earned: 0),

        // A paint store: a discount on paint and varnish by what was bought of them this quarter (5 % from 30,000 ₽, 10 % from
        // 100,000 ₽), on paint and varnish only; 2 % back on everything.
        Receipt(program: "paint-store", name: "no paint bought yet: no discount, 2 % of 5,000 ₽",
                lines: [line("PAINT", "paint", 4_000_00), line("ROLLER", "tools", 1_000_00)], discount: 0, redeemed: 0, earned: 100_00),
        Receipt(program: "paint-store", name: "exactly 30,000 ₽ of paint: −5 % of the 5,000 ₽ of paint and varnish, not the roller",
                lines: [line("PAINT", "paint", 4_000_00), line("LAC", "varnish", 1_000_00), line("ROLLER", "tools", 500_00)],
                qualifying: 30_000_00, discount: 250_00, redeemed: 0, earned: 105_00),
        Receipt(program: "paint-store", name: "150,000 ₽ of paint: −10 % of 6,000 ₽; 2 % of the 7,400 ₽ paid",
                lines: [line("PAINT", "paint", 3_000_00, quantity: 2000), line("TAPE", "tools", 2_000_00)], qualifying: 150_000_00,
                discount: 600_00, redeemed: 0, earned: 148_00),

        // A bookstore: 1 % from 100 ₽, 3 % from 1,000 ₽, 5 % from 5,000 ₽ by the receipt's sum; points pay up to 20 %.
        Receipt(program: "bookstore", name: "an 80 ₽ postcard earns nothing", lines: [line("CARD", "cards", 80_00)], discount: 0, redeemed: 0, earned: 0),
        Receipt(program: "bookstore", name: "1,350 ₽ of books at 3 %", lines: [line("B1", "books", 700_00), line("B2", "books", 650_00)], discount: 0,
                redeemed: 0, earned: 40_50),
        Receipt(program: "bookstore", name: "6,000 ₽ at 5 %, on the 5,500 ₽ paid after 500 points",
                lines: [line("SET", "books", 6_000_00)], balance: 500_00, redeem: .max, discount: 0, redeemed: 500_00, earned: 275_00),

        // A pharmacy: 3 % back, points pay up to 99 %, prescription drugs neither earn nor are paid with points.
        Receipt(program: "pharmacy", name: "vitamins earn 3 %", lines: [line("VIT", "vitamins", 1_000_00)], discount: 0, redeemed: 0, earned: 30_00),
        Receipt(program: "pharmacy", name: "points pay only the vitamins; nothing is left to earn on",
                lines: [line("RX", "rx", 800_00), line("VIT", "vitamins", 200_00)], balance: 1_000_00, redeem: .max, discount: 0,
                redeemed: 200_00, earned: 0),
        Receipt(program: "pharmacy", name: "99 % of a cream in points, 3 % of the 5 ₽ paid",
                lines: [line("CREAM", "cosmetics", 500_00)], balance: 1_000_00, redeem: .max, discount: 0, redeemed: 495_00, earned: 15),

        // A beauty salon: 10 % back; the first-visit code takes 15 % off, and a receipt with a code earns nothing.
        Receipt(program: "beauty-salon", name: "a haircut earns 10 %", lines: [line("CUT", "hair", 2_000_00)], discount: 0, redeemed: 0, earned: 200_00),
        Receipt(program: "beauty-salon", name: "with the first-visit code: −15 %, no points",
                lines: [line("CUT", "hair", 2_000_00)], codes: [PresentedCode(code: "HELLO", status: .valid, promotionId: "first-visit")],
                discount: 300_00, redeemed: 0, earned: 0),
        Receipt(program: "beauty-salon", name: "30 % in points, 10 % of the rest",
                lines: [line("NAILS", "nails", 1_500_00)], balance: 1_000_00, redeem: .max, discount: 0, redeemed: 450_00, earned: 105_00),

        // A restaurant: 5 %, not on alcohol or delivery; points pay up to half, Monday to Thursday, not for alcohol and
        // not on a discounted bill; the business lunch is −10 % on weekdays 12–15.
        Receipt(program: "restaurant", name: "Thursday dinner: half in points, the wine paid in money",
                lines: [line("DINNER", "kitchen", 2_000_00), line("WINE", "alcohol", 1_000_00)], balance: 2_000_00, redeem: .max, discount: 0,
                redeemed: 1_500_00, earned: 25_00),
        Receipt(program: "restaurant", name: "Saturday: points are not spent", lines: [line("DINNER", "kitchen", 2_000_00)], time: saturdayEvening,
                balance: 2_000_00, redeem: .max, discount: 0, redeemed: 0, earned: 100_00),
        Receipt(program: "restaurant", name: "a discounted lunch is not paid with points",
                lines: [line("LUNCH", "lunch", 500_00)], time: thursdayLunch, balance: 1_000_00, redeem: .max, discount: 50_00, redeemed: 0,
                earned: 22_50),

        // An electronics store: a point per 100 ₽, points pay up to 15 %, discounts and points together at most 20 %;
        // accessories −10 %.
        Receipt(program: "electronics-store", name: "a 30,000 ₽ phone earns 300 points", lines: [line("PHONE", "phones", 30_000_00)], discount: 0,
                redeemed: 0, earned: 300_00),
        Receipt(program: "electronics-store", name: "15 % in points, a point per 100 ₽ of the rest",
                lines: [line("PHONE", "phones", 30_000_00)], balance: 10_000_00, redeem: .max, discount: 0, redeemed: 4_500_00, earned: 255_00),
        Receipt(program: "electronics-store", name: "a phone bought on credit for 20,000 ₽ of 30,000 ₽: points on the 10,000 ₽ paid by card",
                lines: [line("PHONE", "phones", 30_000_00)],
                payments: [Payment(method: .card, amountKopecks: 10_000_00), Payment(method: .credit, amountKopecks: 20_000_00)], discount: 0,
                redeemed: 0, earned: 100_00),
        Receipt(program: "electronics-store", name: "headphones −10 %: points only up to 20 % together",
                lines: [line("HEAD", "accessories", 10_000_00)], balance: 10_000_00, redeem: .max, discount: 1_000_00, redeemed: 1_000_00,
                earned: 80_00),

        // A flower shop: 5 %, points pay half of orders from 1,000 ₽; roses −15 % on Wednesdays, and discounted
        // flowers earn nothing.
        Receipt(program: "flower-shop", name: "a 3,000 ₽ bouquet: half in points, 5 % of the rest",
                lines: [line("ROSES", "roses", 3_000_00)], balance: 2_000_00, redeem: .max, discount: 0, redeemed: 1_500_00, earned: 75_00),
        Receipt(program: "flower-shop", name: "Wednesday roses −15 % earn nothing", lines: [line("ROSES", "roses", 3_000_00)], time: wednesday,
                discount: 450_00, redeemed: 0, earned: 0),
        Receipt(program: "flower-shop", name: "a 300 ₽ card is below the 1,000 ₽ to spend", lines: [line("CARD", "cards", 300_00)],
                balance: 1_000_00, redeem: .max, discount: 0, redeemed: 0, earned: 15_00),

        // A furniture store: an accumulative discount of 0.5 % for each 25,000 ₽ bought, at most 17.5 %; delivery and
        // assembly at full price.
        Receipt(program: "furniture-store", name: "a first purchase: no discount yet", lines: [line("SOFA", "sofas", 40_000_00)], discount: 0,
                redeemed: 0, earned: 0),
        Receipt(program: "furniture-store", name: "130,000 ₽ bought: 5 steps, 2.5 % off the table, not the delivery",
                lines: [line("TABLE", "tables", 40_000_00), line("DLV", "delivery", 2_000_00)], qualifying: 130_000_00, discount: 1_000_00,
                redeemed: 0, earned: 0),
        Receipt(program: "furniture-store", name: "2 million ₽ bought: the 17.5 % cap", lines: [line("CHAIR", "chairs", 10_000_00)],
                qualifying: 2_000_000_00, discount: 1_750_00, redeemed: 0, earned: 0),

        // A cosmetics store: 5 %; on the birthday and three days around it −20 %, not with anything else; double points
        // when the previous purchase was within 14 days; points on at most three receipts a day.
        Receipt(program: "cosmetics-store", name: "two days after the birthday: −20 %, 5 % of the 2,400 ₽ paid",
                lines: [line("CREAM", "face", 3_000_00)], facts: CustomerFacts(birthday: LocalDate("1990-11-24")!), discount: 600_00, redeemed: 0,
                earned: 120_00),
        Receipt(program: "cosmetics-store", name: "back within 14 days: double points, 10 % of 3,000 ₽",
                lines: [line("CREAM", "face", 3_000_00)], facts: CustomerFacts(birthday: LocalDate("1990-06-01")!, lastPurchase: LocalDate("2026-11-12")!),
                discount: 0, redeemed: 0, earned: 300_00),
        Receipt(program: "cosmetics-store", name: "the fourth receipt of the day earns nothing",
                lines: [line("SOAP", "body", 300_00)], facts: CustomerFacts(accrualsToday: 3), discount: 0, redeemed: 0, earned: 0),

        // Coffee to go: every 6th coffee free, up to 250 ₽; stamps burn after 60 days without a purchase; no points.
        Receipt(program: "coffee-to-go", name: "two coffees on an empty card: two stamps", lines: [line("CAP", "coffee", 200_00, quantity: 2000)],
                stamps: ["coffee": 0], stampsAfter: ["coffee": 2], discount: 0, redeemed: 0, earned: 0),
        Receipt(program: "coffee-to-go", name: "four stamps and two coffees: the second is the 6th, the cheaper 180 ₽ one is free",
                lines: [line("RAF", "coffee", 320_00), line("AME", "coffee", 180_00)], stamps: ["coffee": 4], stampsAfter: ["coffee": 0],
                discount: 180_00, redeemed: 0, earned: 0),
        Receipt(program: "coffee-to-go", name: "five stamps: a 300 ₽ raf is free up to 250 ₽", lines: [line("RAF", "coffee", 300_00)],
                stamps: ["coffee": 5], stampsAfter: ["coffee": 0], discount: 250_00, redeemed: 0, earned: 0),
        Receipt(program: "coffee-to-go", name: "a croissant alone leaves the card as it is", lines: [line("CRO", "bakery", 150_00)],
                stamps: ["coffee": 5], stampsAfter: ["coffee": 5], discount: 0, redeemed: 0, earned: 0),

        // A shoe store: the 5 % card once purchases add up to 10,000 ₽, for good; not on sale items.
        Receipt(program: "shoe-store", name: "9,999 ₽ bought so far: no card yet", lines: [line("BOOT", "boots", 6_000_00)], qualifying: 9_999_00,
                discount: 0, redeemed: 0, earned: 0),
        Receipt(program: "shoe-store", name: "10,000 ₽ bought: 5 % off 6,000 ₽", lines: [line("BOOT", "boots", 6_000_00)], qualifying: 10_000_00,
                discount: 300_00, redeemed: 0, earned: 0),
        Receipt(program: "shoe-store", name: "with the card: the sale pair at its price, 5 % off the other",
                lines: [line("SNK", "sale", 2_000_00), line("BOOT", "boots", 4_000_00)], qualifying: 25_000_00, discount: 200_00, redeemed: 0,
                earned: 0),

        // A canteen: 3 %; every 10th lunch from 300 ₽ is 20 % off the whole receipt.
        Receipt(program: "canteen", name: "the 9th lunch: a stamp, 3 % of 450 ₽", lines: [line("SOUP", "soups", 150_00), line("MAIN", "mains", 300_00)],
                stamps: ["lunches": 8], stampsAfter: ["lunches": 9], discount: 0, redeemed: 0, earned: 13_50),
        Receipt(program: "canteen", name: "the 10th lunch: 20 % off 450 ₽, 3 % of the 360 ₽ paid",
                lines: [line("SOUP", "soups", 150_00), line("MAIN", "mains", 300_00)], stamps: ["lunches": 9], stampsAfter: ["lunches": 0],
                discount: 90_00, redeemed: 0, earned: 10_80),
        Receipt(program: "canteen", name: "a 250 ₽ coffee is below 300 ₽: no stamp, 3 % of 250 ₽", lines: [line("CAP", "coffee", 250_00)],
                stamps: ["lunches": 9], stampsAfter: ["lunches": 9], discount: 0, redeemed: 0, earned: 7_50),
    ]

    static func program(_ name: String) throws -> ProgramRules {
        try JSONDecoder().decode(ProgramRules.self, from: Data(contentsOf: folder.appendingPathComponent("\(name).json")))
    }

    @Test func everyProgramLoadsIsValidAndIsDescribed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".json") }
        let readme = try String(contentsOf: Self.folder.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(files.count >= 12)
        for file in files {
            let name = String(file.dropLast(5))
            #expect(try Self.program(name).violations() == [], "\(file)")
            #expect(readme.contains("`\(file)`"), "\(file) has a line in the README")
            #expect(Self.receipts.filter { $0.program == name }.count >= 3, "\(file) has three receipts or more")
        }
    }

    @Test(arguments: receipts)
    func aReceiptComesToWhatTheRulesSay(_ receipt: Receipt) throws {
        let rules = try Self.program(receipt.program)
        let tier = rules.tiers.flatMap { levels in levels.level(for: receipt.qualifying).map { levels.tiers[$0] } }
        var context = ReceiptContext(time: receipt.time, storeId: "1", codes: receipt.codes, facts: receipt.facts)
        context.payments = receipt.payments
        context.stamps = receipt.stamps
        if !receipt.ruleFacts.isEmpty {
            var facts = RuleFacts()
            for (fact, value) in receipt.ruleFacts { facts[fact] = value }
            context.purchaseRules = PurchaseRuleFacts(facts: facts, usage: [:])
        }
        let result = ReceiptCalculator.calculate(
            lines: receipt.lines, rules: rules, customer: .init(spendablePoints: receipt.balance, tier: tier, groups: receipt.groups),
            redeem: receipt.redeem, context: context)
        #expect(result.discount == receipt.discount, "\(result.explanation.map { "\($0.sentenceKey) \($0.values)" })")
        #expect(result.redeemedPoints == receipt.redeemed, "\(result.explanation.map { "\($0.sentenceKey) \($0.values)" })")
        #expect(result.earnedPoints == receipt.earned, "\(result.explanation.map { "\($0.sentenceKey) \($0.values)" })")
        var after = receipt.stamps
        for outcome in result.stamps { after[outcome.card] = outcome.after }
        #expect(after == receipt.stampsAfter, "\(result.explanation.map { "\($0.sentenceKey) \($0.values)" })")
    }
}
