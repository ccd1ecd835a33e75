import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import Logging
import Synchronization

/// The HTTP API's handlers: the till protocol and the admin API over one store.
struct KopilkaAPI: Sendable {
    let store: any LoyaltyStore
    let auth: Authenticator
    let idempotency = IdempotencyGuard()
    let clock: @Sendable () -> UnixSeconds
    let maxBodyBytes: Int
    let metrics: Metrics
    /// Sends spending confirmation codes; nil when none is configured.
    let sms: (any SMSGateway)?

    typealias Context = KopilkaRequestContext

    /// The request body, within the size limit, as JSON: a body without `Content-Type: application/json` is refused
    /// like one with another type.
    func body(_ request: Request) async throws -> ByteBuffer {
        let unsupported = Problem(.unsupportedMediaType, code: "unsupported_media_type", detail: "send the body as application/json")
        let type = request.headers[.contentType]
        if let type, !type.lowercased().hasPrefix("application/json") { throw unsupported }
        var request = request
        let bytes: ByteBuffer
        do {
            bytes = try await request.collectBody(upTo: maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw Problem(.contentTooLarge, code: "body_too_large", detail: "the body is larger than \(maxBodyBytes) bytes")
        }
        if type == nil, bytes.readableBytes > 0 { throw unsupported }
        return bytes
    }

    /// An id from the path, or 404 (a malformed id names nothing).
    func pathID(_ context: Context, _ name: String = "id", what: String) throws -> Int64 {
        guard let text = context.parameters.get(name), let id = parseID(text) else {
            throw Problem(.notFound, code: "not_found", detail: "no such \(what)")
        }
        return id
    }

    /// The page size in the query's `limit`: `defaultValue` when absent, else 1…`max` (400 otherwise).
    func limitParameter(_ request: Request, default defaultValue: Int, max: Int) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return defaultValue }
        guard let value = Int(text), (1...max).contains(value) else { throw Problem.invalid("limit", "must be 1…\(max)") }
        return value
    }

    /// The id in the query's `before` (a page ends before it), or nil; 400 when it is not an id.
    func beforeParameter(_ request: Request, what: String) throws -> Int64? {
        guard let text = request.uri.queryParameters.get("before") else { return nil }
        guard let value = parseID(text) else { throw Problem.invalid("before", "is not \(what) id") }
        return value
    }

    /// Runs a points-moving write exactly once per `Idempotency-Key`.
    func idempotentWrite(
        _ request: Request, principal: Principal, body: ByteBuffer, _ write: (IdempotencyKey) async throws -> StoredResponse
    ) async throws -> Response {
        let key = try idempotency.key(request, body: body)
        return try await idempotency.exclusive(merchantId: principal.merchantId, key: key.key) {
            try await write(key).response
        }
    }
}


