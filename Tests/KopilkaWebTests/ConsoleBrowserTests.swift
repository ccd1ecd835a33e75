import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
@testable import KopilkaWeb
import KopilkaWords
import Testing

/// The web console in a real browser (Debian's headless Chromium through chromedriver) against the real `kopilka serve`:
/// what an owner and a cashier do in a day, then every page at phone and desktop width checked for accessibility, fit,
/// HTML validity and links. Screenshots land in `screenshots/` (git-ignored).
@Suite(.serialized) struct ConsoleBrowserTests {
    @Test func anOwnerAndACashierRunTheProgramInTheBrowser() async throws {
        guard KopilkaProcess.isBuilt(), Self.browserInstalled() else { return }
        let f = try await ConsoleFixture(sms: true)
        let browser = try await Browser(.desktop)
        defer { Task { await browser.quit() } }
        let format = Formatting(language: .ru)

        // Signed out, the console sends you to sign in; a wrong password says so and lets no one in.
        try await browser.open(f.base + "/console/dashboard")
        #expect(try await browser.currentURL().contains("/console/sign-in"))
        try await f.shoot(browser, "sign-in")
        try await browser.find("#email").type(f.owner)
        try await browser.find("#password").type("not the password")
        try await browser.find("button[type=submit].primary").click()
        #expect(try await browser.waitFor("#form-error").text() == "Эл. почта или пароль не подходят")
        try await browser.find("#password").type(f.password)
        try await browser.find("button[type=submit].primary").click()
        _ = try await browser.waitFor(".cards")
        #expect(try await browser.currentURL().hasSuffix("/console/dashboard"))
        let session = try await browser.cookies().first { $0.name == "kopilka_session" }
        #expect(session?.httpOnly == true && session?.secure == true && session?.sameSite == "Lax")

        // The dashboard shows the API's figures.
        try await f.shoot(browser, "dashboard")
        let (status, body) = try await f.api("GET", "/v1/analytics/dashboard")
        #expect(status == 200)
        let figures = try JSONDecoder().decode(Dashboard.self, from: body)
        #expect(figures.sales.receipts > 0 && figures.members.total == 400)
        let expected: [String: String] = [
            "members": format.count(figures.members.total), "active30": format.percent(figures.members.active30Bp),
            "quiet": format.count(figures.members.quiet), "frequency": format.points(figures.members.purchasesPerActive30),
            "repeatRate": format.percent(figures.members.repeatRateBp), "receipts": format.count(figures.sales.receipts),
            "sales": format.money(figures.sales.sales), "memberCheck": format.money(figures.sales.memberAverageCheck),
            "issued": format.points(figures.points.issued), "spent": format.points(figures.points.spent),
            "expired": format.points(figures.points.expired), "liability": format.money(figures.points.liabilityKopecks),
            // What the program cost: the discounts and the part paid with points, beside what members paid.
            "cost": format.money(figures.sales.discount + figures.sales.redeemedKopecks), "memberSales": format.money(figures.sales.memberSales),
            "refunds": format.money(figures.sales.refunds),
        ]
        for (figure, value) in expected {
            #expect(try await browser.find("[data-figure=\(figure)] .card-value").text() == value, "\(figure)")
        }
        let sources = try await browser.findAll("#sources tbody tr").asyncMap { try await $0.text() }
        #expect(sources.count == 5 && sources[0].contains(format.points(figures.points.sources.purchases)), "\(sources)")
        let firstStore = try await browser.find("#stores tbody tr td:nth-child(2)").text()
        #expect(firstStore == format.count(figures.stores[0].receipts))
        // Its tables as Russian Excel opens them: the byte order mark, `;`, Russian headers, a decimal comma.
        let csv = try await browser.executeAsync(
            "const done = arguments[arguments.length - 1]; fetch('/console/dashboard.csv?table=stores').then(r => r.arrayBuffer()).then(b => done(Array.from(new Uint8Array(b))), e => done([]));"
        ) as? [Any] ?? []
        let bytes = csv.compactMap { ($0 as? Int).map(UInt8.init) }
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        let lines = String(decoding: bytes.dropFirst(3), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.first == "Код магазина;Магазин;Чеков;Продажи, ₽;Чеков участников;Средний чек, ₽")
        let sales = figures.stores[0].sales
        #expect(lines.count > 1 && lines[1].hasSuffix(";") == false && lines[1].contains(";\(sales / 100),\(sales % 100 < 10 ? "0" : "")\(sales % 100);"))

        // A setting changed in the form is the program's new version; a bad value is refused next to its field.
        try await browser.open(f.base + "/console/program")
        let version = try await browser.find("input[name=version]").attribute("value") ?? ""
        try await browser.find("#lifetimeDays").clear()
        try await browser.find("#lifetimeDays").type("-3")
        try await browser.find("form.settings button[type=submit]").click()
        #expect(try await browser.waitFor("#lifetimeDays-error").text() == "Целое число дней, 0 или больше")
        #expect(try await browser.find("input[name=version]").attribute("value") == version)
        // 7 %, receipts from 100 ₽, no points with a promo code: saved twice below (again after a restore).
        func saveSevenPercent() async throws {
            try await browser.find("#accrualRate").clear()
            try await browser.find("#accrualRate").type("7")
            try await browser.find("#minAccrualReceipt").clear()
            try await browser.find("#minAccrualReceipt").type("100")
            try await browser.find("input[name=accrueWithCodes]").click()
            try await browser.find("form.settings button[type=submit]").click()
            _ = try await browser.waitFor(".notice")
        }
        try await browser.open(f.base + "/console/program")
        try await saveSevenPercent()
        #expect(try await browser.find("#preview").text().contains("начислит 70 баллов"))
        let (_, programBody) = try await f.api("GET", "/v1/program")
        let program = try JSONDecoder().decode(ProgramView.self, from: programBody)
        #expect(program.rules.accrualRateBp == 700 && String(program.version) == String((Int(version) ?? 0) + 1))
        #expect(program.rules.minAccrualReceiptKopecks == 100_00 && !program.rules.accrueWithCodes && program.rules.accrueOnDiscountedLines)
        #expect(!program.rules.accrueOnRedeemedPart && !program.rules.earnOrSpend, "an unticked box stays unticked")
        // The version log says it in the form's words, and who saved it; the demo's levels are warned about.
        let newestVersion = try await browser.find("#versions tbody tr").text()
        let before = String(format: "%d", ((try? JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program/versions/\(version)").1))?.rules.accrualRateBp ?? 0) / 100)
        #expect(newestVersion.contains("Начислять, % от оплаченного: \(before) → 7") && newestVersion.contains("Ольга Смирнова"), "\(newestVersion)")
        #expect(!newestVersion.contains("Bp") && !newestVersion.contains("Kopecks"), "\(newestVersion)")
        #expect(try await browser.findAll("#warnings").isEmpty, "no levels yet, nothing to warn of")
        try await f.shoot(browser, "program")
        // The version before can be made current again: a new version with its settings.
        try await browser.open(f.base + "/console/program")
        try await browser.execute("window.confirm = () => true")
        try await browser.find("#versions tbody tr:nth-child(2) form button").click()
        _ = try await browser.waitFor(".notice")
        let restored = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1)
        #expect(String(restored.version) == String((Int(version) ?? 0) + 2) && restored.rules.accrualRateBp != 700)
        // Back to 7 % for what follows.
        try await saveSevenPercent()

        // The rest of the main form: a band that is not a number is refused beside its field; then payments that earn
        // nothing, reminders before expiry and "bring a friend" are saved, and the other settings kept.
        try await browser.find("#band1From").type("сто")
        try await browser.find("#band1Rate").type("1")
        try await browser.find("form.settings button[type=submit]").click()
        #expect(try await browser.waitFor("#band1From-error").text() == "Число, например 5 или 2,5")
        try await browser.open(f.base + "/console/program")
        try await browser.find("input[name=noAccrual-credit]").click()
        for (field, value) in [("expiryReminderDays", "7"), ("referrerPoints", "150"), ("friendPoints", "50"), ("referralLevel1", "2")] {
            try await browser.find("#\(field)").clear()
            try await browser.find("#\(field)").type(value)
        }
        try await browser.find("form.settings button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        let saved = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1), more = saved.rules
        #expect(more.accrualExcludedPayments == [.credit] && more.expiryReminderDays == 7 && more.accrualBands.isEmpty)
        #expect(more.referral.map { [$0.referrerPoints, $0.friendPoints, $0.minPurchaseKopecks] } == [150_00, 50_00, 300_00])
        #expect(more.referral?.levelRatesBp == [200] && more.accrualRateBp == 700 && more.stampCards.count == 1)

        // A form without its CSRF token changes nothing.
        try await browser.execute("document.querySelector('form.settings input[name=csrf]').value = 'forged'")
        try await browser.find("form.settings button[type=submit]").click()
        let stale = "Форма устарела: обновите страницу и отправьте её снова."
        #expect(try await browser.waitForText("main p", stale) == stale)
        #expect(try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).version == saved.version)

        // Levels: a threshold below the previous level's is refused beside its row; then two levels are saved.
        try await browser.open(f.base + "/console/program/levels")
        for (field, value) in [("name1", "Базовый"), ("threshold1", "0"), ("rate1", "5"), ("name2", "Серебро"), ("threshold2", "10000"),
                               ("rate2", "7"), ("discount2", "3"), ("name3", "Золото"), ("threshold3", "500"), ("rate3", "10")] {
            try await browser.find("#\(field)").type(value)
        }
        try await browser.find("form.settings button[type=submit]").click()
        #expect(try await browser.waitFor("#row3-error").text() == "Порог должен быть больше, чем у предыдущего уровня")
        try await browser.find("#name3").clear()
        try await browser.find("form.settings button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        let levels = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.tiers
        #expect(levels?.tiers.map(\.name) == ["Базовый", "Серебро"])
        // The main settings page now warns that the levels set the rate.
        try await browser.open(f.base + "/console/program")
        #expect(try await browser.waitFor("#warnings").text().contains("уровни"))
        try await browser.open(f.base + "/console/program/levels")
        #expect(levels?.tiers.last.map { [$0.threshold, $0.accrualRateBp, $0.discountBp ?? -1] } == [10_000_00, 700, 300])
        try await f.shoot(browser, "levels")

        // Levels for one product group: categories are refused beside their field when purchases are counted; by spend they
        // count paint only, and the discount is for paint only. Cleared again for the steps below.
        try await browser.find("#basis option[value=purchases]").click()
        try await browser.find("#itemCategories").type("paint")
        try await browser.find("#discountCategories").type("paint, varnish")
        try await browser.find("form.settings button[type=submit]").click()
        #expect(try await browser.waitFor("#itemCategories-error").text() == "Покупки считаются чеками целиком; оставьте категории пустыми или считайте товары")
        try await browser.find("#basis option[value=spend]").click()
        try await browser.find("form.settings button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        let paint = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.tiers
        #expect(paint?.itemCategories == ["paint"] && paint?.discountLines == LineScope(categories: ["paint", "varnish"]))
        try await browser.open(f.base + "/console/program/levels")  // without the saved notice, so the next wait is for the next save
        // Saved categories come back as ticked boxes, marked as on no receipt (the demo's tills send coffee, bakery, …).
        let ticked = try await browser.findAll("input[name=discountCategories]:checked")
        #expect(try await ticked.asyncMap { try await $0.attribute("value") ?? "" } == ["paint", "varnish"])
        #expect(try await browser.find("fieldset.pick:has(input[name=discountCategories]) .tag.warn").text() == "нет в чеках")
        for box in try await browser.findAll("input[name=itemCategories]:checked") + ticked { try await box.click() }
        try await browser.find("form.settings button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        let cleared = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.tiers
        #expect(cleared?.itemCategories == [] && cleared?.discountLines == nil && cleared?.tiers.count == 2)

        // A calendar period saves without a window (only a rolling window has days; one beside a quarter is refused);
        // then back to the rolling year.
        for period in ["quarter", "rolling"] {
            try await browser.open(f.base + "/console/program/levels")
            try await browser.find("#period option[value=\(period)]").click()
            try await browser.find("form.settings button[type=submit]").click()
            _ = try await browser.waitFor(".notice")
            let saved = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.tiers
            #expect(saved?.period.rawValue == period && saved?.windowDays == 365 && saved?.tiers.count == 2)
        }

        // Promotions: a happy hour on weekday mornings, then switched off.
        try await browser.open(f.base + "/console/program/promotions")
        try await browser.find("#name").type("Утренний кофе")
        try await browser.find("#value").type("20")
        try await browser.find("input[name=categories][value=coffee]").click()
        for day in 1...5 { try await browser.find("input[name=day\(day)]").click() }
        try await browser.execute("document.querySelector('#hoursFrom').value = '08:00'; document.querySelector('#hoursTo').value = '11:00'")
        try await browser.find("form.settings button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        var promotion = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.promotions.last
        #expect(promotion?.name == "Утренний кофе" && promotion?.reward.percentBp == 2000 && promotion?.enabled == true)
        #expect(promotion?.when?.weekdays == [1, 2, 3, 4, 5] && promotion?.when?.hours?.description == "08:00–11:00")
        #expect(promotion?.lines?.categories == ["coffee"])
        #expect(try await browser.find("#promotions tbody tr:last-child td:nth-child(3)").text() == "пн, вт, ср, чт, пт; 08:00–11:00")
        try await f.shoot(browser, "promotions")
        try await browser.open(f.base + "/console/program/promotions")  // without the saved notice, so the next wait is for the switch
        try await browser.find("#promotions tbody tr:last-child form[action$='/switch'] button").click()
        _ = try await browser.waitFor(".notice")
        promotion = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.promotions.last
        #expect(promotion?.enabled == false)

        // Stamps: "every 6th tea free, up to 150 ₽"; a card of one stamp is refused beside its field.
        try await browser.open(f.base + "/console/program/stamps")
        try await browser.find("#name").type("Каждый 6-й чай")
        try await browser.find("#categories").type("tea")
        try await browser.find("#value").type("150")
        try await browser.find("#every").clear()
        try await browser.find("#every").type("1")
        try await browser.find("form.settings button[type=submit]").click()
        #expect(try await browser.waitFor("#every-error").text() == "Целое число от 2 до 100")
        try await browser.find("#every").clear()
        try await browser.find("#every").type("6")
        try await browser.find("form.settings button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        let tea = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).rules.stampCards.last
        #expect(tea?.name == "Каждый 6-й чай" && tea?.every == 6 && tea?.maxRewardKopecks == 150_00 && tea?.reward == .freeItem && tea?.enabled == true)
        #expect(tea?.lines?.categories == ["tea"] && tea?.id == "stamps-1")
        #expect(try await browser.find("#stamp-cards tbody tr:last-child td:nth-child(2)").text() == "каждый 6-й товар: бесплатно до 150 ₽")

        // All rules as JSON: a value out of range is listed by field and saves nothing; a valid edit is a new version.
        try await browser.open(f.base + "/console/program/rules")
        let rulesVersion = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).version
        try await browser.execute("var t = document.querySelector('#rules'); var r = JSON.parse(t.value); r.maxRedeemShareBp = 20000; t.value = JSON.stringify(r)")
        try await browser.find("button[type=submit].primary").click()
        // The JSON editor names the JSON field, and says the limit in the owner's units.
        #expect(try await browser.waitFor(".problems li").text() == "maxRedeemShareBp: от 0 % до 100 %")
        #expect(try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1).version == rulesVersion)
        try await browser.open(f.base + "/console/program/rules")
        try await browser.execute("var t = document.querySelector('#rules'); var r = JSON.parse(t.value); r.minPayableKopecks = 500; t.value = JSON.stringify(r)")
        try await browser.find("button[type=submit].primary").click()
        _ = try await browser.waitFor(".notice")
        let edited = try JSONDecoder().decode(ProgramView.self, from: try await f.api("GET", "/v1/program").1)
        #expect(edited.version == rulesVersion + 1 && edited.rules.minPayableKopecks == 500)
        try await f.shoot(browser, "rules")

        // The web cashier: the same figures the till's calculate gives, then a sale in the customer's history.
        try await browser.open(f.base + "/console/cashier")
        let storeId = try await browser.find("#store").property("value") as? String ?? ""
        try await browser.find("#customer").type(f.samplePhone + Browser.Key.enter)
        _ = try await browser.waitFor("#customer-box")
        try await browser.find("#amount").type("1000")
        try await browser.find("#redeem").type("max")
        try await browser.find("#calculate").click()
        let earnedText = try await browser.waitFor("#calc-earned").text()
        let (_, calculated) = try await f.api(
            "POST", "/v1/receipts/calculate",
            body: #"{"storeId":"\#(storeId)","customer":{"phone":"\#(f.samplePhone)"},"lines":[{"sku":"web-cashier","quantity":1000,"price":100000}],"redeem":"max"}"#)
        let till = (try JSONSerialization.jsonObject(with: calculated) as? [String: Any])?["calculation"] as? [String: Any] ?? [:]
        let tillEarned = (till["earnedPoints"] as? Int).map { format.points(Int64($0)) }
        #expect(earnedText == tillEarned, "page \(earnedText), till \(String(decoding: calculated, as: UTF8.self))")
        #expect(try await browser.find("#calc-payable").text() == (till["payable"] as? Int).map { format.money(Int64($0)) })
        try await f.shoot(browser, "cashier")
        try await browser.find("#commit").click()
        _ = try await browser.waitFor("#receipt-earned")
        #expect(try await browser.waitForText(".notice", "Чек проведён.") == "Чек проведён.")
        #expect(try await browser.find("#receipt-earned").text() == earnedText)
        let receiptURL = try await browser.currentURL()
        try await f.shoot(browser, "receipt")
        try await browser.find("#receipt-customer").click()
        _ = try await browser.waitFor("#history")
        let newest = try await browser.findAll("#history tbody tr")
        let rows = try await newest.prefix(2).asyncMap { try await $0.text() }
        #expect(rows.contains { $0.contains("Начисление") && $0.contains(earnedText) }, "\(rows)")
        try await f.shoot(browser, "customer")

        // A return from the receipt's page (the confirmation answered yes).
        try await browser.open(receiptURL.components(separatedBy: "?")[0])
        try await browser.execute("window.confirm = () => true")
        let paidText = try await browser.find("#receipt-payable").text()
        let number = try await browser.find("h1 .mono").text()
        try await browser.find("button.danger").click()
        try await browser.waitForURL { $0.contains("returned=") }
        // The whole receipt back: the money it was paid, and the points it earned taken back.
        #expect(try await browser.waitFor("#give-back").text() == paidText)
        #expect(try await browser.find("#reversed").text() == earnedText)
        #expect(try await browser.findAll("#returns tbody tr").count == 1)
        try await f.shoot(browser, "receipt-returned-all")

        // The journal finds it again by its number, returned.
        try await browser.open(f.base + "/console/receipts")
        _ = try await browser.waitFor("#receipts")
        try await f.shoot(browser, "journal")
        try await browser.find("#number").type(number)
        try await browser.find("form.filters button[type=submit]").click()
        try await browser.waitForURL { $0.contains("number=") }
        let found = try await browser.findAll("#receipts tbody tr")
        #expect(found.count == 1)
        #expect(try await found.first?.text().contains("возвращён полностью") == true)
        try await browser.find("#receipts tbody tr a").click()
        _ = try await browser.waitFor("#returns")

        // Paid 400 ₽ by gift certificate and the rest on credit, which this program does not reward: the page sends the
        // payments as a till would, and earns what the till's calculate gives for them (less than with no payments).
        try await browser.open(f.base + "/console/cashier")
        try await browser.find("#customer").type(f.samplePhone)
        try await browser.find("#amount").type("1000")
        try await browser.find("details.more summary").click()
        try await browser.execute("document.querySelector('#payment').value = 'credit'")
        try await browser.find("#certificate").type("400")
        try await browser.find("#calculate").click()
        let creditEarned = try await browser.waitFor("#calc-earned").text()
        func tillCalculates(_ payments: String) async throws -> (earned: String, payable: Int) {
            let body = #"{"storeId":"\#(storeId)","customer":{"phone":"\#(f.samplePhone)"},"lines":[{"sku":"web-cashier","quantity":1000,"price":100000}]\#(payments)}"#
            let answer = try JSONSerialization.jsonObject(with: try await f.api("POST", "/v1/receipts/calculate", body: body).1) as? [String: Any]
            let calculation = answer?["calculation"] as? [String: Any] ?? [:]
            return (format.points(Int64(calculation["earnedPoints"] as? Int ?? -1)), calculation["payable"] as? Int ?? 0)
        }
        let unsaid = try await tillCalculates("")
        let split = #","payments":[{"method":"certificate","amountKopecks":40000},{"method":"credit","amountKopecks":\#(unsaid.payable - 40000)}]"#
        #expect(try await tillCalculates(split).earned == creditEarned)
        #expect(unsaid.earned != creditEarned)

        // A sale by items from the catalogue (two cups by two taps, a croissant found by name, a line typed by hand): the
        // page's figures equal the till's for the same lines, and its reasons read in Russian; then one cup goes back.
        try await browser.open(f.base + "/console/cashier")
        try await browser.find("#customer").type(f.samplePhone + Browser.Key.enter)
        _ = try await browser.waitFor("#customer-box")
        for _ in 0..<2 {
            try await browser.reloadingPage { try await browser.find("button[name=add][value='CAP-300']").click() }
        }
        #expect(try await browser.find("#line1quantity").property("value") as? String == "2")
        try await browser.reloadingPage { try await browser.find("#find").type("круассан" + Browser.Key.enter) }
        try await browser.reloadingPage { try await browser.find("#add-line").click() }
        for (field, value) in [("line3name", "Вода"), ("line3category", "drinks"), ("line3price", "80,50"), ("redeem", "50")] {
            try await browser.find("#\(field)").type(value)
        }
        try await browser.reloadingPage { try await browser.find("#calculate").click() }
        let itemsEarned = try await browser.waitFor("#calc-earned").text()
        let (_, itemsCalculated) = try await f.api(
            "POST", "/v1/receipts/calculate",
            body: #"{"storeId":"\#(storeId)","customer":{"phone":"\#(f.samplePhone)"},"lines":[{"sku":"CAP-300","name":"Капучино 300 мл","category":"coffee","quantity":2000,"price":22000},{"sku":"CRO-1","name":"Круассан","category":"bakery","quantity":1000,"price":15000},{"sku":"Вода","name":"Вода","category":"drinks","quantity":1000,"price":8050}],"redeem":5000}"#)
        let itemsTill = (try JSONSerialization.jsonObject(with: itemsCalculated) as? [String: Any])?["calculation"] as? [String: Any] ?? [:]
        #expect(itemsEarned == (itemsTill["earnedPoints"] as? Int).map { format.points(Int64($0)) }, "\(String(decoding: itemsCalculated, as: UTF8.self))")
        #expect(try await browser.find("#calc-payable").text() == (itemsTill["payable"] as? Int).map { format.money(Int64($0)) })
        let reasons = try await browser.findAll("#calc-reasons li").asyncMap { try await $0.text() }
        #expect(reasons.contains { $0.contains("баллов") } && !reasons.contains { $0.contains(" of ") || $0.contains("points") }, "\(reasons)")
        try await f.shoot(browser, "cashier-items")
        try await browser.find("#commit").click()
        _ = try await browser.waitFor("#receipt-earned")
        let itemsReceiptId = try await f.shownReceipt(browser).id
        try await browser.execute("window.confirm = () => true")
        try await browser.find("#return1").type("1")
        try await browser.find("button[value=selected]").click()
        #expect(try await browser.waitFor("#give-back").text().hasSuffix("₽"))
        let (_, returnedBody) = try await f.api("GET", "/v1/receipts/\(itemsReceiptId)")
        let returnedLines = (try JSONSerialization.jsonObject(with: returnedBody) as? [String: Any])?["lines"] as? [[String: Any]] ?? []
        #expect(returnedLines.map { $0["returnedQuantity"] as? Int } == [1000, 0, 0], "\(String(decoding: returnedBody, as: UTF8.self))")
        try await f.shoot(browser, "receipt-returned")

        // Spending confirmed by a code from an SMS: the program asks for it; a promo code that does not exist is
        // explained and refused, then the receipt goes through with the code the customer received.
        try await browser.open(f.base + "/console/program/rules")
        try await browser.execute("var t = document.querySelector('#rules'); var r = JSON.parse(t.value); r.protection.confirmSpending = true; t.value = JSON.stringify(r)")
        try await browser.find("button[type=submit].primary").click()
        _ = try await browser.waitFor(".notice")
        try await browser.open(f.base + "/console/cashier")
        try await browser.find("#customer").type(f.samplePhone + Browser.Key.enter)
        _ = try await browser.waitFor("#customer-box")
        try await browser.find("details.more summary").click()
        for (field, value) in [("amount", "500"), ("redeem", "10"), ("codes", "NOSUCHCODE")] {
            try await browser.find("#\(field)").type(value)
        }
        try await browser.find("#calculate").click()
        let codeReasons = try await browser.waitFor("#calc-reasons").text()
        #expect(codeReasons.contains("код NOSUCHCODE: такого кода нет"), "\(codeReasons)")
        #expect(try await browser.findAll("#confirmation").count == 1, "the code's field is offered when points are spent")
        try await browser.find("#codes").clear()
        try await browser.find("#commit").click()
        #expect(try await browser.waitFor("#form-error").text() == "Программа просит подтвердить списание кодом из SMS: отправьте код покупателю и введите его")
        try await browser.find("button[value=sendCode]").click()
        _ = try await browser.waitFor("#code-sent")
        try await browser.find("#confirmation").type(try #require(try f.lastCode(to: f.samplePhone)))
        try await f.shoot(browser, "cashier-confirm")
        try await browser.find("#commit").click()
        #expect(try await browser.waitForText(".notice", "Чек проведён.") == "Чек проведён.")
        #expect(try await browser.find("#receipt-redeemed").text() == "10")

        // Staff: the owner adds a marketer and sees the password once (the marketer signs in with it below).
        try await browser.open(f.base + "/console/staff")
        try await browser.find("#name").type("Мария Петрова")
        try await browser.find("#email").type("Maria@Example.ru")
        try await browser.execute("document.querySelector('#role').value = 'marketer'")
        try await browser.find("form.adjust button[type=submit]").click()
        let issuedPassword = try await browser.waitFor("#issued-password").text()
        #expect(issuedPassword.count == 14)
        #expect(try await browser.findAll("#staff tbody tr").asyncMap { try await $0.text() }.contains { $0.contains("maria@example.ru") })
        try await f.shoot(browser, "staff")

        // English on request, remembered.
        try await browser.open(f.base + "/console/dashboard?lang=en")
        #expect(try await browser.find("main h1").text() == "Dashboard")
        try await browser.open(f.base + "/console/customers")
        #expect(try await browser.find("main h1").text() == "Customers")
        try await browser.open(f.base + "/console/customers?lang=ru")

        // A cashier works the till and finds customers, and cannot open the dashboard.
        try await browser.find("header form button").click()
        try await f.signIn(browser, as: f.cashier)
        #expect(try await browser.currentURL().hasSuffix("/console/cashier"))
        try await browser.open(f.base + "/console/dashboard")
        #expect(try await browser.find("main p").text() == "Этот раздел недоступен для вашей роли.")

        // The new marketer signs in with the issued password, opens the dashboard, and cannot manage staff.
        try await browser.find("header form button").click()
        try await f.signIn(browser, as: "maria@example.ru", password: issuedPassword)
        #expect(try await browser.currentURL().hasSuffix("/console/dashboard"))
        #expect(try await browser.findAll("a[href='/console/staff']").isEmpty)
        try await browser.open(f.base + "/console/staff")
        #expect(try await browser.find("main p").text() == "Этот раздел недоступен для вашей роли.")
        await browser.quit()
    }

    @Test func everyPageIsAccessibleValidAndFitsAPhone() async throws {
        guard KopilkaProcess.isBuilt(), Self.browserInstalled() else { return }
        guard let axePath = ProcessInfo.processInfo.environment["AXE_JS"], let vnu = ProcessInfo.processInfo.environment["VNU_JAR"] else {
            Issue.record("AXE_JS and VNU_JAR are not set: run the tests with scripts/test (scripts/setup-browser prints them)")
            return
        }
        let axe = try String(contentsOfFile: axePath, encoding: .utf8)
        let f = try await ConsoleFixture()
        let customer = try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=\(f.samplePhone.replacingOccurrences(of: "+", with: "%2B"))", key: f.adminKey).1
        ) as? [String: Any]
        let customerId = customer?["id"] as? String ?? ""
        let pages = [
            ("sign-in", "/console/sign-in"), ("dashboard", "/console/dashboard"), ("program", "/console/program"),
            ("customers", "/console/customers?q=%D0%90"), ("customer", "/console/customers/\(customerId)"), ("cashier", "/console/cashier"),
            ("levels", "/console/program/levels"), ("staff", "/console/staff"), ("promotions", "/console/program/promotions"), ("rules", "/console/program/rules"),
            ("stamps", "/console/program/stamps"), ("join-qr", "/console/join"), ("join-poster", "/console/join/poster"),
            ("audit", "/console/audit"), ("journal", "/console/receipts"), ("catalogue", "/console/program/catalogue"),
        ]
        for viewport in [Viewport.phone, .desktop] {
            let browser = try await Browser(viewport)
            for (name, path) in pages {
                if name == "dashboard" { try await f.signIn(browser, as: f.owner) }
                try await browser.open(f.base + path)
                _ = try await browser.waitFor("main h1")
                try await f.shoot(browser, name)
                let overflow = try await browser.overflowingElements()
                #expect(!overflow.scrollsHorizontally, "\(name) at \(viewport.width): \(overflow)")
                let violations = try await browser.axeViolations(axeScript: axe)
                #expect(violations.isEmpty, "\(name) at \(viewport.width): \(violations)")
                if viewport.width > 400 {
                    let scrollers = try await browser.sidewaysScrollers()
                    #expect(scrollers.isEmpty, "\(name) at \(viewport.width): tables to scroll sideways: \(scrollers)")
                    try await f.keepSource(browser, path, as: name)
                    // Every link and resource of the page answers.
                    let targets = try await browser.execute(
                        """
                        return [...document.querySelectorAll('a[href], link[href], script[src]')]
                          .map(e => e.getAttribute('href') || e.getAttribute('src')).filter(u => u.startsWith('/'));
                        """) as? [Any] ?? []
                    for target in Set(targets.compactMap { $0 as? String }) {
                        let status = try await browser.executeAsync(
                            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => done(r.status), e => done(0));", [target])
                        #expect(status as? Int == 200, "\(name): \(target) answered \(String(describing: status))")
                    }
                }
            }
            // Keyboard: from the top of the page, Tab reaches the skip link first and then the navigation.
            try await browser.open(f.base + "/console/dashboard")
            try await browser.pressTab()
            #expect(try await browser.activeElement().attribute("class") == "skip")
            try await browser.pressTab()
            #expect(try await browser.activeElement().attribute("class") == "brand")
            await browser.quit()
        }
        // The HTML as sent, through the Nu validator (the cabinet's pages too, when its test has run).
        let (files, errors) = try f.validateKeptPages(vnu: vnu)
        #expect(files >= pages.count)
        #expect(errors == nil, "\(errors ?? "")")
    }

    @Test func aCustomerSignsInWithACodeAndManagesTheirData() async throws {
        guard KopilkaProcess.isBuilt(), Self.browserInstalled() else { return }
        guard let axePath = ProcessInfo.processInfo.environment["AXE_JS"], let vnu = ProcessInfo.processInfo.environment["VNU_JAR"] else {
            Issue.record("AXE_JS and VNU_JAR are not set: run the tests with scripts/test (scripts/setup-browser prints them)")
            return
        }
        let axe = try String(contentsOfFile: axePath, encoding: .utf8)
        let f = try await ConsoleFixture(sms: true)
        let format = Formatting(language: .ru)
        let phoneQuery = f.samplePhone.replacingOccurrences(of: "+", with: "%2B")
        let before = try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=\(phoneQuery)", key: f.adminKey).1) as? [String: Any]
        let customerId = try #require(before?["id"] as? String)
        let spendable = ((before?["balance"] as? [String: Any])?["spendable"] as? Int).map { format.points(Int64($0)) }
        let browser = try await Browser(.phone)

        // A wrong code is refused; the code from the SMS lets the customer in.
        let cabinet = f.base + "/cabinet/\(f.merchantId)"
        try await browser.open(cabinet)
        #expect(try await browser.currentURL().hasSuffix("/sign-in"))
        try await f.shoot(browser, "cabinet-sign-in")
        try await f.keepSource(browser, "/cabinet/\(f.merchantId)/sign-in", as: "cabinet-sign-in")
        try await browser.find("#phone").type(f.samplePhone)
        try await browser.find("button[type=submit]").click()
        _ = try await browser.waitFor("#code-sent")
        let code = try #require(try f.lastCode(to: f.samplePhone))
        try await browser.find("#code").type(code == "000000" ? "111111" : "000000")
        try await browser.find("button[type=submit]").click()
        #expect(try await browser.waitFor("#code-error").text() == "Код не подходит или устарел")
        try await browser.open(cabinet + "/sign-in")
        try await browser.find("#phone").type(f.samplePhone)
        try await browser.find("button[type=submit]").click()
        _ = try await browser.waitFor("#code")
        try await browser.find("#code").type(try #require(try f.lastCode(to: f.samplePhone)))
        try await browser.find("button[type=submit]").click()
        _ = try await browser.waitFor(".barcode")

        // The balance is the till's; the page is accessible and fits the phone.
        #expect(try await browser.find("[data-figure=spendable] .card-value").text() == spendable)
        // So is the demo's stamp card ("every 7th coffee free"): stamps of the six before the reward.
        let stamps = try #require((before?["stamps"] as? [[String: Any]])?.first)
        #expect(try await browser.find("[data-figure=stamps] .card-value").text() == "\(stamps["stamps"] as? Int ?? -1) / 6")
        #expect(try await browser.findAll("[data-figure=stamps] .stamp.filled").count == stamps["stamps"] as? Int)
        // The demo rewards bringing a friend: the cabinet says how, and counts the friends.
        #expect(Int(try await browser.find("#referral-friends").text()) != nil)
        try await f.shoot(browser, "cabinet")
        try await f.keepSource(browser, "/cabinet/\(f.merchantId)", as: "cabinet")
        #expect(try await browser.axeViolations(axeScript: axe).isEmpty)
        #expect(try await !browser.overflowingElements().scrollsHorizontally)
        let export = try await browser.executeAsync(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.json()).then(j => done(j.profile.card), e => done('ERROR ' + e));",
            ["/cabinet/\(f.merchantId)/export"])
        #expect((export as? String)?.count == 13)

        // Marketing withdrawn by the customer is what the merchant's API shows. The demo draws who agreed, and its days
        // follow the calendar, so the sample customer may not have agreed: then they agree first.
        if try await browser.find("#marketing").property("checked") as? Bool != true {
            try await browser.find("#marketing").click()
            try await browser.find("form[action$='/consent'] button").click()
            try await browser.waitForURL { $0.hasSuffix("consent=1") }
        }
        #expect(try await browser.find("#marketing").property("checked") as? Bool == true)
        try await browser.find("#marketing").click()
        try await browser.find("form[action$='/consent'] button").click()
        _ = try await browser.waitFor(".notice")
        // The page the form leads to shows the box unticked (the notice may be the previous page's).
        for _ in 0..<50 where (try? await browser.find("#marketing").property("checked") as? Bool) != false {
            try await Task.sleep(for: .milliseconds(100))
        }
        let profile = try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/\(customerId)", key: f.adminKey).1) as? [String: Any]
        #expect((profile?["consents"] as? [String: Any])?["marketing"] as? Bool == false)

        // Erasure needs the confirmation; then the personal data is gone and the cabinet is closed.
        try await browser.find("form#erase button").click()
        for _ in 0..<50 where try await !browser.currentURL().hasSuffix("#erase") { try await Task.sleep(for: .milliseconds(100)) }
        #expect(try await browser.currentURL().hasSuffix("#erase"))
        try await browser.open(cabinet)
        try await browser.find("#confirm-erase").click()
        try await browser.find("form#erase button").click()
        #expect(try await browser.waitForText(".notice", "Ваши личные данные удалены.") == "Ваши личные данные удалены.")
        let erased = try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/\(customerId)", key: f.adminKey).1) as? [String: Any]
        #expect(erased?["erasedAt"] != nil && erased?["phone"] == nil)
        try await browser.open(cabinet)
        #expect(try await browser.currentURL().hasSuffix("/sign-in"))
        await browser.quit()
        let (files, errors) = try f.validateKeptPages(vnu: vnu)
        #expect(files >= 2)
        #expect(errors == nil, "\(errors ?? "")")
    }

    /// Whether Chromium is here; records an issue (the test fails, it is not skipped) when it is not.
    static func browserInstalled() -> Bool {
        guard Browser.isAvailable else {
            Issue.record("Chromium and chromedriver are missing: scripts/test installs them (scripts/setup-browser)")
            return false
        }
        return true
    }
}
