import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

/// An RFC 9457 problem: every error the API answers with, with a stable machine `code`.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var body: Body
    /// Extra headers (e.g. `Retry-After`).
    public var headers: HTTPFields = [:]

    /// The problem+json document.
    public struct Body: Codable, Sendable {
        public var type: String
        public var title: String
        public var status: Int
        public var detail: String
        /// Stable machine code, e.g. `insufficient_points`.
        public var code: String
        /// For validation: each field at fault.
        public var errors: [FieldError]?
        /// For `receipt_already_registered`: the receipt registered before.
        public var receipt: ReceiptView?
        /// For `order_already_exists`: the existing hold.
        public var order: HoldView?
        /// For `customer_exists`: the registered customer's id.
        public var customerId: String?
        /// For `insufficient_points` and `redemption_limit_exceeded`: what was asked.
        public var requestedPoints: Points?
        /// For `insufficient_points`: what could be spent.
        public var spendablePoints: Points?
        /// For `redemption_limit_exceeded`: the most the rules allow on this receipt.
        public var limitPoints: Points?
        /// For `redemption_limit_exceeded`: the reason code of the rule that binds, e.g. `redemption_daily_limit`.
        public var limitReason: String?
        /// For `confirmation_code_invalid`: `wrong`, `expired`, `attempts_exhausted`, `used` or `not_requested`.
        public var reason: String?
        /// For `confirmation_code_invalid`: wrong codes the open code still allows.
        public var attemptsLeft: Int?
        /// For `cashier_limit`: the rule that blocked (`velocity`, `manual_adjustment`).
        public var rule: String?
    }

    public init(_ status: HTTPResponse.Status, code: String, detail: String, errors: [FieldError]? = nil) {
        self.status = status
        body = Body(
            type: "https://kopilka.dev/problems/\(code.replacingOccurrences(of: "_", with: "-"))", title: status.reasonPhrase,
            status: status.code, detail: detail, code: code, errors: errors)
    }

    /// A validation problem naming one field.
    public static func invalid(_ field: String, _ message: String) -> Problem {
        Problem(.badRequest, code: "validation_failed", detail: "\(field): \(message)", errors: [FieldError(field: field, message: message)])
    }

    /// A validation problem naming each field at fault.
    public static func invalid(_ errors: [FieldError]) -> Problem {
        let detail = errors.prefix(3).map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        return Problem(.badRequest, code: "validation_failed", detail: detail, errors: errors)
    }

    /// The answer to a use case's refusal.
    public init(_ error: KopilkaError) {
        switch error {
        case .validation(let errors):
            self = .invalid(errors)
        case .notFound(let what):
            self.init(.notFound, code: "not_found", detail: "no such \(what)")
        case .forbidden(let why):
            self.init(.forbidden, code: "forbidden", detail: why)
        case .insufficientPoints(let requested, let spendable):
            self.init(.conflict, code: "insufficient_points",
                      detail: "asked to spend \(formatHundredths(requested)) points, \(formatHundredths(spendable)) can be spent")
            body.requestedPoints = requested
            body.spendablePoints = spendable
        case .redemptionLimitExceeded(let requested, let limit, let because):
            let rule = because.map { ": " + ReasonWords.sentence($0, in: .en) } ?? ""
            let asked = "asked to spend \(formatHundredths(requested)) points"
            self.init(
                .unprocessableContent, code: "redemption_limit_exceeded", detail: "\(asked), the program allows \(formatHundredths(limit)) on this receipt\(rule)")
            body.requestedPoints = requested
            body.limitPoints = limit
            body.limitReason = because?.code
        case .receiptAlreadyRegistered(let receipt):
            self.init(.conflict, code: "receipt_already_registered",
                      detail: "receipt \(receipt.externalId) of this store is registered already as \(receipt.id)")
            body.receipt = receipt
        case .orderAlreadyExists(let order):
            self.init(.conflict, code: "order_already_exists", detail: "order \(order.externalId) of this store has a hold already")
            body.order = order
        case .customerExists(let customerId):
            self.init(.conflict, code: "customer_exists", detail: "a customer with this phone is registered already")
            body.customerId = customerId
        case .idempotencyKeyReused:
            self.init(.unprocessableContent, code: "idempotency_key_reused",
                      detail: "this Idempotency-Key was used with another request; use a new key for a new request")
        case .returnRefused(let refusal):
            self.init(.unprocessableContent, code: "return_exceeds_purchase", detail: refusal.message,
                      errors: [FieldError(field: refusal.field, message: refusal.message)])
        case .holdClosed(let status):
            self.init(.conflict, code: "order_not_held", detail: "the order's hold is \(status)")
        case .offlineRedemption:
            self.init(.unprocessableContent, code: "offline_redemption_not_allowed",
                      detail: "a receipt sent after the fact (offline) may earn points but not spend them")
        case .versionConflict(let current):
            self.init(.conflict, code: "version_conflict",
                      detail: "the program was changed by someone else (now version \(current)); read it again, reapply your change and send If-Match: \"\(current)\"")
        case .storageFull:
            self.init(.serviceUnavailable, code: "storage_full", detail: "the database is out of space; nothing was written, retry later")
            headers[.retryAfter] = "30"
        case .busy:
            self.init(.serviceUnavailable, code: "busy", detail: "too many concurrent changes to the same data; nothing was written, retry")
            headers[.retryAfter] = "1"
        case .cardNeedsPurchase(let threshold, let paid):
            let needed = "a card is issued after a purchase of at least \(formatHundredths(threshold))"
            let message = paid.map { "that purchase paid \(formatHundredths($0)); \(needed)" } ?? "\(needed): give the id of that anonymous receipt"
            self.init(.unprocessableContent, code: "card_needs_purchase", detail: message, errors: [FieldError(field: "purchaseReceiptId", message: message)])
        case .actionAlreadyRecorded(let action, let ref):
            let message = "the \(action) «\(ref)» was reported before: an action is rewarded once"
            self.init(.conflict, code: "action_already_recorded", detail: message, errors: [FieldError(field: "ref", message: message)])
        case .purchaseAlreadyClaimed:
            let message = "this purchase has given a card to another customer already: one purchase, one card"
            self.init(
                .unprocessableContent, code: "purchase_already_claimed", detail: message, errors: [FieldError(field: "purchaseReceiptId", message: message)])
        case .planLimit(let errors):
            self.init(.forbidden, code: "plan_limit", detail: errors.map(\.message).joined(separator: "; "), errors: errors)
        case .codeNotApplicable(let field, let code, let status):
            let why = status == "valid" ? "gives nothing on this receipt" : "cannot be used (\(status))"
            self.init(.unprocessableContent, code: "code_not_applicable", detail: "code \(code) \(why); remove it or calculate again",
                      errors: [FieldError(field: field, message: why)])
        case .confirmationRequired:
            let message = "the customer was named by phone: spending needs the code sent to their phone (POST /v1/customers/{id}/spend-codes) or their card"
            self.init(.forbidden, code: "confirmation_required", detail: message, errors: [FieldError(field: "confirmationCode", message: message)])
        case .confirmationFailed(let reason, let attemptsLeft):
            let message = switch reason {
            case "wrong": "is not the code sent; \(attemptsLeft) attempts left"
            case "expired": "has expired or was replaced by a newer code; ask for a new one"
            case "attempts_exhausted": "was entered wrong too many times; ask for a new one"
            case "used": "was used already; ask for a new one"
            default: "no code was sent to this customer; ask for one first"
            }
            self.init(.forbidden, code: "confirmation_code_invalid", detail: "confirmationCode \(message)",
                      errors: [FieldError(field: "confirmationCode", message: message)])
            body.reason = reason
            body.attemptsLeft = attemptsLeft
        case .confirmationNotEnabled:
            self.init(.conflict, code: "confirmation_not_enabled",
                      detail: "the program does not ask for spending confirmation (protection.confirmSpending), so no code is sent")
        case .tooManyCodes(let retryAfter):
            self.init(.tooManyRequests, code: "too_many_codes", detail: "too many codes were sent to this customer lately; retry in \(retryAfter) s")
            headers[.retryAfter] = String(retryAfter)
        case .cashierLimit(let rule, let detail):
            self.init(.forbidden, code: "cashier_limit", detail: detail)
            body.rule = rule
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONBody.response(status, body, contentType: "application/problem+json")
        response.headers.append(contentsOf: headers)
        return response
    }

    /// The problem as a stored idempotent response.
    var stored: StoredResponse { StoredResponse(status: status.code, body: JSONBody.encode(body)) }
}
