import Foundation
import KopilkaCore
import KopilkaTesting
@testable import KopilkaWeb
import KopilkaWords
import Testing

/// The web cashier at the counter, in Chromium on a phone: the actions a sale takes, counted as a cashier makes them
/// (a field typed, Enter included, is one; a tap is one), from the blank form to the slip.
@Suite(.serialized) struct CashierBrowserTests {
    /// Counts what the cashier does: each field typed into and each tap.
    final class Actions: @unchecked Sendable {
        let browser: Browser
        private(set) var count = 0, keys = 0
        init(_ browser: Browser) { self.browser = browser }

        /// Types into the field with the cursor (the page puts it where the cashier goes next) and presses Enter.
        func typeAndEnter(_ text: String, expectFocus id: String) async throws {
            #expect(try await browser.activeElement().attribute("id") == id, "the cursor waits in #\(id)")
            count += 1
            keys += text.count + 1
            try await browser.reloadingPage { try await browser.sendKeys(text + Browser.Key.enter) }
        }

        func tap(_ css: String) async throws {
            count += 1
            try await browser.reloadingPage { try await browser.find(css).click() }
        }
    }

    /// A sale of the total for a known customer spending their points takes 3 actions (target ≤ 4); two items from the
    /// catalogue take 4 (target ≤ 8). Each ends on the slip, whose figures are the receipt's.
    @Test func aSaleAtTheCounterTakesFewActions() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        let f = try await ConsoleFixture()
        let browser = try await Browser(.phone)
        defer { Task { await browser.quit() } }
        try await f.signIn(browser, as: f.cashier)
        let format = Formatting(language: .ru)

        // The total only: the customer's phone, the sum, and «spend and commit».
        try await browser.open(f.base + "/console/cashier")
        try await f.shoot(browser, "cashier-blank")
        let total = Actions(browser)
        try await total.typeAndEnter(f.samplePhone, expectFocus: "customer")
        #expect(try await browser.find("#calc-customer").text().contains("карта"))
        let balanceBefore = try await browser.find("#calc-balance").text()
        try await f.shoot(browser, "cashier-identified")
        try await total.typeAndEnter("1000", expectFocus: "amount")
        let spendable = try await browser.find("#calc-max").text()
        try await f.shoot(browser, "cashier-total")
        try await total.tap("#commit-max")
        #expect(total.count == 3 && total.count <= 4, "a total-only sale took \(total.count) actions")
        print("total-only sale: \(total.count) actions, \(total.keys) keys")
        let receipt = try await f.shownReceipt(browser).body
        #expect(receipt["amount"] as? Int == 100_000)
        #expect((receipt["redeemedPoints"] as? Int).map { format.points(Int64($0)) } == spendable)
        #expect(try await browser.find("#slip-payable").text() == (receipt["payable"] as? Int).map { format.money(Int64($0)) })
        #expect(try await browser.find("#slip-balance").text() != balanceBefore, "the slip gives the balance after the sale")
        #expect(try await browser.find("#print-slip").isDisplayed())
        try await f.shoot(browser, "cashier-slip")

        // Two items: the customer, two taps on the catalogue's items, commit.
        try await browser.find("#next-sale").click()
        _ = try await browser.waitFor("#customer")
        let items = Actions(browser)
        try await items.typeAndEnter(f.samplePhone, expectFocus: "customer")
        try await items.tap("button[name=add][value='LAT-400']")
        try await items.tap("button[name=add][value='CHE-1']")
        #expect(try await browser.find("#lines-total").text() == format.money(260_00 + 310_00))
        try await f.shoot(browser, "cashier-two-items")
        // The stamp card's line in the result wraps instead of pushing its figure off a phone's screen.
        #expect(try await browser.findAll(".calc-stamps").count == 1)
        let overflow = try await browser.overflowingElements()
        #expect(!overflow.scrollsHorizontally, "\(overflow)")
        try await items.tap("#commit")
        #expect(items.count == 4 && items.count <= 8, "a two-item sale took \(items.count) actions")
        print("two-item sale: \(items.count) actions, \(items.keys) keys")
        let lines = try await f.shownReceipt(browser).body["lines"] as? [[String: Any]] ?? []
        #expect(lines.map { $0["sku"] as? String } == ["LAT-400", "CHE-1"] && lines.map { $0["price"] as? Int } == [260_00, 310_00])
        #expect(try await browser.findAll("#slip tbody tr").count == 2)
    }

    /// The owner adds an item for the web cashier with its price; the cashier finds it by name, typed in any case, and
    /// sells it; a name the catalogue does not have is refused beside the search box.
    @Test func anItemTheOwnerAddsIsSoldByName() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        let f = try await ConsoleFixture()
        let browser = try await Browser(.desktop)
        defer { Task { await browser.quit() } }
        try await f.signIn(browser, as: f.owner)
        try await browser.open(f.base + "/console/program/catalogue")
        try await browser.find("#newName").type("Морс клюквенный")
        try await browser.find("#newCategory").type("drinks")
        try await browser.find("#newPrice").type("0")
        try await browser.reloadingPage { try await browser.find("form[action$='/add'] button[type=submit]").click() }
        #expect(try await browser.find("#newPrice-error").text() == "Цена — число больше нуля, например 199,90")
        try await browser.find("#newPrice").clear()
        try await browser.find("#newPrice").type("120")
        try await browser.reloadingPage { try await browser.find("form[action$='/add'] button[type=submit]").click() }
        #expect(try await browser.find(".notice").text() == "Товар добавлен: веб-касса его предложит.")
        try await f.shoot(browser, "catalogue-added")

        try await browser.open(f.base + "/console/cashier")
        try await browser.reloadingPage { try await browser.find("#find").type("Морс без сахара" + Browser.Key.enter) }
        #expect(try await browser.find("#find-error").text() == "Такого товара нет в каталоге: добавьте строку вручную")
        try await browser.find("#find").clear()
        try await browser.reloadingPage { try await browser.find("#find").type("МОРС КЛЮКВЕННЫЙ" + Browser.Key.enter) }
        #expect(try await browser.find("#line1price").property("value") as? String == "120")
        // Taken away again, then back by its button, and sold to no one in particular.
        try await browser.reloadingPage { try await browser.find("button[name=remove][value='1']").click() }
        #expect(try await browser.findAll("#rows").isEmpty)
        try await browser.reloadingPage { try await browser.find("button[name=add][value='Морс клюквенный']").click() }
        try await browser.reloadingPage { try await browser.find("#commit").click() }
        let line = (try await f.shownReceipt(browser).body["lines"] as? [[String: Any]])?.first ?? [:]
        #expect(line["sku"] as? String == "Морс клюквенный" && line["category"] as? String == "drinks" && line["price"] as? Int == 120_00)
    }

    /// The camera reads the customer's card: Chromium's fake camera shows the card's barcode, the page sends its frames
    /// to the server, zbar reads the number, and the customer is found — one tap instead of typing 13 digits.
    @Test func theCameraReadsTheCustomersCard() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        let f = try await ConsoleFixture()
        let phone = f.samplePhone.replacingOccurrences(of: "+", with: "%2B")
        let customer = try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=\(phone)", key: f.adminKey).1) as? [String: Any]
        let card = try #require(customer?["card"] as? String)
        let video = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-card-\(UUID().uuidString).y4m")
        defer { try? FileManager.default.removeItem(at: video) }
        try Self.barcodeVideo(card).write(to: video)
        let browser = try await Browser(.phone, arguments: [
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--use-file-for-fake-video-capture=\(video.path)",
        ])
        defer { Task { await browser.quit() } }
        try await f.signIn(browser, as: f.cashier)
        try await browser.open(f.base + "/console/cashier")
        let actions = Actions(browser)
        try await actions.tap("#scan")
        #expect(try await browser.waitFor("#calc-customer", timeout: 10).text().contains(card))
        #expect(try await browser.find("#customer").property("value") as? String == card)
        try await actions.typeAndEnter("450", expectFocus: "amount")
        try await actions.tap("#commit")
        #expect(actions.count == 3)
        _ = try await browser.waitFor("#slip")
    }

    /// One still frame of YUV4MPEG2 (what Chromium's fake camera plays): the card number's EAN-13 bars, 4 px a module,
    /// black on white, in the middle of 640 × 480.
    static func barcodeVideo(_ card: String) throws -> Data {
        let modules = try #require(Barcode.modules(card))
        let (width, height, module) = (640, 480, 4)
        let left = (width - modules.count * module) / 2
        var frame = Data("YUV4MPEG2 W\(width) H\(height) F5:1 Ip A1:1 C420jpeg\nFRAME\n".utf8)
        var luma = [UInt8](repeating: 235, count: width * height)
        for y in 140..<340 {
            for (index, dark) in modules.enumerated() where dark {
                for x in 0..<module { luma[y * width + left + index * module + x] = 16 }
            }
        }
        frame.append(contentsOf: luma)
        frame.append(contentsOf: [UInt8](repeating: 128, count: width * height / 2))
        return frame
    }
}
