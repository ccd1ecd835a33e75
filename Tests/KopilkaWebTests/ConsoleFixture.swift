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
    let merchantId: String
    /// Where the fake SMS provider writes each message it takes (a JSON line), when there is one.
    let smsLog: URL
    private let smsProvider: Process?
    private let folder: TemporaryFolder

    var base: String { server.base }

    /// With `sms`, a local SMS provider (a few lines of Python's http.server) that the server sends codes to.
    init(sms: Bool = false) async throws {
        folder = try TemporaryFolder("kopilka-console")
        smsLog = folder.url.appendingPathComponent("sms.jsonl")
        var serveArguments = ["--ip-rate-limit", "0"]
        if sms {
            // The provider takes a free port and writes it down once it listens: no port someone else holds, and no
            // message sent before it is up.
            let portFile = folder.url.appendingPathComponent("sms.port")
            let provider = Process()
            provider.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            provider.arguments = ["-c", Self.fakeSMSProvider, portFile.path, smsLog.path]
            // Not the test's own output: a child holding it open would keep `swift test` waiting for its end.
            provider.standardOutput = FileHandle.nullDevice
            provider.standardError = FileHandle.nullDevice
            try provider.run()
            smsProvider = provider
            var port: String?
            for _ in 0..<100 where port == nil {
                port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { $0.hasSuffix("\n") ? String($0.dropLast()) : nil }
                if port == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard let port else { throw FixtureError(description: "the fake SMS provider did not start in 5 s") }
            serveArguments += ["--sms-url", "http://127.0.0.1:\(port)/sms"]
        } else {
            smsProvider = nil
        }
        let database = folder.url.appendingPathComponent("console.sqlite").path
        let demo = try KopilkaProcess.run(["demo", "--database", database, "--customers", "400", "--days", "120", "--seed", "5", "--json"])
        guard demo.status == 0, let json = try JSONSerialization.jsonObject(with: Data(demo.output.utf8)) as? [String: Any],
            let console = json["console"] as? [String: String]
        else { throw FixtureError(description: "kopilka demo failed: \(demo.output.prefix(500))") }
        adminKey = json["adminKey"] as! String
        merchantId = (json["merchant"] as! [String: Any])["id"] as! String
        samplePhone = json["samplePhone"] as! String
        owner = console["owner"]!
        cashier = console["cashier"]!
        password = console["password"]!
        // No per-IP limit: a browser loads a page, its stylesheet and its script at once, many times a second here.
        server = try await KopilkaProcess.serve(database: database, arguments: serveArguments)
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        screenshots = root.appendingPathComponent("screenshots")
        try FileManager.default.createDirectory(at: screenshots.appendingPathComponent("html"), withIntermediateDirectories: true)
    }

    deinit {
        server.kill()
        smsProvider?.terminate()
    }

    static let fakeSMSProvider = """
        import http.server, sys
        class Provider(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with open(sys.argv[2], "ab") as log: log.write(body + b"\\n")
                self.send_response(200); self.end_headers()
            def log_message(self, *args): pass
        server = http.server.HTTPServer(("127.0.0.1", 0), Provider)
        with open(sys.argv[1], "w") as port: port.write("%d\\n" % server.server_address[1])
        server.serve_forever()
        """

    /// The six-digit code of the last message sent to `phone`.
    func lastCode(to phone: String) throws -> String? {
        let lines = (try? String(contentsOf: smsLog, encoding: .utf8))?.split(separator: "\n") ?? []
        let messages = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }
        return messages.last { $0["to"] == phone }?["text"]?.split(whereSeparator: { !$0.isNumber }).first { $0.count == 6 }.map(String.init)
    }

    /// The Nu HTML Checker's errors for the kept pages (one JVM for all); empty when they are valid.
    func validateKeptPages(vnu: String) throws -> (files: Int, errors: String?) {
        let folder = screenshots.appendingPathComponent("html")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".html") }
            .map { folder.appendingPathComponent($0).path }
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/java")
        validator.arguments = ["-jar", vnu, "--errors-only", "--format", "text"] + files
        let output = Pipe()
        validator.standardOutput = output
        validator.standardError = output
        try validator.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        validator.waitUntilExit()
        return (files.count, validator.terminationStatus == 0 ? nil : report)
    }

    /// Signs in through the form and waits for the page after it.
    func signIn(_ browser: Browser, as email: String, password: String? = nil) async throws {
        try await browser.open(base + "/console/sign-in")
        try await browser.find("#email").type(email)
        try await browser.find("#password").type(password ?? self.password)
        try await browser.find("button[type=submit].primary").click()
        // The sign-in page has a heading too: wait for the page the form leads to.
        try await browser.waitForURL { !$0.contains("/console/sign-in") }
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

    /// The id of the receipt the browser's page shows (`/console/receipts/{id}?…`), and that receipt as the admin API
    /// gives it.
    func shownReceipt(_ browser: Browser) async throws -> (id: String, body: [String: Any]) {
        let id = (try await browser.currentURL()).components(separatedBy: "/receipts/").last?.components(separatedBy: "?").first ?? ""
        return (id, try JSONSerialization.jsonObject(with: try await api("GET", "/v1/receipts/\(id)").1) as? [String: Any] ?? [:])
    }

    /// An admin API call; the JSON body.
    func api(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, Data) {
        try await KopilkaProcess.requestData(method, base + path, key: adminKey, body: body)
    }

    struct FixtureError: Error, CustomStringConvertible { let description: String }
}
