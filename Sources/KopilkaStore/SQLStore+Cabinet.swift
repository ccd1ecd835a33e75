import Crypto
import Foundation
import KopilkaCore

extension AuditActor {
    /// A customer in their own cabinet.
    public static func customer(_ id: Int64) -> AuditActor { AuditActor(description: "customer:\(id)") }
}

extension SQLStore {
    /// How long a cabinet sign-in code lives, how many guesses it allows, and how many a phone gets an hour.
    public static let loginCodeSeconds: Int64 = 300
    public static let loginCodeAttempts = 5
    public static let loginCodesPerHour = 5

    /// Keeps a sign-in code for the member with this phone (voiding their earlier ones); nil when no (unerased) member
    /// has the phone. Refused (`tooManyCodes`) past the hourly limit.
    public func issueLoginCode(merchantId: Int64, phone: String, code: String, now: UnixSeconds) async throws -> Int64? {
        let id = nextID()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        return try await backend.write { db -> Int64? in
            guard let customerId: Int64 = try db.row(
                "SELECT id FROM customers WHERE merchant_id = ? AND phone = ? AND erased_at IS NULL", [merchantId, phone])?["id"]
            else { return nil }
            let recent = try db.column(
                "SELECT COUNT(*) AS n FROM login_codes WHERE merchant_id = ? AND customer_id = ? AND created_at > ?",
                [merchantId, customerId, now - 3_600], as: Int64.self)[0]
            guard recent < Self.loginCodesPerHour else { throw KopilkaError.tooManyCodes(retryAfter: 3_600) }
            try db.run(
                "UPDATE login_codes SET used_at = ? WHERE merchant_id = ? AND customer_id = ? AND used_at IS NULL", [now, merchantId, customerId])
            try db.run(
                """
                INSERT INTO login_codes (merchant_id, id, customer_id, salt, hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, [merchantId, id, customerId, Data(salt), Data(Self.codeHash(code, salt: salt)), now + Self.loginCodeSeconds, now])
            return customerId
        }
    }

    /// Checks a sign-in code: the customer when it is their live code (it is then used up), nil otherwise. Every check
    /// counts, and a code guessed at too often is void.
    public func useLoginCode(merchantId: Int64, phone: String, code: String, now: UnixSeconds) async throws -> Int64? {
        try await backend.write { db -> Int64? in
            guard let row = try db.row(
                """
                SELECT l.id, l.customer_id, l.salt, l.hash, l.attempts FROM login_codes l
                JOIN customers c ON c.merchant_id = l.merchant_id AND c.id = l.customer_id
                WHERE l.merchant_id = ? AND c.phone = ? AND l.used_at IS NULL AND l.expires_at > ?
                ORDER BY l.id DESC LIMIT 1
                """, [merchantId, phone, now])
            else { return nil }
            return try Self.useCode(db, table: "login_codes", merchantId: merchantId, row, code: code, now: now) ? row["customer_id"] : nil
        }
    }

    /// One check of a one-time code (`row`: its `id`, `salt`, `hash`, `attempts` in `table`): true when it matches, and
    /// it is then used up. Every check counts, and the last wrong guess voids the code.
    static func useCode(_ db: any SQLConnection, table: String, merchantId: Int64, _ row: SQLRow, code: String, now: UnixSeconds) throws -> Bool {
        let id: Int64 = row["id"], attempts: Int = row["attempts"]
        // The attempt is taken by the update itself, before the code is compared: concurrent guesses cannot share one.
        guard try db.run(
            "UPDATE \(table) SET attempts = attempts + 1 WHERE merchant_id = ? AND id = ? AND attempts < ? AND used_at IS NULL",
            [merchantId, id, loginCodeAttempts]) == 1
        else { return false }
        let matches = codeHash(code, salt: Array(row["salt"] as Data)) == Array(row["hash"] as Data)
        guard matches || attempts + 1 >= loginCodeAttempts else { return false }
        // Used up by a match, or void after the last wrong guess; a match counts once.
        let closed = try db.run("UPDATE \(table) SET used_at = ? WHERE merchant_id = ? AND id = ? AND used_at IS NULL", [now, merchantId, id])
        return matches && closed == 1
    }

    /// Gives or withdraws the customer's consent to marketing messages (audited).
    public func setMarketingConsent(merchantId: Int64, customerId: Int64, consent: Bool, now: UnixSeconds, actor: AuditActor) async throws {
        try await backend.write { db in
            guard try db.run(
                "UPDATE customers SET marketing_consent = ?, marketing_consent_at = ? WHERE merchant_id = ? AND id = ? AND erased_at IS NULL",
                [consent, now, merchantId, customerId]) == 1
            else { throw KopilkaError.notFound("customer") }
            try self.audit(
                db, merchantId: merchantId, actor: actor, "customer.consent", subject: "customer:\(customerId)", after: ["marketing": consent], now: now)
        }
    }

    static func codeHash(_ code: String, salt: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: salt + Array(code.utf8)))
    }
}
