import Foundation
import KopilkaCore
import KopilkaTesting
import KopilkaWords
import Testing

/// Joining the program where a customer meets the shop, in Chromium: by the QR code at the counter on their own
/// phone, and at the web cashier.
@Suite(.serialized) struct JoinBrowserTests {
    /// The owner's QR code (read back from the page by zbar) opens the join page; a newcomer confirms their phone by SMS,
    /// is refused beside the fields for a wrong code and a missing consent, and lands in the cabinet with the card and the
    /// welcome points; a member's phone signs in instead.
    @Test func aNewcomerJoinsByTheQRCodeAtTheCounter() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        guard QRReader.isAvailable else {
            Issue.record("zbarimg is missing: scripts/setup installs zbar-tools")
            return
        }
        let f = try await ConsoleFixture(sms: true)
        let format = Formatting(language: .ru)
        let (_, programBody) = try await f.api("GET", "/v1/program")
        let program = try #require(try JSONSerialization.jsonObject(with: programBody) as? [String: Any])
        let welcome = ((program["rules"] as? [String: Any])?["welcomeBonusPoints"] as? Int).map(Int64.init) ?? 0

        // The owner's page: the code, its address, the poster; the PNG and the page itself read back as that address.
        let owner = try await Browser(.desktop)
        defer { Task { await owner.quit() } }
        try await f.signIn(owner, as: f.owner)
        try await owner.open(f.base + "/console/join")
        let url = try await owner.waitFor("#join-url").text()
        #expect(url == f.base + "/join/\(f.merchantId)")
        try await f.shoot(owner, "join-qr")
        let shot = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-join-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: shot) }
        try await owner.screenshot(to: shot.path)
        #expect(try QRReader.decode(shot) == [url], "the QR code as the page draws it")
        let png = try await owner.executeAsync(
            """
            const done = arguments[arguments.length - 1];
            fetch('/console/join/qr.png').then(r => r.arrayBuffer()).then(b => done(btoa(String.fromCharCode(...new Uint8Array(b)))), e => done(''));
            """) as? String ?? ""
        try #require(Data(base64Encoded: png)).write(to: shot)
        #expect(try QRReader.decode(shot) == [url], "the PNG to download")

        // The shop's logo: a text file named .png is refused beside the field; a PNG (that one) is taken and shown on
        // the poster and the join page, byte for byte as uploaded.
        let notAnImage = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-logo-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: notAnImage) }
        try Data("<svg><script>alert(1)</script></svg>".utf8).write(to: notAnImage)
        try await owner.find("#logo-file").type(notAnImage.path)
        try await owner.reloadingPage { try await owner.find("button[value=upload]").click() }
        #expect(try await owner.find("#logo-error").text() == "Нужна картинка PNG, JPEG или WebP не больше 256 КБ")
        try await owner.find("#logo-file").type(shot.path)
        try await owner.reloadingPage { try await owner.find("button[value=upload]").click() }
        #expect(try await owner.find("#logo-notice").text() == "Логотип сохранён.")
        let logoPath = try #require(try await owner.find("#logo-current").attribute("src"))
        let (logoStatus, logoBytes) = try await KopilkaProcess.requestData("GET", f.base + logoPath, key: "")
        let uploaded = try Data(contentsOf: shot)
        #expect(logoStatus == 200 && logoBytes == uploaded)
        try await owner.open(f.base + "/console/join/poster")
        _ = try await owner.waitFor("#join-poster")
        try await f.shoot(owner, "join-poster")

        // The newcomer, on their phone.
        let phone = try await Browser(.phone)
        defer { Task { await phone.quit() } }
        let newPhone = "+79995550123"
        try await phone.open(url)
        #expect(try await phone.find("img.logo").property("naturalWidth") as? Int ?? 0 > 0, "the logo shows on the join page")
        if welcome > 0 { #expect(try await phone.find("#offer-welcome strong").text() == format.pointsCounted(welcome)) }
        try await f.shoot(phone, "join")
        try await phone.find("#phone").type("12")
        try await phone.find("button[type=submit]").click()
        #expect(try await phone.waitFor("#phone-error").text() == "Номер телефона, например +7 912 345-67-89")
        try await phone.find("#phone").clear()
        try await phone.find("#phone").type(newPhone)
        try await phone.find("button[type=submit]").click()
        _ = try await phone.waitFor("#code-sent")
        let code = try #require(try f.lastCode(to: newPhone))
        try await f.shoot(phone, "join-details")
        try await f.keepSource(phone, "/join/\(f.merchantId)", as: "join")

        // A wrong code and no consent: both said beside their fields, and nobody registered.
        try await phone.find("#code").type(code == "000000" ? "111111" : "000000")
        try await phone.find("#name").type("Ирина")
        try await phone.find("button[type=submit]").click()
        #expect(try await phone.waitFor("#personal-data-error").text() == "Без согласия на обработку данных карту выдать нельзя")
        #expect(try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=%2B79995550123", key: f.adminKey).0 == 404)
        try await phone.find("#personal-data").click()
        try await phone.find("#code").clear()
        try await phone.find("#code").type(code == "000000" ? "111111" : "000000")
        try await phone.find("button[type=submit]").click()
        #expect(try await phone.waitFor("#code-error").text() == "Код не подходит или устарел")
        try await f.shoot(phone, "join-refused")

        // The right code, a birthday and the friend who brought them: the cabinet, with the card and the welcome points.
        try await phone.find("#code").clear()
        try await phone.find("#code").type(code)
        _ = try await phone.execute("document.getElementById('birthday').value = '1992-05-17';")
        try await phone.find("#friend").type(f.samplePhone)
        if try await phone.find("#personal-data").property("checked") as? Bool != true { try await phone.find("#personal-data").click() }
        try await phone.find("button[type=submit]").click()
        _ = try await phone.waitFor("#joined")
        #expect(try await phone.currentURL().hasSuffix("/cabinet/\(f.merchantId)?joined=1"))
        _ = try await phone.waitFor(".barcode")
        try await f.shoot(phone, "cabinet-joined")
        let (status, body) = try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=%2B79995550123", key: f.adminKey)
        #expect(status == 200)
        let joined = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        let balance = try #require(joined["balance"] as? [String: Any])
        #expect(Int64((balance["spendable"] as? Int ?? 0) + (balance["pending"] as? Int ?? 0)) == welcome)
        let profile = try #require(try JSONSerialization.jsonObject(
            with: try await f.api("GET", "/v1/customers/\(joined["id"] as? String ?? "")").1) as? [String: Any])
        #expect(profile["birthday"] as? String == "1992-05-17" && profile["name"] as? String == "Ирина")

        // A member who scans the code: the same form sends a sign-in code and opens their card.
        let member = try await Browser(.phone)
        defer { Task { await member.quit() } }
        try await member.open(url)
        try await member.find("#phone").type(f.samplePhone)
        try await member.find("button[type=submit]").click()
        _ = try await member.waitFor("#already-member")
        try await member.find("#code").type(try #require(try f.lastCode(to: f.samplePhone)))
        try await member.find("button[type=submit]").click()
        _ = try await member.waitFor(".barcode")
        #expect(try await member.currentURL().hasSuffix("/cabinet/\(f.merchantId)"))
    }

    /// The cashier types a phone no member has: the page offers to register it; without the customer's consent it
    /// refuses beside the box; with it, the sale goes on with the new card and the welcome points said.
    @Test func aCashierRegistersAPhoneTheyDidNotFind() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        let f = try await ConsoleFixture()
        let browser = try await Browser(.phone)
        defer { Task { await browser.quit() } }
        try await f.signIn(browser, as: f.cashier)
        try await browser.open(f.base + "/console/cashier")
        try await browser.find("#customer").type("+7 999 555-01-24")
        try await browser.find("#amount").type("350")
        try await browser.find("#calculate").click()
        #expect(try await browser.waitFor("#customer-error").text() == "Покупатель не найден")
        _ = try await browser.waitFor("#sign-up")
        try await f.shoot(browser, "cashier-sign-up")
        try await browser.find("#sign-up-name").type("Олег")
        try await browser.find("#sign-up button[type=submit]").click()
        #expect(try await browser.waitFor("#sign-up-consent-error").text() == "Спросите согласие: без него карту выдать нельзя")
        #expect(try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=%2B79995550124", key: f.adminKey).0 == 404)
        try await browser.find("#sign-up-consent").click()
        try await browser.find("#sign-up button[type=submit]").click()
        let notice = try await browser.waitFor("#joined").text()
        let (status, body) = try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=%2B79995550124", key: f.adminKey)
        #expect(status == 200)
        let card = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["card"] as? String)
        #expect(notice.contains(card))
        // The sale goes on: the customer field holds the new card, the amount is kept.
        #expect(try await browser.find("#customer").property("value") as? String == card)
        #expect(try await browser.find("#amount").property("value") as? String == "350")
        // The page names who is served: the card.
        #expect(try await browser.waitFor("#calc-customer").text().contains(card))
        try await f.shoot(browser, "cashier-joined")
        // Committed in the second store with the fiscal number: the number is the receipt's, and the device remembers
        // the store for the next receipt.
        try await browser.find("details.more summary").click()
        let stores = try await browser.findAll("#store option")
        let second = try #require(try await stores.last?.attribute("value"))
        try await stores.last?.click()
        try await browser.find("#fiscal").type("ФН-000123")
        try await browser.find("#commit").click()
        #expect(try await browser.waitFor("h1 .mono").text() == "ФН-000123")
        // The last place is a register of the last store: the receipt is that register's.
        let receipt = try await f.shownReceipt(browser).body
        #expect(second.contains(":") && [receipt["storeId"] as? String, receipt["registerId"] as? String].compactMap { $0 }.joined(separator: ":") == second)
        try await browser.open(f.base + "/console/cashier")
        #expect(try await browser.find("#store").property("value") as? String == second)
    }
}
