import Foundation
import KopilkaCore

extension SQLStore {
    /// Creates a merchant with the default program and its first admin key.
    public func createMerchant(name: String, currency: String = "RUB", plan: Plan = .monthly, now: UnixSeconds) async throws -> (MerchantView, IssuedKey) {
        let merchantId = nextID()
        return try await backend.write { db in
            try db.run(
                "INSERT INTO merchants (merchant_id, name, currency, plan, created_at) VALUES (?, ?, ?, ?, ?)",
                [merchantId, name, currency, plan.rawValue, now])
            let rules = try String(decoding: JSONEncoder().encode(ProgramRules()), as: UTF8.self)
            try db.run("INSERT INTO programs (merchant_id, version, rules, updated_at) VALUES (?, 1, ?, ?)", [merchantId, rules, now])
            try db.run("INSERT INTO program_versions (merchant_id, version, rules, created_at) VALUES (?, 1, ?, ?)", [merchantId, rules, now])
            let key = try self.insertKey(db, merchantId: merchantId, role: .admin, name: "admin", storeId: nil, registerId: nil, now: now)
            let merchant = MerchantView(id: String(merchantId), name: name, currency: currency, plan: plan, language: "ru")
            try self.audit(db, merchantId: merchantId, actor: .operator, "merchant.create", subject: "merchant", after: merchant, now: now)
            try self.audit(db, merchantId: merchantId, actor: .operator, "key.create", subject: "key:\(key.key.id)", after: key.key, now: now)
            return (merchant, key)
        }
    }

    /// The merchant, or nil.
    public func merchant(_ merchantId: Int64) async throws -> MerchantView? {
        try await backend.read { db in
            try db.row("SELECT name, currency, plan, language FROM merchants WHERE merchant_id = ?", [merchantId]).map {
                MerchantView(
                    id: String(merchantId), name: $0["name"], currency: $0["currency"], plan: Plan(rawValue: $0["plan"]) ?? .monthly,
                    language: $0["language"])
            }
        }
    }

    /// Sets the language of the merchant's API answers (`ru` or `en`).
    public func setLanguage(merchantId: Int64, language: String, now: UnixSeconds, actor: AuditActor) async throws -> MerchantView {
        guard ["ru", "en"].contains(language) else { throw KopilkaError.validation([FieldError(field: "language", message: "must be ru or en")]) }
        try await backend.write { db in
            let before: String? = try db.row("SELECT language FROM merchants WHERE merchant_id = ?", [merchantId])?["language"]
            guard let before else { throw KopilkaError.notFound("merchant") }
            try db.run("UPDATE merchants SET language = ? WHERE merchant_id = ?", [language, merchantId])
            try self.audit(db, merchantId: merchantId, actor: actor, "merchant.language", subject: "merchant", before: before, after: language, now: now)
        }
        guard let merchant = try await merchant(merchantId) else { throw KopilkaError.notFound("merchant") }
        return merchant
    }

    /// A key by its hash, with its merchant's language: found before the merchant is known (api_keys is a reference table).
    static let principalByHash = "SELECT k.merchant_id, k.id, k.role, k.store_id, k.register_id, m.language FROM api_keys k "
        + "JOIN merchants m ON m.merchant_id = k.merchant_id WHERE k.hash = ? AND k.revoked_at IS NULL"

    /// Who a key acts as, or nil for an unknown or revoked key.
    public func principal(forKeyHash hash: [UInt8]) async throws -> Principal? {
        try await backend.read { db in
            try db.row(Self.principalByHash, [Data(hash)]).map {
                Principal(
                    merchantId: $0["merchant_id"], keyId: $0["id"], role: Principal.Role(rawValue: $0["role"]) ?? .register,
                    storeId: $0["store_id"], registerId: $0["register_id"], language: $0["language"])
            }
        }
    }

    /// Opens a store.
    public func createStore(
        merchantId: Int64, name: String, timeZone: String, now: UnixSeconds, actor: AuditActor = .operator
    ) async throws -> StoreView {
        let id = nextID()
        return try await backend.write { db in
            try db.run(
                "INSERT INTO stores (merchant_id, id, name, time_zone, created_at) VALUES (?, ?, ?, ?, ?)",
                [merchantId, id, name, timeZone, now])
            let store = StoreView(id: String(id), name: name, timeZone: timeZone)
            try self.audit(db, merchantId: merchantId, actor: actor, "store.create", subject: "store:\(id)", after: store, now: now)
            return store
        }
    }

    /// The merchant's stores.
    public func stores(merchantId: Int64) async throws -> [StoreView] {
        try await backend.read { db in
            try db.rows("SELECT id, name, time_zone FROM stores WHERE merchant_id = ? ORDER BY id", [merchantId]).map {
                StoreView(id: String($0["id"] as Int64), name: $0["name"], timeZone: $0["time_zone"])
            }
        }
    }

    /// Adds a register to a store and issues its key.
    public func createRegister(
        merchantId: Int64, storeId: Int64, name: String, now: UnixSeconds, actor: AuditActor = .operator
    ) async throws -> (RegisterView, IssuedKey) {
        let id = nextID()
        return try await backend.write { db in
            guard try db.row("SELECT 1 FROM stores WHERE merchant_id = ? AND id = ?", [merchantId, storeId]) != nil else {
                throw KopilkaError.notFound("store")
            }
            try db.run(
                "INSERT INTO registers (merchant_id, id, store_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
                [merchantId, id, storeId, name, now])
            let key = try self.insertKey(db, merchantId: merchantId, role: .register, name: name, storeId: storeId, registerId: id, now: now)
            let register = RegisterView(id: String(id), storeId: String(storeId), name: name)
            try self.audit(db, merchantId: merchantId, actor: actor, "register.create", subject: "register:\(id)", after: register, now: now)
            try self.audit(db, merchantId: merchantId, actor: actor, "key.create", subject: "key:\(key.key.id)", after: key.key, now: now)
            return (register, key)
        }
    }

    /// The registers of the merchant (of one store when `storeId` is given).
    public func registers(merchantId: Int64, storeId: Int64?) async throws -> [RegisterView] {
        try await backend.read { db in
            try db.rows(
                "SELECT id, store_id, name FROM registers WHERE merchant_id = ? AND (CAST(? AS BIGINT) IS NULL OR store_id = ?) ORDER BY id",
                [merchantId, storeId, storeId]
            ).map { RegisterView(id: String($0["id"] as Int64), storeId: String($0["store_id"] as Int64), name: $0["name"]) }
        }
    }

    /// Issues another admin key.
    public func createAdminKey(merchantId: Int64, name: String, now: UnixSeconds, actor: AuditActor = .operator) async throws -> IssuedKey {
        try await backend.write { db in
            let key = try self.insertKey(db, merchantId: merchantId, role: .admin, name: name, storeId: nil, registerId: nil, now: now)
            try self.audit(db, merchantId: merchantId, actor: actor, "key.create", subject: "key:\(key.key.id)", after: key.key, now: now)
            return key
        }
    }

    /// The merchant's keys (prefixes only).
    public func keys(merchantId: Int64) async throws -> [KeyView] {
        try await backend.read { db in
            try db.rows("SELECT * FROM api_keys WHERE merchant_id = ? ORDER BY id", [merchantId]).map(KeyView.init(row:))
        }
    }

    /// Revokes a key; it fails from the next request on. Revoking twice keeps the first time.
    public func revokeKey(merchantId: Int64, keyId: Int64, now: UnixSeconds, actor: AuditActor = .operator) async throws -> KeyView {
        try await backend.write { db in
            guard let row = try db.row("SELECT * FROM api_keys WHERE merchant_id = ? AND id = ?", [merchantId, keyId]) else {
                throw KopilkaError.notFound("key")
            }
            let before = KeyView(row: row)
            guard before.revokedAt == nil else { return before }
            try db.run("UPDATE api_keys SET revoked_at = ? WHERE merchant_id = ? AND id = ?", [now, merchantId, keyId])
            var after = before
            after.revokedAt = Instant(now)
            try self.audit(db, merchantId: merchantId, actor: actor, "key.revoke", subject: "key:\(keyId)", before: before, after: after, now: now)
            return after
        }
    }

    func insertKey(
        _ db: any SQLConnection, merchantId: Int64, role: Principal.Role, name: String, storeId: Int64?, registerId: Int64?, now: UnixSeconds
    ) throws -> IssuedKey {
        let secret = ApiKeys.generate(role: role)
        let id = nextID()
        let prefix = ApiKeys.displayPrefix(secret)
        try db.run(
            """
            INSERT INTO api_keys (merchant_id, id, hash, prefix, role, name, store_id, register_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [merchantId, id, Data(ApiKeys.hash(secret)), prefix, role.rawValue, name, storeId, registerId, now])
        let view = KeyView(
            id: String(id), prefix: prefix, role: role, name: name, storeId: idString(storeId), registerId: idString(registerId),
            createdAt: Instant(now), revokedAt: nil)
        return IssuedKey(key: view, secret: secret)
    }

    /// The merchant's program.
    public func program(merchantId: Int64) async throws -> ProgramView {
        try await backend.read { db in try self.program(db, merchantId: merchantId) }
    }

    /// The merchant's program, compiled for the engine (compiled once per version and kept).
    public func compiledProgram(merchantId: Int64) async throws -> (ProgramView, CompiledProgram) {
        try await backend.read { db in try self.compiledProgram(db, merchantId: merchantId) }
    }

    func program(_ db: any SQLConnection, merchantId: Int64) throws -> ProgramView {
        try compiledProgram(db, merchantId: merchantId).0
    }

    /// The program as of this transaction. In a read snapshot only its version is read while the cache holds that
    /// version as committed (a version is written once, so it names one text for good). In a write transaction the
    /// stored text is read and compared whole, so a cache filled by a transaction that later rolled back is never served.
    /// `version`: the program's version as this snapshot already read it (with the customer's row), so that the cache
    /// is checked without a statement of its own.
    func compiledProgram(_ db: any SQLConnection, merchantId: Int64, version known: Int64? = nil) throws -> (ProgramView, CompiledProgram) {
        if db.isSnapshot, let cached = programs.withLock({ $0[merchantId] }), cached.committed,
            let version: Int64 = try known ?? db.row("SELECT version FROM programs WHERE merchant_id = ?", [merchantId])?["version"],
            version == cached.program.version
        {
            return (cached.program, cached.compiled)
        }
        guard let row = try db.row("SELECT version, rules, updated_at FROM programs WHERE merchant_id = ?", [merchantId]) else {
            throw KopilkaError.notFound("program")
        }
        let text: String = row["rules"]
        let version: Int64 = row["version"]
        if let cached = programs.withLock({ $0[merchantId] }), cached.text == text, cached.program.version == version {
            if db.isSnapshot, !cached.committed { programs.withLock { $0[merchantId]?.committed = true } }
            return (cached.program, cached.compiled)
        }
        var rules = try JSONDecoder().decode(ProgramRules.self, from: Data(text.utf8))
        // Saved before settings a period does not read were refused: read without them, so the program saves again.
        rules.forgetUnreadSettings()
        let program = ProgramView(version: version, rules: rules, updatedAt: Instant(row["updated_at"]))
        let compiled = CompiledProgram(rules)
        programs.withLock { $0[merchantId] = CachedProgram(text: text, program: program, compiled: compiled, committed: db.isSnapshot) }
        return (program, compiled)
    }

    /// Replaces the program's rules; the version goes up by one and the old version stays readable. Refuses rules out
    /// of range (`validation`, time zones included), and with `expectedVersion` (`versionConflict`) when someone else
    /// changed the program since it was read.
    public func updateProgram(
        merchantId: Int64, rules: ProgramRules, expectedVersion: Int64?, now: UnixSeconds, actor: AuditActor = .operator
    ) async throws -> ProgramView {
        let problems = rules.violationsWithTimeZones()
        guard problems.isEmpty else { throw KopilkaError.validation(problems) }
        let json = try String(decoding: JSONEncoder().encode(rules), as: UTF8.self)
        return try await backend.write { db in
            let planErrors = rules.planViolations(try self.plan(db, merchantId: merchantId))
            guard planErrors.isEmpty else { throw KopilkaError.planLimit(planErrors) }
            let current = try self.program(db, merchantId: merchantId)
            if let expectedVersion, expectedVersion != current.version { throw KopilkaError.versionConflict(current: current.version) }
            try db.run("UPDATE programs SET version = ?, rules = ?, updated_at = ? WHERE merchant_id = ?", [current.version + 1, json, now, merchantId])
            try db.run(
                "INSERT INTO program_versions (merchant_id, version, rules, created_at) VALUES (?, ?, ?, ?)",
                [merchantId, current.version + 1, json, now])
            let updated = try self.program(db, merchantId: merchantId)
            try self.audit(db, merchantId: merchantId, actor: actor, "program.update", subject: "program", before: current, after: updated, now: now)
            return updated
        }
    }

    /// One version of the program, as it was; nil if there is no such version.
    public func programVersion(merchantId: Int64, version: Int64) async throws -> ProgramView? {
        try await backend.read { db in
            try db.row("SELECT rules, created_at FROM program_versions WHERE merchant_id = ? AND version = ?", [merchantId, version]).map {
                ProgramView(
                    version: version, rules: try JSONDecoder().decode(ProgramRules.self, from: Data(($0["rules"] as String).utf8)),
                    updatedAt: Instant($0["created_at"]))
            }
        }
    }

    /// The ids of every merchant (for maintenance and verification).
    public func merchantIds() async throws -> [Int64] {
        try await backend.read { db in try db.column("SELECT merchant_id FROM merchants ORDER BY merchant_id", [], as: Int64.self) }
    }

    /// Whether the store belongs to the merchant.
    public func storeExists(merchantId: Int64, storeId: Int64) async throws -> Bool {
        try await backend.read { db in try db.row("SELECT 1 FROM stores WHERE merchant_id = ? AND id = ?", [merchantId, storeId]) != nil }
    }
}

extension KeyView {
    init(row: SQLRow) {
        self.init(
            id: String(row["id"] as Int64), prefix: row["prefix"], role: Principal.Role(rawValue: row["role"]) ?? .register,
            name: row["name"], storeId: idString(row["store_id"]), registerId: idString(row["register_id"]),
            createdAt: Instant(row["created_at"]), revokedAt: (row["revoked_at"] as UnixSeconds?).map(Instant.init))
    }
}
