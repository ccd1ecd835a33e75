import Foundation
import KopilkaCore

/// What a member of the merchant's staff may do in the web console.
public enum StaffRole: String, Codable, Sendable, CaseIterable {
    /// Everything: program, staff, customers, dashboard, cashier.
    case owner
    /// Program, customers and dashboard; no staff.
    case marketer
    /// The web cashier and finding customers.
    case cashier
}

/// A member of staff as listed (never the password's hash).
public struct StaffView: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String
    public var role: StaffRole
    public var createdAt: Instant
    public var disabledAt: Instant?
}

/// A password as stored: a slow hash, its salt and the parameters it was made with.
public struct PasswordHash: Sendable, Equatable {
    public var hash: [UInt8]
    public var salt: [UInt8]
    /// The KDF and its cost, e.g. `scrypt:32768:8:1`.
    public var params: String

    public init(hash: [UInt8], salt: [UInt8], params: String) {
        self.hash = hash
        self.salt = salt
        self.params = params
    }
}

/// A signed-in browser: staff in the console, or a customer in their cabinet.
public struct WebSession: Sendable, Equatable {
    public var merchantId: Int64
    public var sessionId: Int64
    /// The member of staff, for a console session.
    public var staff: StaffView?
    /// The customer, for a cabinet session.
    public var customerId: Int64?
    /// The token every form of this session must carry.
    public var csrf: String
    public var expiresAt: UnixSeconds
}

extension AuditActor {
    /// A member of staff signed in to the web console.
    public static func staff(_ id: Int64) -> AuditActor { AuditActor(description: "staff:\(id)") }
}

extension SQLStore {
    /// Adds a member of staff; the email (lowercased) must not be taken by anyone, at any merchant.
    public func createStaff(
        merchantId: Int64, email: String, name: String, role: StaffRole, password: PasswordHash, now: UnixSeconds, actor: AuditActor
    ) async throws -> StaffView {
        let id = nextID()
        let email = email.lowercased()
        return try await backend.write { db in
            guard try db.row("SELECT 1 FROM merchants WHERE merchant_id = ?", [merchantId]) != nil else { throw KopilkaError.notFound("merchant") }
            if try db.row("SELECT 1 FROM staff WHERE email = ?", [email]) != nil {
                throw KopilkaError.validation([FieldError(field: "email", message: "is already taken")])
            }
            try db.run(
                """
                INSERT INTO staff (merchant_id, id, email, name, role, password_hash, password_salt, password_params, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [merchantId, id, email, name, role.rawValue, Data(password.hash), Data(password.salt), password.params, now])
            let view = StaffView(id: String(id), email: email, name: name, role: role, createdAt: Instant(now), disabledAt: nil)
            try self.audit(db, merchantId: merchantId, actor: actor, "staff.create", subject: "staff:\(id)", after: view, now: now)
            return view
        }
    }

    /// The merchant's staff, oldest first.
    public func staff(merchantId: Int64) async throws -> [StaffView] {
        try await backend.read { db in
            try db.rows("SELECT * FROM staff WHERE merchant_id = ? ORDER BY id", [merchantId]).map(StaffView.init(row:))
        }
    }

    /// The member of staff with this email (any merchant) and their password hash; nil when there is none or they are
    /// disabled.
    public func staffCredentials(email: String) async throws -> (merchantId: Int64, staff: StaffView, password: PasswordHash)? {
        try await backend.read { db in
            guard let row = try db.row("SELECT * FROM staff WHERE email = ? AND disabled_at IS NULL", [email.lowercased()]) else { return nil }
            let password = PasswordHash(
                hash: Array(row["password_hash"] as Data), salt: Array(row["password_salt"] as Data), params: row["password_params"])
            return (row["merchant_id"], StaffView(row: row), password)
        }
    }

    /// Opens a session for a member of staff or a customer; the cookie carries the token, the database its hash.
    public func openSession(
        merchantId: Int64, staffId: Int64?, customerId: Int64?, tokenHash: [UInt8], csrf: String, expiresAt: UnixSeconds, now: UnixSeconds
    ) async throws {
        let id = nextID()
        try await backend.write { db in
            // Sessions ended long ago go as new ones come.
            try db.run("DELETE FROM web_sessions WHERE merchant_id = ? AND expires_at < ?", [merchantId, now - 86_400])
            try db.run(
                """
                INSERT INTO web_sessions (merchant_id, id, token_hash, staff_id, customer_id, csrf, expires_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [merchantId, id, Data(tokenHash), staffId, customerId, csrf, expiresAt, now])
        }
    }

    /// The live session with this token hash, with its member of staff (who must not be disabled); nil otherwise.
    public func session(tokenHash: [UInt8], now: UnixSeconds) async throws -> WebSession? {
        try await backend.read { db in
            guard let row = try db.row("SELECT * FROM web_sessions WHERE token_hash = ? AND expires_at > ?", [Data(tokenHash), now]) else {
                return nil
            }
            let merchantId: Int64 = row["merchant_id"]
            var staff: StaffView?
            if let staffId: Int64 = row["staff_id"] {
                guard let staffRow = try db.row("SELECT * FROM staff WHERE merchant_id = ? AND id = ? AND disabled_at IS NULL", [merchantId, staffId])
                else { return nil }
                staff = StaffView(row: staffRow)
            }
            return WebSession(
                merchantId: merchantId, sessionId: row["id"], staff: staff, customerId: row["customer_id"], csrf: row["csrf"],
                expiresAt: row["expires_at"])
        }
    }

    /// Changes a member of staff's role, or disables (`disabled: true`) or restores them. A disabled member's sessions
    /// end at once. The merchant always keeps one active owner: the last one can be neither demoted nor disabled.
    public func updateStaff(
        merchantId: Int64, staffId: Int64, role: StaffRole, disabled: Bool, now: UnixSeconds, actor: AuditActor
    ) async throws -> StaffView {
        try await backend.write { db in
            guard let row = try db.row("SELECT * FROM staff WHERE merchant_id = ? AND id = ?", [merchantId, staffId]) else {
                throw KopilkaError.notFound("staff")
            }
            let before = StaffView(row: row)
            let stillOwner = role == .owner && !disabled
            if before.role == .owner, before.disabledAt == nil, !stillOwner {
                let owners: Int64 = try db.row(
                    "SELECT COUNT(*) AS n FROM staff WHERE merchant_id = ? AND role = 'owner' AND disabled_at IS NULL", [merchantId])!["n"]
                if owners <= 1 { throw KopilkaError.validation([FieldError(field: "role", message: "the last active owner cannot be demoted or disabled")]) }
            }
            let disabledAt: Int64? = disabled ? (before.disabledAt?.seconds ?? now) : nil
            try db.run("UPDATE staff SET role = ?, disabled_at = ? WHERE merchant_id = ? AND id = ?", [role.rawValue, disabledAt, merchantId, staffId])
            if disabled { try db.run("DELETE FROM web_sessions WHERE merchant_id = ? AND staff_id = ?", [merchantId, staffId]) }
            var after = before
            after.role = role
            after.disabledAt = disabledAt.map(Instant.init)
            try self.audit(db, merchantId: merchantId, actor: actor, "staff.update", subject: "staff:\(staffId)", before: before, after: after, now: now)
            return after
        }
    }

    /// Sets a member of staff's password (a new one the owner hands over); their sessions end, so the old password's
    /// sign-ins stop working too.
    public func setStaffPassword(merchantId: Int64, staffId: Int64, password: PasswordHash, now: UnixSeconds, actor: AuditActor) async throws {
        try await backend.write { db in
            let changed = try db.run(
                "UPDATE staff SET password_hash = ?, password_salt = ?, password_params = ? WHERE merchant_id = ? AND id = ?",
                [Data(password.hash), Data(password.salt), password.params, merchantId, staffId])
            guard changed > 0 else { throw KopilkaError.notFound("staff") }
            try db.run("DELETE FROM web_sessions WHERE merchant_id = ? AND staff_id = ?", [merchantId, staffId])
            try self.audit(db, merchantId: merchantId, actor: actor, "staff.password", subject: "staff:\(staffId)", now: now)
        }
    }

    /// Ends a session (signing out).
    public func closeSession(tokenHash: [UInt8]) async throws {
        try await backend.write { db in _ = try db.run("DELETE FROM web_sessions WHERE token_hash = ?", [Data(tokenHash)]) }
    }
}

extension StaffView {
    init(row: SQLRow) {
        self.init(
            id: String(row["id"] as Int64), email: row["email"], name: row["name"], role: StaffRole(rawValue: row["role"]) ?? .cashier,
            createdAt: Instant(row["created_at"]), disabledAt: (row["disabled_at"] as UnixSeconds?).map(Instant.init))
    }
}
