import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import KopilkaCore
import KopilkaStore
import Synchronization

/// The `Idempotency-Key` header on points-moving writes.
///
/// The key and the stored first response live in the database, written in the same transaction as the
/// effect; this type adds the in-process guard that answers 409 while the first request is still running.
final class IdempotencyGuard: Sendable {
    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayedHeader = HTTPField.Name("Idempotency-Replayed")!
    private let running = Mutex<Set<String>>([])

    /// The request's key and body hash, or 400 when the header is missing or too long.
    func key(_ request: Request, body: ByteBuffer) throws -> IdempotencyKey {
        guard let key = request.headers[Self.header], !key.isEmpty else {
            throw Problem(.badRequest, code: "idempotency_key_missing",
                          detail: "this write moves points: send a unique `Idempotency-Key` header (e.g. a UUID) and reuse it on retries")
        }
        guard key.utf8.count <= 255 else { throw Problem.invalid("Idempotency-Key", "must be at most 255 characters") }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: Data(buffer: body))
        return IdempotencyKey(key: key, requestHash: Array(hasher.finalize()))
    }

    /// Runs `body` unless a request with the same key of the same merchant is running (409).
    func exclusive(merchantId: Int64, key: String, _ body: () async throws -> Response) async throws -> Response {
        let slot = "\(merchantId):\(key)"
        guard running.withLock({ $0.insert(slot).inserted }) else {
            var problem = Problem(.conflict, code: "idempotency_key_in_progress",
                                  detail: "a request with this Idempotency-Key is still being processed; retry shortly")
            problem.headers[.retryAfter] = "1"
            throw problem
        }
        defer { _ = running.withLock { $0.remove(slot) } }
        return try await body()
    }
}

extension StoredResponse {
    /// The HTTP response, marked when it is a replay.
    var response: Response {
        let isProblem = status >= 400
        var response = JSONBody.response(status: status, bytes: body, contentType: isProblem ? "application/problem+json" : "application/json")
        if replayed { response.headers[IdempotencyGuard.replayedHeader] = "true" }
        return response
    }
}

/// Renders a use case's outcome: the value with `status` (its reasons worded by `wording`), or the refusal as problem+json.
func renderer<T: Encodable & Sendable>(_ status: HTTPResponse.Status, wording: Wording? = nil) -> ResponseRenderer<T> {
    { result in
        switch result {
        case .success(let value): StoredResponse(status: status.code, body: JSONBody.encode(value, wording: wording))
        case .failure(let error): Problem(error).stored
        }
    }
}
