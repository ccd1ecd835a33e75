import KopilkaCore

/// What a use case refuses, with the context the edge needs to explain it. The server turns each case
/// into problem+json in one place.
public enum KopilkaError: Error, Sendable {
    /// The request is malformed; each field at fault with a message.
    case validation([FieldError])
    /// The object does not exist for this merchant (or belongs to another: same answer).
    case notFound(String)
    /// The key may not do this.
    case forbidden(String)
    /// The customer's spendable balance does not cover the points asked for.
    case insufficientPoints(requested: Points, spendable: Points)
    /// The points asked for exceed what the program allows on this receipt.
    case redemptionLimitExceeded(requested: Points, limit: Points, because: Reason?)
    /// The receipt (store + externalId) was registered before; carries it.
    case receiptAlreadyRegistered(ReceiptView)
    /// An order (store + externalId) already has a hold; carries it.
    case orderAlreadyExists(HoldView)
    /// A customer with this phone is registered already; carries the id.
    case customerExists(customerId: String)
    /// The idempotency key was used with another request body.
    case idempotencyKeyReused
    /// A return asks for more than is left of a line, or names a line twice or one that does not exist.
    case returnRefused(ReturnCalculator.Refusal)
    /// The hold is not held any more (confirmed, cancelled or expired).
    case holdClosed(status: String)
    /// An offline receipt asks to spend points, which needs the server at the time of sale.
    case offlineRedemption
    /// The program changed since the caller read it (another admin saved first).
    case versionConflict(current: Int64)
    /// The database is out of space: nothing was written.
    case storageFull
    /// The write kept colliding with concurrent writes to the same data (PostgreSQL, after every retry): nothing was written.
    case busy
    /// The program issues cards only after a purchase of `threshold`, and the registration names no such receipt:
    /// none, or one that paid only `paid` (after returns).
    case cardNeedsPurchase(threshold: Kopecks, paid: Kopecks?)
    /// The purchase named to earn a card gave a card to another customer already.
    case purchaseAlreadyClaimed
    /// The action with this id was reported (and rewarded) before.
    case actionAlreadyRecorded(action: String, ref: String)
    /// The merchant's plan does not include this; the fields at fault.
    case planLimit([FieldError])
    /// A presented code gives nothing on this receipt (used, expired, unknown, or its promotion does not apply).
    case codeNotApplicable(field: String, code: String, status: String)
    /// Spending needs the code sent to the customer's phone (they were named by phone or id, not by card).
    case confirmationRequired
    /// The confirmation code does not confirm: `wrong`, `expired` (or voided by a newer code), `attempts_exhausted`,
    /// `used` or `not_requested`; with the attempts left on the open code.
    case confirmationFailed(reason: String, attemptsLeft: Int)
    /// The program does not ask for spending confirmation, so no code is sent.
    case confirmationNotEnabled
    /// Too many codes were sent to this customer lately; retry after this many seconds.
    case tooManyCodes(retryAfter: Int)
    /// A cashier limit blocked the operation: the rule (`velocity`, `manual_adjustment`) and why.
    case cashierLimit(rule: String, detail: String)
}

/// A response stored with its idempotency key and returned, byte for byte, on every replay.
public struct StoredResponse: Sendable, Equatable {
    /// HTTP status.
    public var status: Int
    /// The JSON body.
    public var body: [UInt8]
    /// True when this is a replay of an earlier request's response.
    public var replayed: Bool

    public init(status: Int, body: [UInt8], replayed: Bool = false) {
        self.status = status
        self.body = body
        self.replayed = replayed
    }
}

/// A points-moving request's idempotency key and what identifies its body.
public struct IdempotencyKey: Sendable {
    /// The client's key (≤ 255 characters), scoped to the merchant.
    public var key: String
    /// SHA-256 of method, path and body: another body under the same key is refused.
    public var requestHash: [UInt8]

    public init(key: String, requestHash: [UInt8]) {
        self.key = key
        self.requestHash = requestHash
    }
}

/// Turns a use case's outcome into the response stored with the idempotency key.
public typealias ResponseRenderer<T> = @Sendable (Result<T, KopilkaError>) -> StoredResponse
