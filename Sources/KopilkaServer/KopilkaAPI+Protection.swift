import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore

/// The answer to a code request: where it went (masked) and until when it is valid.
struct SpendCodeSent: Encodable {
    var sentTo: String
    var expiresAt: Instant
    var attempts: Int
}

/// A manual adjustment, as the merchant's staff sends it.
struct AdjustmentBody: Decodable {
    /// Points in hundredths: positive credits, negative debits.
    var points: Points
    /// Why, for the audit log: required.
    var reason: String
    /// The owner confirms an adjustment above the program's caps.
    var confirm: Bool?

    func command(customerId: Int64) throws -> AdjustmentCommand {
        var errors: [FieldError] = []
        if points == 0 || abs(points) > 100_000_000_000 {
            errors.append(.init(field: "points", message: "must be a non-zero number of hundredths up to ±100000000000"))
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if !(1...500).contains(reason.count) { errors.append(.init(field: "reason", message: "must be 1…500 characters: say why")) }
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return AdjustmentCommand(customerId: customerId, points: points, reason: reason, confirmed: confirm ?? false)
    }
}

extension KopilkaAPI {
    /// `POST /v1/customers/{id}/spend-codes`: sends the customer a one-time code that confirms spending points.
    func issueSpendCode(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        let id = try pathID(context, what: "customer")
        guard let sms else {
            // Another merchant's customer is not found, whatever this server's configuration.
            guard try await store.customer(merchantId: principal.merchantId, .id(id), now: clock()) != nil else {
                throw Problem(.notFound, code: "not_found", detail: "no such customer")
            }
            throw Problem(.serviceUnavailable, code: "sms_unavailable", detail: "no SMS gateway is configured (kopilka serve --sms-url)")
        }
        // Six digits from the system's CSPRNG; only a salted hash is stored.
        let code = String(Int.random(in: 1_000_000..<2_000_000).description.dropFirst())
        guard let issued = try await store.issueSpendCode(merchantId: principal.merchantId, customerId: id, code: code, now: clock()) else {
            throw Problem(.notFound, code: "not_found", detail: "no such customer")
        }
        do {
            try await sms.send(to: issued.phone, text: "Код для списания баллов: \(code). Никому его не сообщайте.")
        } catch {
            var problem = Problem(.serviceUnavailable, code: "sms_unavailable", detail: "the code could not be sent: \(error); retry")
            problem.headers[.retryAfter] = "5"
            throw problem
        }
        metrics.spendCodes.add(1)
        return JSONBody.response(.accepted, SpendCodeSent(sentTo: Phone.masked(issued.phone), expiresAt: issued.expiresAt, attempts: issued.attempts))
    }

    /// `POST /v1/customers/{id}/adjustments`: credits or debits points by hand, with a reason (admin keys; audited).
    func adjustPoints(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let id = try pathID(context, what: "customer")
        let body = try await body(request)
        let command = try JSONBody.decode(AdjustmentBody.self, from: body).command(customerId: id)
        return try await idempotentWrite(request, principal: principal, body: body) { key in
            try await store.adjustPoints(
                merchantId: principal.merchantId, command, actor: principal.actor, idempotency: key, now: clock(), render: renderer(.created))
        }
    }

    /// `GET /v1/fraud-flags?before=&limit=`: operations that broke a cashier limit and were let through, newest first.
    func fraudFlags(_ request: Request, _ context: Context) async throws -> Response {
        let principal = try await auth.principal(request)
        try principal.requireAdmin()
        let before = try beforeParameter(request, what: "a flag")
        let limit = try limitParameter(request, default: 100, max: 1000)
        let flags = try await store.fraudFlags(merchantId: principal.merchantId, before: before, limit: limit)
        return JSONBody.response(.ok, ["flags": flags])
    }
}
