import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure driving the browser, with what was asked and what chromedriver answered.
struct BrowserError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A window size; `phone` emulates a 390×844 touch screen at 2× (`window.innerWidth` is 390).
struct Viewport: Sendable {
    let width: Int
    let height: Int
    /// When set, Chrome's mobile emulation: touch, a phone's user agent and this pixel ratio.
    let phonePixelRatio: Double?

    static let desktop = Viewport(width: 1280, height: 900, phonePixelRatio: nil)
    static let phone = Viewport(width: 390, height: 844, phonePixelRatio: 2)
    /// Chromium's own engine, so an Android user agent rather than an iPhone's.
    static let phoneUserAgent =
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36"
}

/// A headless Chromium driven through chromedriver's W3C WebDriver API: one browser (and one chromedriver) per
/// instance, used from one test task at a time. Call `quit()` at the end; `deinit` kills what is left.
///
/// HTTP goes over a plain loopback socket, not URLSession: FoundationNetworking up to Swift 6.3 rejects chromedriver's
/// answers (`Content-Length:249`, no space after the colon; swift-corelibs-foundation PR 5527 fixes it later).
final class Browser: @unchecked Sendable {
    static let chromium = "/usr/bin/chromium"
    static let chromedriver = "/usr/bin/chromedriver"

    /// Whether Chromium and chromedriver are installed (scripts/setup-browser installs them); skip the test if not.
    static var isAvailable: Bool {
        [chromium, chromedriver].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let viewport: Viewport
    private let driver: Process
    /// chromedriver's TMPDIR: Chromium's profile and singleton socket land here, removed when the browser stops.
    private let workDirectory: URL
    private let logFile: URL
    private let port: UInt16
    private var session = ""
    /// Where the blocking socket calls run, off Swift concurrency's few cooperative threads.
    private let io = DispatchQueue(label: "Browser.webdriver")

    /// Starts chromedriver on a free loopback port and a new headless Chromium session at `viewport`, whose
    /// `navigator.language`, Accept-Language and `Intl` locale are `language`; `arguments` go to Chromium too (a fake
    /// camera).
    init(_ viewport: Viewport = .desktop, language: String = "ru-RU", arguments: [String] = []) async throws {
        self.viewport = viewport
        port = try Self.freePort()
        workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-browser-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        logFile = workDirectory.appendingPathComponent("chromedriver.log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        driver = Process()  // on Linux it leads a process group of its own, which Chromium's processes join
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=\(port)"]
        driver.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": workDirectory.path]) { $1 }
        let log = try FileHandle(forWritingTo: logFile)
        driver.standardOutput = log
        driver.standardError = log
        try driver.run()
        do {
            var ready = false
            for _ in 0..<200 where !ready {
                guard driver.isRunning else { throw BrowserError("chromedriver exited: \(driverLog())") }
                ready = ((try? await request("GET", "/status")) as? [String: Any])?["ready"] as? Bool == true
                if !ready { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard ready else { throw BrowserError("chromedriver did not become ready in 10 s: \(driverLog())") }
            var args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(viewport.width),\(viewport.height)"]
            args += ["--lang=\(language)", "--accept-lang=\(language)", "--hide-scrollbars"] + arguments
            var options: [String: Any] = ["binary": Self.chromium, "args": args]
            if let ratio = viewport.phonePixelRatio {
                options["mobileEmulation"] = [
                    "deviceMetrics": ["width": viewport.width, "height": viewport.height, "pixelRatio": ratio, "mobile": true, "touch": true],
                    "userAgent": Viewport.phoneUserAgent,
                ]
            }
            let capabilities = ["alwaysMatch": ["browserName": "chrome", "goog:chromeOptions": options]]
            let created = try await request("POST", "/session", ["capabilities": capabilities]) as? [String: Any]
            guard let id = created?["sessionId"] as? String else { throw BrowserError("no session id in \(String(describing: created))") }
            session = id
            // Headless Chromium keeps Intl (toLocaleString, dates) in en-US whatever --lang says.
            _ = try await cdp("Emulation.setLocaleOverride", ["locale": language])
            // Headless Chromium counts toolbars it does not draw in --window-size (innerHeight 757 of 900): grow the
            // window by that much so the page gets the whole viewport.
            if viewport.phonePixelRatio == nil, let extra = try await execute("return [outerWidth - innerWidth, outerHeight - innerHeight]") as? [Int],
                extra != [0, 0]
            {
                _ = try await command("POST", "/window/rect", ["width": viewport.width + extra[0], "height": viewport.height + extra[1]])
            }
        } catch {
            stopDriver()
            throw error
        }
    }

    deinit { stopDriver() }

    /// Ends the session (Chromium exits) and stops chromedriver. Safe to call twice.
    func quit() async {
        if !session.isEmpty { _ = try? await request("DELETE", "/session/\(session)") }
        session = ""
        if driver.isRunning { _ = try? await request("GET", "/shutdown") }
        for _ in 0..<40 where driver.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        stopDriver()
    }

    /// Loads `url` and waits for it as a user would (document loaded).
    func open(_ url: String) async throws { _ = try await command("POST", "/url", ["url": url]) }
    /// The address of the page now shown.
    func currentURL() async throws -> String { try await command("GET", "/url") as? String ?? "" }
    /// The page's `<title>`.
    func title() async throws -> String { try await command("GET", "/title") as? String ?? "" }
    /// The current DOM serialized as HTML (not the bytes the server sent).
    func pageSource() async throws -> String { try await command("GET", "/source") as? String ?? "" }

    /// The first element matching the CSS selector; throws, naming the selector and the page, when there is none.
    func find(_ css: String) async throws -> Element {
        guard let element = try await findAll(css).first else {
            throw BrowserError("no element matches CSS selector '\(css)' on \((try? await currentURL()) ?? "?")")
        }
        return element
    }

    /// Every element matching the CSS selector, in document order (empty when none).
    func findAll(_ css: String) async throws -> [Element] {
        let found = try await command("POST", "/elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return found.compactMap { ($0[Element.key] as? String).map { Element(id: $0, browser: self, selector: css) } }
    }

    /// Polls for the selector until `timeout` seconds pass, for content a script adds after the load.
    func waitFor(_ css: String, timeout: Double = 5) async throws -> Element {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let element = try await findAll(css).first { return element }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await find(css)
    }

    /// Polls until an element matching the selector reads `expected` (a form's answer replacing the page: the old page's
    /// elements may match first, then go stale), up to `timeout` seconds; returns that, or the first match's text then.
    func waitForText(_ css: String, _ expected: String, timeout: Double = 5) async throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var seen = ""
        while Date() < deadline {
            for element in (try? await findAll(css)) ?? [] {
                guard let text = try? await element.text() else { continue }
                if text == expected { return text }
                if seen.isEmpty { seen = text }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return seen
    }

    /// Does `action` (a click or a key that submits a form) and waits until the page it leads to has loaded: a form that
    /// answers with the same address leaves nothing else to wait for.
    func reloadingPage(timeout: Double = 5, _ action: () async throws -> Void) async throws {
        _ = try await execute("window.kopilkaPageBefore = true")
        try await action()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            // The old page's context may be gone mid-navigation: that is an answer of "not yet".
            if (try? await execute("return window.kopilkaPageBefore !== true && document.readyState === 'complete'")) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw BrowserError("no new page within \(timeout) s")
    }

    /// Waits until the page's address satisfies `done` (a form led somewhere), up to `timeout` seconds.
    func waitForURL(timeout: Double = 5, _ done: (String) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try await !done(currentURL()), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
    }

    /// The element that has the keyboard focus (`document.activeElement`).
    func activeElement() async throws -> Element {
        let found = try await command("GET", "/element/active") as? [String: Any]
        guard let id = found?[Element.key] as? String else { throw BrowserError("no active element") }
        return Element(id: id, browser: self, selector: ":focus")
    }

    /// Runs `script` as a function body (`arguments[0]`… are `args`; `Element`s pass as DOM nodes) and returns
    /// what it returns: String, NSNumber/Int/Double/Bool, [Any], [String: Any], Element, or nil.
    @discardableResult
    func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try Self.decode(await command("POST", "/execute/sync", ["script": script, "args": args.map(Self.encode)]), self)
    }

    /// Like `execute`, but the script calls its last argument (a callback) with the result, e.g. from a promise.
    @discardableResult
    func executeAsync(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try Self.decode(await command("POST", "/execute/async", ["script": script, "args": args.map(Self.encode)]), self)
    }

    /// Writes a PNG of the whole page (beyond the viewport, through Chrome's DevTools protocol); falls back to
    /// the visible part when that fails. Phone screenshots are at 2× (780 px wide).
    func screenshot(to path: String) async throws {
        var base64: String?
        if let metrics = try? await cdp("Page.getLayoutMetrics"),
            let size = (metrics["cssContentSize"] ?? metrics["contentSize"]) as? [String: Any],
            let width = (size["width"] as? NSNumber)?.doubleValue, let height = (size["height"] as? NSNumber)?.doubleValue
        {
            let clip: [String: Any] = ["x": 0, "y": 0, "width": width, "height": height, "scale": 1]
            base64 = try? await cdp("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true, "clip": clip])["data"] as? String
        }
        if base64 == nil { base64 = try await command("GET", "/screenshot") as? String }
        guard let base64, let png = Data(base64Encoded: base64) else { throw BrowserError("no screenshot data") }
        try png.write(to: URL(fileURLWithPath: path))
    }

    /// Presses Tab (focus moves to the next element) as a keyboard user would.
    func pressTab() async throws { try await sendKeys(Key.tab) }

    /// Types `keys` (characters and `Key` codes) into whatever has the focus, as W3C key actions.
    func sendKeys(_ keys: String) async throws {
        let strokes = keys.map { String($0) }.flatMap { [["type": "keyDown", "value": $0], ["type": "keyUp", "value": $0]] }
        _ = try await command("POST", "/actions", ["actions": [["type": "key", "id": "keyboard", "actions": strokes]]])
    }

    /// The cookies visible to the current page (HttpOnly ones included).
    func cookies() async throws -> [Cookie] {
        (try await command("GET", "/cookie") as? [[String: Any]] ?? []).map {
            Cookie(
                name: $0["name"] as? String ?? "", value: $0["value"] as? String ?? "", path: $0["path"] as? String,
                domain: $0["domain"] as? String, secure: $0["secure"] as? Bool ?? false, httpOnly: $0["httpOnly"] as? Bool ?? false,
                sameSite: $0["sameSite"] as? String)
        }
    }

    /// A Chrome DevTools protocol command (`Page.…`, `Network.…`) on the session's page; returns its result.
    func cdp(_ method: String, _ params: [String: Any] = [:]) async throws -> [String: Any] {
        try await command("POST", "/goog/cdp/execute", ["cmd": method, "params": params]) as? [String: Any] ?? [:]
    }

    /// A command on the session: `path` is relative to `/session/{id}`; returns the answer's `value`.
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        guard !session.isEmpty else { throw BrowserError("\(method) \(path): the browser has quit") }
        return try await request(method, "/session/\(session)\(path)", body)
    }

    private func request(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        let json = try (body ?? (method == "POST" ? [:] : nil)).map { try JSONSerialization.data(withJSONObject: $0) }
        let port = port
        let (status, data) = try await withCheckedThrowingContinuation { continuation in
            io.async { continuation.resume(with: Result { try Self.exchange(port: port, method, path, json) }) }
        }
        let value = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["value"]
        guard status == 200 else {
            let error = value as? [String: Any]
            let message = (error?["message"] as? String).map { $0.components(separatedBy: "\n").first ?? $0 } ?? String(decoding: data.prefix(500), as: UTF8.self)
            throw BrowserError("\(method) \(path): HTTP \(status) \(error?["error"] as? String ?? ""): \(message)")
        }
        return value is NSNull ? nil : value
    }

    private func driverLog() -> String {
        String(decoding: (try? Data(contentsOf: logFile)) ?? Data(), as: UTF8.self).suffix(2000).description
    }

    /// SIGKILL to chromedriver's process group (what Chromium left too). Not SIGTERM: chromedriver inherits a
    /// signal mask from the Swift process that blocks it.
    private func stopDriver() {
        if driver.isRunning {
            kill(-driver.processIdentifier, SIGKILL)
            kill(driver.processIdentifier, SIGKILL)
            driver.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: workDirectory)
    }

    /// One HTTP/1.1 exchange with chromedriver on a new loopback connection; returns the status and the body.
    private static func exchange(port: UInt16, _ method: String, _ path: String, _ body: Data?) throws -> (Int, Data) {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw BrowserError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 330, tv_usec: 0)  // beyond chromedriver's own 300 s page-load limit
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BrowserError("\(method) \(path): cannot connect to chromedriver on port \(port): errno \(errno)") }
        var message = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body { message += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\n" }
        let bytes = Data((message + "\r\n").utf8) + (body ?? Data())
        try bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = send(fd, raw.baseAddress! + sent, raw.count - sent, noSignal)
                guard n > 0 else { throw BrowserError("\(method) \(path): send failed: errno \(errno)") }
                sent += n
            }
        }
        var response = Data(), buffer = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?, length: Int?
        while length.map({ response.count < headerEnd! + $0 }) ?? true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw BrowserError("\(method) \(path): no answer from chromedriver (errno \(errno))") }
            if n == 0 { break }
            response.append(contentsOf: buffer[0..<n])
            if headerEnd == nil, let end = response.firstRange(of: Data("\r\n\r\n".utf8)) {
                headerEnd = end.upperBound - response.startIndex
                let head = String(decoding: response[..<end.lowerBound], as: UTF8.self).lowercased()
                length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) }
            }
        }
        guard let headerEnd else { throw BrowserError("\(method) \(path): incomplete answer from chromedriver") }
        let statusLine = String(decoding: response.prefix(while: { $0 != 13 }), as: UTF8.self)
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, response.dropFirst(headerEnd))
    }

    private static func loopback(_ port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// A port nobody listens on now: the kernel's pick for a socket bound to port 0.
    private static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw BrowserError("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = loopback(0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw BrowserError("could not bind a loopback port: errno \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }

    #if canImport(Glibc)
    private static let streamSocket = Int32(SOCK_STREAM.rawValue), noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let streamSocket = SOCK_STREAM, noSignal: Int32 = 0
    #endif

    private static func encode(_ value: Any) -> Any {
        switch value {
        case let element as Element: [Element.key: element.id]
        case let array as [Any]: array.map(encode)
        case let object as [String: Any]: object.mapValues(encode)
        default: value
        }
    }

    private static func decode(_ value: Any?, _ browser: Browser) -> Any? {
        switch value {
        case let object as [String: Any]:
            if let id = object[Element.key] as? String { return Element(id: id, browser: browser, selector: "(from script)") }
            return object.mapValues { decode($0, browser) ?? NSNull() }
        case let array as [Any]: return array.map { decode($0, browser) ?? NSNull() }
        case is NSNull: return nil
        default: return value
        }
    }
}

extension Browser {
    /// Key codes for `sendKeys` and `Element.type` (the W3C WebDriver private-use characters).
    enum Key {
        static let tab = "\u{E004}", enter = "\u{E007}", escape = "\u{E00C}", shift = "\u{E008}", space = "\u{E00D}"
        static let backspace = "\u{E003}", arrowLeft = "\u{E012}", arrowUp = "\u{E013}", arrowRight = "\u{E014}", arrowDown = "\u{E015}"
    }

    /// A cookie of the current page's origin, as the browser holds it.
    struct Cookie: Sendable {
        let name: String, value: String, path: String?, domain: String?, secure: Bool, httpOnly: Bool, sameSite: String?
    }
}

/// An element of the page, found by `selector`; stale once the page changes underneath it.
struct Element: Sendable {
    static let key = "element-6066-11e4-a52e-4f735466cecf"
    let id: String
    let browser: Browser
    let selector: String

    /// Clicks its centre, as a user would (fails if something else covers it).
    func click() async throws { _ = try await call("POST", "/click") }
    /// Types `text` into it (characters and `Browser.Key` codes), after focusing it.
    func type(_ text: String) async throws { _ = try await call("POST", "/value", ["text": text]) }
    /// Empties an input or textarea.
    func clear() async throws { _ = try await call("POST", "/clear") }
    /// Its rendered text (`innerText`: what is visible, whitespace collapsed).
    func text() async throws -> String { try await call("GET", "/text") as? String ?? "" }
    /// An HTML attribute as written (nil when absent).
    func attribute(_ name: String) async throws -> String? { try await call("GET", "/attribute/\(name)") as? String }
    /// A DOM property (`value`, `checked`, `validity`…), as JSON values.
    func property(_ name: String) async throws -> Any? { try await call("GET", "/property/\(name)") }
    /// Whether it is shown (not display:none, not hidden, not zero-sized).
    func isDisplayed() async throws -> Bool { try await call("GET", "/displayed") as? Bool ?? false }

    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        do { return try await browser.command(method, "/element/\(id)\(path)", body) } catch let error as BrowserError {
            throw BrowserError("element '\(selector)': \(error.description)")
        }
    }
}
