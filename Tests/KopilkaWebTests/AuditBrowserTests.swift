import Foundation
import KopilkaTesting
import Testing

/// Points changed by hand in the console: capped by default, confirmed by the owner above the cap, the reason in the
/// customer's history and on the audit log page.
@Suite(.serialized) struct AuditBrowserTests {
    @Test func aLargeAdjustmentNeedsTheOwnersConfirmationAndIsLoggedWithItsReason() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        let f = try await ConsoleFixture()
        let phone = f.samplePhone.replacingOccurrences(of: "+", with: "%2B")
        let customer = try #require(try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=\(phone)", key: f.adminKey).1) as? [String: Any])
        let id = try #require(customer["id"] as? String)
        let before = (customer["balance"] as? [String: Any])?["spendable"] as? Int ?? -1
        let browser = try await Browser(.phone)
        defer { Task { await browser.quit() } }
        try await f.signIn(browser, as: f.owner)
        try await browser.open(f.base + "/console/customers/\(id)")
        #expect(try await browser.find("#adjust-limits").text().contains("1\u{202F}000 баллов за раз"))

        // A million points "for a test": refused, the balance untouched, the owner asked to confirm.
        try await browser.find("#points").type("1000000")
        try await browser.find("#reason").type("тест")
        try await browser.find("form.adjust button[type=submit]").click()
        #expect(try await browser.waitFor("#adjust-error").text().contains("Отметьте подтверждение"))
        try await f.shoot(browser, "customer-adjust-confirm")
        let unchanged = try JSONSerialization.jsonObject(
            with: try await KopilkaProcess.requestData("GET", f.base + "/v1/customers/lookup?phone=\(phone)", key: f.adminKey).1) as? [String: Any]
        #expect((unchanged?["balance"] as? [String: Any])?["spendable"] as? Int == before)
        try await browser.find("#adjust-confirm").click()
        try await browser.find("form.adjust button[type=submit]").click()
        _ = try await browser.waitFor(".notice")
        #expect(try await browser.find("#history tbody tr td:nth-child(2)").text().contains("«тест»"))

        // The audit log page says who, what and why.
        try await browser.open(f.base + "/console/staff")
        try await browser.find("#audit-link").click()
        let row = try await browser.waitFor("#audit tbody tr")
        let text = try await row.text()
        #expect(text.contains("Баллы изменены вручную") && text.contains("«тест»") && text.contains("подтверждено владельцем"), "\(text)")
        #expect(text.contains("+1\u{202F}000\u{202F}000 баллов"), "\(text)")
        try await f.shoot(browser, "audit")
    }

    /// The catalogue lists what the demo's tills sent, and keeps the owner's name for a category; the naming is audited.
    @Test func theOwnerNamesACategoryTheTillsSent() async throws {
        guard KopilkaProcess.isBuilt(), ConsoleBrowserTests.browserInstalled() else { return }
        let f = try await ConsoleFixture()
        let browser = try await Browser(.phone)
        defer { Task { await browser.quit() } }
        try await f.signIn(browser, as: f.owner)
        try await browser.open(f.base + "/console/program/catalogue")
        let coffee = try await browser.waitFor("#catalogue-categories input[aria-label$=': coffee']")
        try await coffee.clear()
        try await coffee.type("Кофе")
        try await browser.find("#catalogue-categories tr:has(input[aria-label$=': coffee']) button").click()
        _ = try await browser.waitFor(".notice")
        #expect(try await browser.find("#catalogue-categories input[aria-label$=': coffee']").property("value") as? String == "Кофе")
        #expect(try await browser.findAll("#catalogue-skus tbody tr").count > 3)
        try await f.shoot(browser, "catalogue-named")
        try await browser.open(f.base + "/console/audit")
        #expect(try await browser.waitFor("#audit tbody tr").text().contains("Изменена позиция каталога"))
    }
}
