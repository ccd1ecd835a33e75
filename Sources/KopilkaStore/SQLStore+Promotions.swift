import Foundation
import KopilkaCore

extension SQLStore {
    /// What the engine needs to know beyond the lines: the store's local time, the presented codes looked up,
    /// and the usage of promotions that have limits. Read in the same transaction as the commit that relies on it.
    func receiptContext(
        _ db: any SQLConnection, merchantId: Int64, program: CompiledProgram, storeId: Int64?, customerId: Int64?, codes: [String], now: UnixSeconds
    ) throws -> ReceiptContext {
        let time = try storeId.flatMap { try localTime(db, merchantId: merchantId, storeId: $0, now: now) }
        var context = ReceiptContext(
            time: time, storeId: idString(storeId),
            codes: try codes.map { try presentedCode(db, merchantId: merchantId, code: $0, customerId: customerId, now: now) },
            usage: try promotionUsage(db, merchantId: merchantId, rules: program.rules, customerId: customerId, date: time?.date),
            facts: program.needsCustomerFacts ? try customerFacts(db, merchantId: merchantId, customerId: customerId, time: time, now: now) : .init())
        if let customerId, program.readsRuleFacts,
            // The engine takes the level from the customer the calculation is for: not read again here.
            let subject = try ruleSubject(db, merchantId: merchantId, customerId: customerId, rules: program.rules, now: now, level: false)
        {
            context.purchaseRules = PurchaseRuleFacts(
                facts: subject.facts, usage: try purchaseRuleUsage(db, merchantId: merchantId, program: program, subject: subject, now: now))
        }
        if let customerId, !program.rules.stampCards.isEmpty {
            for balance in try stampBalances(db, merchantId: merchantId, customerId: customerId, cards: program.rules.stampCards, now: now) {
                context.stamps[balance.card] = balance.stamps
            }
        }
        return context
    }

    /// The customer's birthday, previous purchase and today's receipts that earned or spent points (the store's
    /// local day), for the rules that depend on them.
    func customerFacts(_ db: any SQLConnection, merchantId: Int64, customerId: Int64?, time: LocalTime?, now: UnixSeconds) throws -> CustomerFacts {
        guard let customerId else { return CustomerFacts() }
        var facts = CustomerFacts()
        let birthday: String? = try db.row("SELECT birthday FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])?["birthday"]
        facts.birthday = birthday.flatMap(LocalDate.init)
        guard let time else { return facts }
        // The store's offset from UTC now, and the UTC moment its day began.
        let secondsToday = Int64(time.minute) * 60 + now % 60
        let offset = time.date.day * 86_400 + secondsToday - now
        // Both read the receipts-by-customer index: its last entry, and today's range.
        let last: Int64? = try db.row("SELECT MAX(created_at) AS last FROM receipts WHERE merchant_id = ? AND customer_id = ?", [merchantId, customerId])?["last"]
        if let last { facts.lastPurchase = LocalDate(day: Self.floorDiv(last + offset, 86_400)) }
        let today = try db.row(
            """
            SELECT COALESCE(SUM(CASE WHEN earned_points > 0 THEN 1 ELSE 0 END), 0) AS accruals,
                   COALESCE(SUM(CASE WHEN redeemed_points > 0 THEN 1 ELSE 0 END), 0) AS redemptions
            FROM receipts WHERE merchant_id = ? AND customer_id = ? AND created_at >= ?
            """, [merchantId, customerId, now - secondsToday])
        facts.accrualsToday = Int(today?["accruals"] as Int64? ?? 0)
        facts.redemptionsToday = Int(today?["redemptions"] as Int64? ?? 0)
        return facts
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// The store's wall clock at `now`, from its IANA time zone (cached per merchant and store: a store's zone does not change).
    func localTime(_ db: any SQLConnection, merchantId: Int64, storeId: Int64, now: UnixSeconds) throws -> LocalTime? {
        var zone = timeZones.withLock { $0[StoreKey(merchantId: merchantId, storeId: storeId)] }
        if zone == nil {
            guard let name: String = try db.row("SELECT time_zone FROM stores WHERE merchant_id = ? AND id = ?", [merchantId, storeId])?["time_zone"]
            else { return nil }
            zone = TimeZone(identifier: name) ?? TimeZone(identifier: "UTC")
            timeZones.withLock { $0[StoreKey(merchantId: merchantId, storeId: storeId)] = zone }
        }
        guard let zone else { return nil }
        return LocalTime(now, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now)))))
    }

    /// How often each promotion with limits has been used: in all, by this customer (in all or in the period of
    /// `customerPeriod`) and on this local day. One statement for up to 32 promotions, each
    /// with its own counters.
    func promotionUsage(
        _ db: any SQLConnection, merchantId: Int64, rules: ProgramRules, customerId: Int64?, date: LocalDate?
    ) throws -> [String: PromotionUsage] {
        let limited = rules.promotions.filter { $0.enabled && $0.limits != nil }
        var usage = Dictionary(uniqueKeysWithValues: limited.map { ($0.id, PromotionUsage()) })
        let day = date.map { "d\($0.day)" }
        for chunk in limited.chunks(of: 32) {
            let counters = chunk.map { promotion in
                let customer = customerId.flatMap { promotion.limits!.customerBucket($0, date: date) }
                return (id: promotion.id, buckets: [""] + [day, customer].compactMap { $0 })
            }
            // A branch per counter, each an equality lookup in the primary key. An `OR` of them made SQLite read every
            // counter of the merchant (commits in process fell from 4,900 to 1,200 a second); a branch per promotion with
            // `bucket IN (…)` made it build and drop a temporary index per branch (40 % of a calculation's CPU, perf).
            let keys = counters.flatMap { counter in counter.buckets.map { (counter.id, $0) } }
            let branch = "SELECT promotion_id, bucket, uses, value_kopecks FROM promotion_counters WHERE merchant_id = ? AND promotion_id = ? AND bucket = ?"
            let rows = try db.rows(
                Array(repeating: branch, count: keys.count).joined(separator: " UNION ALL "),
                keys.flatMap { key -> SQLArguments in [merchantId, key.0, key.1] })
            for row in rows {
                let id: String = row["promotion_id"], bucket: String = row["bucket"]
                if bucket.isEmpty {
                    usage[id]?.uses = row["uses"]
                    usage[id]?.spentKopecks = row["value_kopecks"]
                } else if bucket == day {
                    usage[id]?.dayUses = row["uses"]
                } else {
                    usage[id]?.customerUses = row["uses"]
                }
            }
        }
        return usage
    }

    /// The hot rows a receipt's promotions and codes write: the total and daily counters of promotions with a budget
    /// or a limit in all or per day, and the counters of the codes' batches (`SQLBackend.write(serializing:)`).
    static func hotRows(merchantId: Int64, rules: ProgramRules, calculation: ReceiptCalculation, context: ReceiptContext) -> [String] {
        let promotions = calculation.promotions.compactMap { applied -> String? in
            guard let limits = rules.promotions.first(where: { $0.id == applied.id })?.limits,
                limits.totalUses != nil || limits.usesPerDay != nil || limits.budgetKopecks != nil
            else { return nil }
            return "promotion \(merchantId) \(applied.id)"
        }
        let batches = calculation.codes.filter(\.applied).compactMap { outcome in
            context.codes.first { $0.code == outcome.code }?.batchId.map { "code batch \(merchantId) \($0)" }
        }
        return promotions + batches
    }

    /// Records what promotions and codes gave on a committed receipt: the receipt's promotions, the limit
    /// counters, and each code's use. A presented code that gives nothing refuses the commit (the till
    /// would otherwise print a discount the receipt does not have). With `guarded`, a counter already at its limit
    /// (others used the promotion since the decision) means deciding again (`Ledger.Stale`).
    func recordPromotions(
        _ db: any SQLConnection, merchantId: Int64, receiptId: Int64, customerId: Int64?, rules: ProgramRules, calculation: ReceiptCalculation,
        context: ReceiptContext, guarded: Bool, now: UnixSeconds
    ) throws {
        for (index, outcome) in calculation.codes.enumerated() where !outcome.applied {
            throw KopilkaError.codeNotApplicable(field: "promoCodes[\(index)]", code: outcome.code, status: outcome.status.rawValue)
        }
        // Up to 16 promotions per statement, as the receipt's lines: a receipt under a large program gets a dozen, and each
        // statement is the single writer's time.
        for chunk in calculation.promotions.chunks(of: 16) {
            try db.run(
                """
                INSERT INTO receipt_promotions (merchant_id, receipt_id, promotion_id, discount, earned_points, value_kopecks, code)
                VALUES \(Placeholders.rows(chunk.count, columns: 7))
                """,
                chunk.flatMap { applied -> SQLArguments in
                    [merchantId, receiptId, applied.id, applied.discount, applied.earnedPoints, applied.valueKopecks, applied.code]
                })
        }
        for applied in calculation.promotions {
            guard let limits = rules.promotions.first(where: { $0.id == applied.id })?.limits else { continue }
            // Each counter with the limit it must stay within, as the decision checked it: a receipt decided on fewer
            // uses than there are now still holds while the limit does (`guarded`); an order confirmed now was decided
            // when it was placed.
            var counters: [(bucket: String, uses: Int64?, budget: Kopecks?)] = [("", limits.totalUses, limits.budgetKopecks)]
            if let customerId, let bucket = limits.customerBucket(customerId, date: context.time?.date) {
                counters.append((bucket, limits.usesPerCustomer, nil))
            }
            if let day = context.time?.date.day { counters.append(("d\(day)", limits.usesPerDay, nil)) }
            for counter in counters {
                let counted = try db.run(
                    """
                    INSERT INTO promotion_counters (merchant_id, promotion_id, bucket, uses, value_kopecks) VALUES (?, ?, ?, 1, ?)
                    ON CONFLICT (merchant_id, promotion_id, bucket) DO UPDATE SET uses = promotion_counters.uses + 1,
                        value_kopecks = promotion_counters.value_kopecks + excluded.value_kopecks
                    WHERE promotion_counters.uses < ? AND promotion_counters.value_kopecks + excluded.value_kopecks <= ?
                    """,
                    [merchantId, applied.id, counter.bucket, applied.valueKopecks,
                     guarded ? counter.uses ?? .max : .max, guarded ? counter.budget ?? .max : .max])
                // Others used the promotion meanwhile, up to its limit: decide again.
                if counted == 0 { throw Ledger.Stale() }
            }
        }
        for outcome in calculation.codes where outcome.applied {
            // Guarded: a single-use code is taken once even if two commits race (the writer serializes them here;
            // the condition keeps it true on a database that does not).
            let taken = try db.run(
                """
                UPDATE codes SET uses = uses + 1
                WHERE merchant_id = ?1 AND code = ?2
                  AND uses < COALESCE((SELECT uses_per_code FROM code_batches b WHERE b.merchant_id = ?1 AND b.id = codes.batch_id), 9223372036854775807)
                """, [merchantId, outcome.code])
            guard taken == 1 else { throw KopilkaError.codeNotApplicable(field: "promoCodes", code: outcome.code, status: "used") }
            try db.run(
                """
                UPDATE code_batches SET uses = uses + 1,
                    used_codes = used_codes + (SELECT CASE WHEN c.uses = 1 THEN 1 ELSE 0 END FROM codes c WHERE c.merchant_id = ?1 AND c.code = ?2)
                WHERE merchant_id = ?1 AND id = (SELECT c.batch_id FROM codes c WHERE c.merchant_id = ?1 AND c.code = ?2)
                """, [merchantId, outcome.code])
            try db.run(
                """
                INSERT INTO code_uses (merchant_id, receipt_id, code, batch_id, customer_id, created_at)
                SELECT merchant_id, ?, code, batch_id, ?, ? FROM codes WHERE merchant_id = ? AND code = ?
                """, [receiptId, customerId, now, merchantId, outcome.code])
        }
    }

    /// The customer as the engine sees them in this transaction: what they can spend now, their level, their groups.
    func engineCustomer(
        _ db: any SQLConnection, merchantId: Int64, _ account: LedgerAccount, storeId: Int64, rules: ProgramRules, now: UnixSeconds
    ) throws -> ReceiptCalculator.Customer {
        ReceiptCalculator.Customer(
            spendablePoints: Lots.balance(of: account.lots(for: storeId, balancePerStore: rules.balancePerStore), debt: account.debt, at: now).spendable,
            tier: try tier(db, merchantId: merchantId, customerId: account.customerId, rules: rules, now: now),
            groups: try Self.groups(db, merchantId: merchantId, customerId: account.customerId))
    }

    /// The customer's groups (`wholesale`, `staff`).
    static func groups(_ db: any SQLConnection, merchantId: Int64, customerId: Int64) throws -> Set<String> {
        let text: String = try db.row("SELECT groups FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])?["groups"] ?? ""
        return Set(text.split(separator: ",").map(String.init))
    }

    /// Puts a customer in groups (replacing the previous ones).
    public func setCustomerGroups(
        merchantId: Int64, customerId: Int64, groups: [String], now: UnixSeconds, actor: AuditActor = .operator
    ) async throws {
        try await backend.write { db in
            guard let before: String = try db.row("SELECT groups FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])?["groups"]
            else { throw KopilkaError.notFound("customer") }
            let after = Set(groups).sorted().joined(separator: ",")
            try db.run(
                "UPDATE customers SET groups = ?, version = version + 1 WHERE merchant_id = ? AND id = ?", [after, merchantId, customerId])
            try self.audit(db, merchantId: merchantId, actor: actor, "customer.groups", subject: "customer:\(customerId)", before: before, after: after, now: now)
        }
    }
}
