import Foundation
import KopilkaCore

/// What a join page's code step found.
public enum JoinCodeIssued: Sendable, Equatable {
    /// A code to confirm the phone was kept: send it.
    case sent
    /// The phone is a member's already: a cabinet sign-in code was kept instead, so the same form signs them in.
    case member
}

/// What joining with a code did.
public enum JoinOutcome: Sendable, Equatable {
    /// The new member.
    case joined(customerId: Int64)
    /// The code is wrong, used or expired; nothing was registered.
    case codeRefused
}

extension SQLStore {
    /// Keeps a code that confirms `phone` for joining (voiding its earlier ones) — or, when the phone is a member's, a
    /// cabinet sign-in code. Refused (`tooManyCodes`) past the hourly limit, which both kinds share.
    public func issueJoinCode(merchantId: Int64, phone: String, code: String, now: UnixSeconds) async throws -> JoinCodeIssued {
        if try await issueLoginCode(merchantId: merchantId, phone: phone, code: code, now: now) != nil { return .member }
        let id = nextID()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        return try await backend.write { db in
            let recent = try db.column(
                "SELECT COUNT(*) AS n FROM join_codes WHERE merchant_id = ? AND phone = ? AND created_at > ?",
                [merchantId, phone, now - 3_600], as: Int64.self)[0]
            guard recent < Self.loginCodesPerHour else { throw KopilkaError.tooManyCodes(retryAfter: 3_600) }
            try db.run("UPDATE join_codes SET used_at = ? WHERE merchant_id = ? AND phone = ? AND used_at IS NULL", [now, merchantId, phone])
            try db.run(
                "INSERT INTO join_codes (merchant_id, id, phone, salt, hash, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [merchantId, id, phone, Data(salt), Data(Self.codeHash(code, salt: salt)), now + Self.loginCodeSeconds, now])
            return .sent
        }
    }

    /// Registers `customer` if `code` is the live join code of their phone, in one transaction: the code is used up by
    /// the registration that it confirms, and a registration refused (the phone taken meanwhile, the plan full) leaves
    /// the code as it was. Every check counts, and a code guessed at too often is void.
    public func join(merchantId: Int64, _ customer: NewCustomer, code: String, now: UnixSeconds) async throws -> JoinOutcome {
        let customerId = nextID()
        return try await backend.write { db -> JoinOutcome in
            guard let row = try db.row(
                """
                SELECT id, salt, hash, attempts FROM join_codes
                WHERE merchant_id = ? AND phone = ? AND used_at IS NULL AND expires_at > ? ORDER BY id DESC LIMIT 1
                """, [merchantId, customer.phone, now])
            else { return .codeRefused }
            guard try Self.useCode(db, table: "join_codes", merchantId: merchantId, row, code: code, now: now) else { return .codeRefused }
            _ = try self.register(db, merchantId: merchantId, id: customerId, customer, now: now)
            return .joined(customerId: customerId)
        }
    }
}
