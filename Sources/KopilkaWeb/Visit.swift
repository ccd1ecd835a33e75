import Foundation
import HTTPTypes
import Hummingbird
import KopilkaCore
import KopilkaWords
import KopilkaStore
import MultipartKit

/// One request to a page: its language, session, form and query, and the cookies the answer sets.
struct Visit {
    static let sessionCookie = "kopilka_session"
    /// A customer's cabinet session: a cookie of its own, so staff and customers on one browser stay apart.
    static let cabinetCookie = "kopilka_cabinet"
    static let languageCookie = "kopilka_lang"
    /// The sign-in form's CSRF token (double-submit: the cookie and the form must carry the same value).
    static let signInCookie = "kopilka_signin"
    /// The web cashier's store, remembered on the device between receipts.
    static let storeCookie = "kopilka_store"

    let language: Language
    let path: String
    let query: [String: String]
    let form: [String: String]
    /// A POST's body when it is not a form (`application/octet-stream`).
    private(set) var upload: ByteBuffer?
    /// The files of a `multipart/form-data` form, by field name (a file input left empty is not here).
    private(set) var files: [String: [UInt8]] = [:]
    let session: WebSession?
    /// The session cookie as sent (to end it on sign-out).
    let sessionToken: String?
    /// The customer's cabinet session (only on `/cabinet` pages) and its cookie.
    let cabinet: WebSession?
    let cabinetToken: String?
    /// The sign-in form's token: the cookie's, or a new one the answer sets.
    let signInToken: String
    /// The store the cashier last sold in on this device.
    let rememberedStore: String?
    let secureCookies: Bool
    let now: UnixSeconds
    /// Where the visitor reached this server (`https://shop.example`): the address a printed QR code sends customers
    /// to. Behind a proxy, the `Host` it passes on and its `X-Forwarded-Proto`.
    let origin: String
    private(set) var cookies: [String] = []

    init(request: inout Request, console: WebConsole) async throws {
        now = console.clock()
        secureCookies = console.secureCookies
        path = request.uri.path
        let forwarded: String? = request.headers[HTTPField.Name("X-Forwarded-Proto")!]
        // The server speaks plain HTTP; HTTPS is a proxy's, which says so.
        let scheme = forwarded.flatMap { ["http", "https"].contains($0) ? $0 : nil } ?? "http"
        let host: String = request.head.authority ?? "localhost"
        origin = scheme + "://" + host
        query = Self.pairs(request.uri.query ?? "")
        let sent = Self.cookies(request.headers[.cookie] ?? "")
        if request.method == .post, request.headers[.contentType] == "application/octet-stream" {
            // A camera frame from the web cashier's scan: the CSRF token comes in a header.
            upload = try await request.collectBody(upTo: CardScanner.largestFrame)
            form = ["csrf": request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""]
        } else if request.method == .post, let boundary = Self.boundary(request.headers[.contentType]) {
            // A form with a file (the shop's logo): its fields as a form's, its files by name.
            let parts = try Self.parts(try await request.collectBody(upTo: MerchantLogo.largest + 64 * 1024), boundary: boundary)
            form = parts.fields
            files = parts.files
        } else if request.method == .post {
            let body = try await request.collectBody(upTo: 64 * 1024)
            form = Self.pairs(String(buffer: body), joining: true)
        } else {
            form = [:]
        }
        if let chosen = query["lang"].flatMap(Language.init(rawValue:)) {
            language = chosen
            cookies.append(Self.cookie(Self.languageCookie, chosen.rawValue, maxAge: 365 * 86_400, secure: console.secureCookies, httpOnly: false))
        } else {
            language = sent[Self.languageCookie].flatMap(Language.init(rawValue:)) ?? .ru
        }
        sessionToken = sent[Self.sessionCookie]
        rememberedStore = sent[Self.storeCookie]
        let store = console.store, now = now
        session = try await sessionToken.asyncFlatMap { try await store.session(tokenHash: WebConsole.tokenHash($0), now: now) }.flatMap {
            $0.staff == nil ? nil : $0
        }
        cabinetToken = path.hasPrefix("/cabinet/") ? sent[Self.cabinetCookie] : nil
        cabinet = try await cabinetToken.asyncFlatMap { try await store.session(tokenHash: WebConsole.tokenHash($0), now: now) }.flatMap {
            $0.customerId == nil ? nil : $0
        }
        if let token = sent[Self.signInCookie], token.count >= 32 {
            signInToken = token
        } else {
            signInToken = WebConsole.newToken().token
            cookies.append(Self.cookie(Self.signInCookie, signInToken, maxAge: 3600, secure: console.secureCookies))
        }
    }

    /// Whether a POST carries the session's CSRF token.
    var csrfMatches: Bool {
        guard let expected = session?.csrf, let sent = form["csrf"] else { return false }
        return constantTimeEqual(expected, sent)
    }

    /// Whether the sign-in form carries its cookie's token.
    var signInTokenMatches: Bool {
        guard let sent = form["csrf"] else { return false }
        return constantTimeEqual(signInToken, sent)
    }

    var strings: [String: Any] { Strings.nested(language) }

    /// The text for `key` in the page's language.
    func t(_ key: String) -> String { Strings.table(language)[key] ?? key }

    var format: Formatting { Formatting(language: language) }

    /// Sets a cookie on the answer.
    func setCookie(_ name: String, _ value: String, maxAge: Int64, on response: inout Response) {
        response.headers.append(HTTPField(name: .setCookie, value: Self.cookie(name, value, maxAge: maxAge, secure: secureCookies)))
    }

    func addCookies(to response: inout Response) {
        for cookie in cookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
    }

    static func cookie(_ name: String, _ value: String, maxAge: Int64, secure: Bool, httpOnly: Bool = true) -> String {
        "\(name)=\(value); Path=/; Max-Age=\(maxAge); SameSite=Lax" + (httpOnly ? "; HttpOnly" : "") + (secure ? "; Secure" : "")
    }

    /// `a=1&b=x+y` (a query or a form) as a dictionary; the last value of a repeated name wins, unless `joining`: then a
    /// name sent more than once (a catalogue picker's boxes and its box for typed codes) reads as its values joined by
    /// commas, empty ones left out.
    static func pairs(_ text: String, joining: Bool = false) -> [String: String] {
        var pairs: [String: String] = [:]
        for part in text.split(separator: "&") {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(halves[0]), value = halves.count > 1 ? decode(halves[1]) : ""
            if joining, let earlier = pairs[name] {
                pairs[name] = [earlier, value].filter { !$0.isEmpty }.joined(separator: ", ")
            } else {
                pairs[name] = value
            }
        }
        return pairs
    }

    /// The boundary of a `multipart/form-data` body, from its Content-Type.
    static func boundary(_ contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        let parameter = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.lowercased().hasPrefix("boundary=") }
        let boundary = parameter.map { String($0.dropFirst("boundary=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        return boundary.flatMap { $0.isEmpty || $0.count > 70 ? nil : $0 }
    }

    /// A `multipart/form-data` body's text fields and files (parts with a file name), read by MultipartKit's parser.
    static func parts(_ body: ByteBuffer, boundary: String) throws -> (fields: [String: String], files: [String: [UInt8]]) {
        let parser = MultipartParser(boundary: boundary)
        var parts: [MultipartPart] = [], headers = HTTPHeaders(), partBody = ByteBuffer()
        parser.onHeader = { headers.replaceOrAdd(name: $0, value: $1) }
        parser.onBody = { partBody.writeBuffer(&$0) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: partBody))
            (headers, partBody) = (HTTPHeaders(), ByteBuffer())
        }
        try parser.execute(body)
        var fields: [String: String] = [:], files: [String: [UInt8]] = [:]
        for part in parts {
            guard let name = part.name else { continue }
            if part.headers.first(name: "Content-Disposition")?.contains("filename=") == true {
                if part.body.readableBytes > 0 { files[name] = Array(part.body.readableBytesView) }
            } else {
                fields[name] = String(buffer: part.body)
            }
        }
        return (fields, files)
    }

    static func cookies(_ header: String) -> [String: String] {
        var cookies: [String: String] = [:]
        for part in header.split(separator: ";") {
            let halves = part.split(separator: "=", maxSplits: 1)
            if halves.count == 2 { cookies[halves[0].trimmingCharacters(in: .whitespaces)] = String(halves[1]) }
        }
        return cookies
    }

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~/"))) ?? ""
    }

    /// A query string of these pairs (sorted, so a link is the same each time), empty values left out.
    static func query(_ pairs: [String: String]) -> String {
        pairs.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { key, value in
            key + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? "")
        }.joined(separator: "&")
    }
}

func constantTimeEqual(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    guard x.count == y.count else { return false }
    return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async throws -> U?) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
