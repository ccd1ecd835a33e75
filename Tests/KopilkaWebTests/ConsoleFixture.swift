import Foundation
import KopilkaTesting
import Testing

/// A demo merchant served by the real `kopilka serve`, with the staff logins `kopilka demo` makes, and the folder where
/// the browser tests leave screenshots and page sources (`screenshots/`, git-ignored) for a person to look at.
final class ConsoleFixture: Sendable {
    let server: KopilkaProcess.Server
    let adminKey: String
    let owner: String
    let cashier: String
    let password: String
    let samplePhone: String
    let screenshots: URL
    private let folder: TemporaryFolder

    var base: String { server.base }

    init() async throws {
        folder = try TemporaryFolder("kopilka-console")
        let database = folder.url.appendingPathComponent("console.sqlite").path
        let demo = try KopilkaProcess.run(["demo", "--database", database, "--customers", "400", "--days", "120", "--seed", "5", "--json"])
        guard demo.status == 0, let json = try JSONSerialization.jsonObject(with: Data(demo.output.utf8)) as? [String: Any],
            let console = json["console"] as? [String: String]
        else { throw FixtureError(description: "kopilka demo failed: \(demo.output.prefix(500))") }
        adminKey = json["adminKey"] as! String
        samplePhone = json["samplePhone"] as! String
        owner = console["owner"]!
        cashier = console["cashier"]!
        password = console["password"]!
        // No per-IP limit: a browser loads a page, its stylesheet and its script at once, many times a second here.
        server = try await KopilkaProcess.serve(database: database, arguments: ["--ip-rate-limit", "0"])
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        screenshots = root.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: screenshots.appendingPathComponent("html"), withIntermediateDirectories: true)
    }

    deinit { server.kill() }

    /// Signs in through the form and waits for the page after it.
    func signIn(_ browser: Browser, as email: String) async throws {
        try await browser.open(base + "/console/sign-in")
        try await browser.find("#email").type(email)
        try await browser.find("#password").type(password)
        try await browser.find("button[type=submit].primary").click()
        _ = try await browser.waitFor("main h1")
    }

    /// The page's screenshot as `screenshots/<name>-<width>.png`.
    func shoot(_ browser: Browser, _ name: String) async throws {
        try await browser.screenshot(to: screenshots.appendingPathComponent("\(name)-\(browser.viewport.width).png").path)
    }

    /// The page's HTML as the server sent it (fetched again with the browser's cookies), kept for the validator.
    func keepSource(_ browser: Browser, _ path: String, as name: String) async throws {
        let html = try await browser.executeAsync(
            "const done = arguments[arguments.length - 1]; fetch(arguments[0]).then(r => r.text()).then(done, e => done('ERROR ' + e));", [path])
        try (html as? String ?? "").write(to: screenshots.appendingPathComponent("html/\(name).html"), atomically: true, encoding: .utf8)
    }

    /// An admin API call; the JSON body.
    func api(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, Data) {
        try await KopilkaProcess.requestData(method, base + path, key: adminKey, body: body)
    }

    struct FixtureError: Error, CustomStringConvertible { let description: String }
}
