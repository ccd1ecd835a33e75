import Crypto
import Foundation
import KopilkaCore

/// A spending confirmation code saved for a customer: where to send it and until when it is valid.
public struct SpendCodeIssued: Sendable, Equatable {
    /// E.164, to send the code to.
    public var phone: String
    public var expiresAt: Instant
    /// Wrong codes allowed.
    public var attempts: Int
}

/// An operation that broke a cashier limit the merchant chose to flag rather than block.
public struct FraudFlagView: Codable, Sendable, Equatable {
    public var id: String
    /// `velocity` or `manual_adjustment`.
    public var rule: String
    public var customerId: String
    public var registerId: String?
    public var cashier: String?
    public var receiptId: String?
    public var detail: String
    public var createdAt: Instant
}

extension SQLStore {
    /// Codes sent to one customer within an hour, at most: with `codeAttempts` each, a bound on guessing.
    static let codesPerHour = 5

    /// Saves a new spending confirmation code for the customer (only its salted hash), voiding older ones.
    /// Refused when the program does not ask for confirmation or too many codes were sent lately; nil for no such customer.
    public func issueSpendCode(merchantId: Int64, customerId: Int64, code: String, now: UnixSeconds) async throws -> SpendCodeIssued? {
        try await backend.write { db -> SpendCodeIssued? in
            guard let row = try db.row("SELECT phone FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId]) else { return nil }
            let protection = try self.compiledProgram(db, merchantId: merchantId).0.rules.protection
            guard protection.confirmSpending else { throw KopilkaError.confirmationNotEnabled }
            // An erased customer has no phone to send to.
            guard let phone: String = row["phone"] else { throw KopilkaError.notFound("customer") }
            let recent = try db.rows(
                "SELECT created_at FROM spend_codes WHERE merchant_id = ? AND customer_id = ? AND created_at > ? ORDER BY created_at",
                [merchantId, customerId, now - 3600])
            if recent.count >= Self.codesPerHour {
                throw KopilkaError.tooManyCodes(retryAfter: Int(max(1, (recent[0]["created_at"] as Int64) + 3600 - now)))
            }
            try db.run(
                "UPDATE spend_codes SET expires_at = ? WHERE merchant_id = ? AND customer_id = ? AND used_at IS NULL AND expires_at > ?",
                [now, merchantId, customerId, now])
            let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let expiresAt = now + Int64(protection.codeLifetimeSeconds)
            try db.run(
                "INSERT INTO spend_codes (merchant_id, id, customer_id, salt, hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [merchantId, self.nextID(), customerId, Data(salt), Data(Self.codeHash(salt: salt, code: code)), expiresAt, now])
            return SpendCodeIssued(phone: phone, expiresAt: Instant(expiresAt), attempts: protection.codeAttempts)
        }
    }

    static func codeHash(salt: [UInt8], code: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(salt) + Data(code.utf8)))
    }

    /// The customer's newest code: the only one that can confirm (a new code voids the older ones).
    func latestSpendCode(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws -> SQLRow? {
        try db.row(
            "SELECT * FROM spend_codes WHERE merchant_id = ? AND customer_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", [merchantId, customerId])
    }

    static func matches(_ row: SQLRow, _ code: String) -> Bool {
        codeHash(salt: Array(row["salt"] as Data), code: code) == Array(row["hash"] as Data)
    }

    /// Checks a presented code against the customer's open code and counts the attempt — outside the operation's
    /// savepoint, so a wrong guess stays counted when the operation is refused. Nil when it matches (the operation
    /// then consumes it with `consumeSpendCode`) or when nothing was presented.
    func checkSpendCode(_ db: any SQLConnection, merchantId: Int64, customer key: CustomerKey?, code: String?, now: UnixSeconds) throws -> KopilkaError? {
        guard let code, let key, let customerId = try Self.customerId(db, merchantId: merchantId, key: key) else { return nil }
        let maxAttempts = try compiledProgram(db, merchantId: merchantId).0.rules.protection.codeAttempts
        guard let open = try latestSpendCode(db, merchantId: merchantId, customerId: customerId) else {
            return .confirmationFailed(reason: "not_requested", attemptsLeft: 0)
        }
        if open.value("used_at") != .null {
            // Used by this very request before (an idempotent replay is answered before this check) or by another.
            return .confirmationFailed(reason: "used", attemptsLeft: 0)
        }
        if (open["expires_at"] as Int64) <= now { return .confirmationFailed(reason: "expired", attemptsLeft: 0) }
        // The attempt is taken by the update itself, so concurrent guesses cannot share one.
        let counted = try db.run(
            "UPDATE spend_codes SET attempts = attempts + 1 WHERE merchant_id = ? AND id = ? AND attempts < ?",
            [merchantId, open["id"] as Int64, Int64(maxAttempts)])
        guard counted == 1 else { return .confirmationFailed(reason: "attempts_exhausted", attemptsLeft: 0) }
        guard Self.matches(open, code) else {
            let attempts: Int64 = try db.row("SELECT attempts FROM spend_codes WHERE merchant_id = ? AND id = ?", [merchantId, open["id"] as Int64])!["attempts"]
            return .confirmationFailed(reason: "wrong", attemptsLeft: max(0, maxAttempts - Int(attempts)))
        }
        return nil
    }

    /// Inside the operation: when the program asks for confirmation and the customer was not named by card, takes
    /// the code `checkSpendCode` accepted (once: a second operation with it is refused).
    func consumeSpendCode(
        _ db: any SQLConnection, merchantId: Int64, protection: Protection, customer key: CustomerKey?, customerId: Int64,
        code: String?, now: UnixSeconds
    ) throws {
        guard protection.confirmSpending else { return }
        if case .card = key { return }
        guard let code else { throw KopilkaError.confirmationRequired }
        guard let open = try latestSpendCode(db, merchantId: merchantId, customerId: customerId), Self.matches(open, code),
            (open["expires_at"] as Int64) > now
        else { throw KopilkaError.confirmationFailed(reason: "wrong", attemptsLeft: 0) }
        let taken = try db.run(
            "UPDATE spend_codes SET used_at = ? WHERE merchant_id = ? AND id = ? AND used_at IS NULL", [now, merchantId, open["id"] as Int64])
        guard taken == 1 else { throw KopilkaError.confirmationFailed(reason: "used", attemptsLeft: 0) }
    }

    func flag(
        _ db: any SQLConnection, merchantId: Int64, rule: String, customerId: Int64, registerId: Int64?, cashier: String?, receiptId: Int64?,
        detail: String, now: UnixSeconds
    ) throws {
        try db.run(
            """
            INSERT INTO fraud_flags (merchant_id, id, rule, customer_id, register_id, cashier, receipt_id, detail, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [merchantId, nextID(), rule, customerId, registerId, cashier, receiptId, detail, now])
    }

    /// The merchant's flags, newest first, before the id `before` (for paging).
    public func fraudFlags(merchantId: Int64, before: Int64?, limit: Int) async throws -> [FraudFlagView] {
        try await backend.read { db in
            try db.rows(
                "SELECT * FROM fraud_flags WHERE merchant_id = ? AND id < ? ORDER BY id DESC LIMIT ?",
                [merchantId, before ?? Int64.max, Int64(limit)]
            ).map { row in
                FraudFlagView(
                    id: String(row["id"] as Int64), rule: row["rule"], customerId: String(row["customer_id"] as Int64),
                    registerId: idString(row["register_id"]), cashier: row["cashier"], receiptId: idString(row["receipt_id"]),
                    detail: row["detail"], createdAt: Instant(row["created_at"]))
            }
        }
    }
}
