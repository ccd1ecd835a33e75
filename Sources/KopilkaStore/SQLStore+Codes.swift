import Foundation
import KopilkaCore

/// A batch of codes to create: generated single-use coupons, or one code many people type ("SUMMER25").
public struct NewCodeBatch: Sendable, Equatable {
    public var name: String
    /// The promotion the codes unlock (it should require a code).
    public var promotionId: String?
    /// Points each use gives, in hundredths.
    public var points: Points
    /// How many codes to generate; nil with `code`.
    public var count: Int?
    /// One code chosen by the merchant, instead of generated ones.
    public var code: String?
    /// Letters put before generated codes (`NY`).
    public var prefix: String
    public var validFrom: UnixSeconds?
    public var validUntil: UnixSeconds?
    /// Uses of each code; nil for any number.
    public var usesPerCode: Int64?
    /// Uses of the batch by one customer; nil for any number (and anonymous receipts allowed).
    public var usesPerCustomer: Int64?

    public init(
        name: String, promotionId: String? = nil, points: Points = 0, count: Int? = nil, code: String? = nil, prefix: String = "",
        validFrom: UnixSeconds? = nil, validUntil: UnixSeconds? = nil, usesPerCode: Int64? = 1, usesPerCustomer: Int64? = nil
    ) {
        self.name = name
        self.promotionId = promotionId
        self.points = points
        self.count = count
        self.code = code
        self.prefix = prefix
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.usesPerCode = usesPerCode
        self.usesPerCustomer = usesPerCustomer
    }
}

extension SQLStore {
    /// Creates a batch and its codes in one transaction. Refused on a plan without promotions, and when the
    /// promotion it names is not in the program.
    public func createCodeBatch(
        merchantId: Int64, _ batch: NewCodeBatch, now: UnixSeconds, actor: AuditActor = .operator
    ) async throws -> CodeBatchView {
        let batchId = nextID()
        return try await backend.write { db in
            let plan = try self.plan(db, merchantId: merchantId)
            guard plan.includesPromotions else {
                throw KopilkaError.planLimit([FieldError(field: "plan", message: "the \(plan.rawValue) plan includes the loyalty program only, not promo codes")])
            }
            if let promotionId = batch.promotionId, try !self.program(db, merchantId: merchantId).rules.promotions.contains(where: { $0.id == promotionId }) {
                throw KopilkaError.validation([FieldError(field: "promotionId", message: "the program has no promotion `\(promotionId)`")])
            }
            var codes: [String] = []
            if let code = batch.code {
                let normalized = PromoCode.normalize(code)
                if try db.row("SELECT 1 FROM codes WHERE merchant_id = ? AND code = ?", [merchantId, normalized]) != nil {
                    throw KopilkaError.validation([FieldError(field: "code", message: "the code exists already")])
                }
                try db.run("INSERT INTO codes (merchant_id, code, batch_id) VALUES (?, ?, ?)", [merchantId, normalized, batchId])
                codes = [normalized]
            } else {
                var random = SystemRandomNumberGenerator()
                let prefix = PromoCode.normalize(batch.prefix)
                codes.reserveCapacity(batch.count ?? 0)
                while codes.count < batch.count ?? 0 {
                    let code = PromoCode.generate(prefix: prefix, using: &random)
                    // 60 random bits: a collision is rare, and simply drawn again.
                    let inserted = try db.run(
                        "INSERT INTO codes (merchant_id, code, batch_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [merchantId, code, batchId])
                    if inserted == 1 { codes.append(code) }
                }
            }
            try db.run(
                """
                INSERT INTO code_batches (merchant_id, id, name, promotion_id, points, valid_from, valid_until, uses_per_code, uses_per_customer,
                                          code_count, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [merchantId, batchId, batch.name, batch.promotionId, batch.points, batch.validFrom, batch.validUntil, batch.usesPerCode,
                 batch.usesPerCustomer, codes.count, now])
            var view = try Self.codeBatchView(db, merchantId: merchantId, batchId: batchId)!
            // The codes themselves are not recorded: single-use codes are worth money.
            try self.audit(db, merchantId: merchantId, actor: actor, "codes.create", subject: "code-batch:\(batchId)", after: view, now: now)
            let prefixLength = batch.code == nil ? PromoCode.normalize(batch.prefix).count : codes[0].count
            view.codes = codes.count <= 1000 ? codes.map { PromoCode.display($0, prefixLength: prefixLength) } : nil
            return view
        }
    }

    /// The merchant's code batches, newest first.
    public func codeBatches(merchantId: Int64) async throws -> [CodeBatchView] {
        try await backend.read { db in
            try db.rows("SELECT * FROM code_batches WHERE merchant_id = ? ORDER BY id DESC", [merchantId]).map(Self.codeBatchView(row:))
        }
    }

    /// A batch's codes with their uses, for a CSV export; nil when there is no such batch.
    public func codes(merchantId: Int64, batchId: Int64) async throws -> [(code: String, uses: Int64)]? {
        try await backend.read { db in
            guard try db.row("SELECT 1 FROM code_batches WHERE merchant_id = ? AND id = ?", [merchantId, batchId]) != nil else { return nil }
            return try db.rows("SELECT code, uses FROM codes WHERE merchant_id = ? AND batch_id = ? ORDER BY code", [merchantId, batchId]).map {
                ($0["code"], $0["uses"])
            }
        }
    }

    static func codeBatchView(_ db: any SQLConnection, merchantId: Int64, batchId: Int64) throws -> CodeBatchView? {
        try db.row("SELECT * FROM code_batches WHERE merchant_id = ? AND id = ?", [merchantId, batchId]).map(codeBatchView(row:))
    }

    static func codeBatchView(row: SQLRow) -> CodeBatchView {
        CodeBatchView(
            id: String(row["id"] as Int64), name: row["name"], promotionId: row["promotion_id"], points: row["points"],
            validFrom: (row["valid_from"] as UnixSeconds?).map(Instant.init), validUntil: (row["valid_until"] as UnixSeconds?).map(Instant.init),
            usesPerCode: row["uses_per_code"], usesPerCustomer: row["uses_per_customer"], count: row["code_count"], usedCodes: row["used_codes"],
            uses: row["uses"], createdAt: Instant(row["created_at"]), codes: nil)
    }

    /// A presented code, looked up: whether this receipt may use it, and what it gives.
    func presentedCode(_ db: any SQLConnection, merchantId: Int64, code text: String, customerId: Int64?, now: UnixSeconds) throws -> PresentedCode {
        let code = PromoCode.normalize(text)
        guard let row = try db.row(
            """
            SELECT c.uses, c.batch_id, b.promotion_id, b.points, b.valid_from, b.valid_until, b.uses_per_code, b.uses_per_customer
            FROM codes c JOIN code_batches b ON b.merchant_id = c.merchant_id AND b.id = c.batch_id
            WHERE c.merchant_id = ? AND c.code = ?
            """, [merchantId, code])
        else { return PresentedCode(code: code, status: .unknown) }
        func found(_ status: PresentedCode.Status) -> PresentedCode {
            PresentedCode(code: code, status: status, promotionId: row["promotion_id"], points: row["points"], batchId: row["batch_id"])
        }
        if let from: UnixSeconds = row["valid_from"], now < from { return found(.notStarted) }
        if let until: UnixSeconds = row["valid_until"], now > until { return found(.expired) }
        if let perCode: Int64 = row["uses_per_code"], (row["uses"] as Int64) >= perCode { return found(.used) }
        if let perCustomer: Int64 = row["uses_per_customer"] {
            guard let customerId else { return found(.needsCustomer) }
            let used: Int64 = try db.row(
                "SELECT COUNT(*) AS n FROM code_uses WHERE merchant_id = ? AND batch_id = ? AND customer_id = ?",
                [merchantId, row["batch_id"], customerId])?["n"] ?? 0
            if used >= perCustomer { return found(.customerLimit) }
        }
        return found(.valid)
    }

    /// The merchant's plan.
    func plan(_ db: any SQLConnection, merchantId: Int64) throws -> Plan {
        guard let text: String = try db.row("SELECT plan FROM merchants WHERE merchant_id = ?", [merchantId])?["plan"] else {
            throw KopilkaError.notFound("merchant")
        }
        return Plan(rawValue: text) ?? .monthly
    }

    /// Moves the merchant to another plan (the operator's action).
    public func setPlan(merchantId: Int64, plan: Plan, now: UnixSeconds, actor: AuditActor = .operator) async throws {
        try await backend.write { db in
            let before = try self.plan(db, merchantId: merchantId)
            guard try db.run("UPDATE merchants SET plan = ? WHERE merchant_id = ?", [plan.rawValue, merchantId]) == 1 else { throw KopilkaError.notFound("merchant") }
            try self.audit(db, merchantId: merchantId, actor: actor, "merchant.plan", subject: "merchant", before: before, after: plan, now: now)
        }
    }
}
