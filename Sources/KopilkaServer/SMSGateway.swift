import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends text messages to customers' phones (spending confirmation codes).
public protocol SMSGateway: Sendable {
    /// Sends `text` to `phone` (E.164); throws when the provider did not accept it.
    func send(to phone: String, text: String) async throws
}

/// Why a message was not sent.
public struct SMSGatewayError: Error, CustomStringConvertible {
    public var description: String
}

/// An SMS provider reached over HTTP: `POST url` with `{"to": "+7…", "text": "…"}` as JSON and, when a token is
/// configured, `Authorization: Bearer <token>`; any 2xx answer means accepted. Most Russian providers (SMS.ru,
/// SMSC, SMS Aero) accept this shape through a small relay, and the tests run a local fake provider.
public struct HTTPSMSGateway: SMSGateway {
    public var url: URL
    public var token: String?
    /// Seconds to wait for the provider.
    public var timeoutSeconds: Double = 10

    public init(url: URL, token: String?) {
        self.url = url
        self.token = token
    }

    public func send(to phone: String, text: String) async throws {
        var request = URLRequest(url: url, timeoutInterval: timeoutSeconds)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.httpBody = try JSONEncoder().encode(["to": phone, "text": text])
        let response: URLResponse
        do {
            (_, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw SMSGatewayError(description: "the SMS provider did not answer (\(type(of: error)))")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else { throw SMSGatewayError(description: "the SMS provider answered \(status)") }
    }
}
