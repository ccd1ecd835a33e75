import Foundation
import KopilkaCore

/// A customer to register; the phone already normalised to E.164.
public struct NewCustomer: Sendable, Equatable {
    public var phone: String
    public var name: String?
    public var email: String?
    /// `YYYY-MM-DD`.
    public var birthday: String?
    public var personalDataConsent: Bool
    public var marketingConsent: Bool
    /// The anonymous receipt that earned the card, when the program issues cards from a purchase; it becomes the customer's.
    public var purchaseReceiptId: Int64?
    /// The member who brought the customer ("bring a friend"), by phone or card.
    public var referrer: CustomerKey?

    public init(
        phone: String, name: String?, email: String?, birthday: String?, personalDataConsent: Bool, marketingConsent: Bool,
        purchaseReceiptId: Int64? = nil, referrer: CustomerKey? = nil
    ) {
        self.purchaseReceiptId = purchaseReceiptId
        self.referrer = referrer
        self.phone = phone
        self.name = name
        self.email = email
        self.birthday = birthday
        self.personalDataConsent = personalDataConsent
        self.marketingConsent = marketingConsent
    }
}

/// How a till identifies a customer.
public enum CustomerKey: Sendable, Equatable {
    case id(Int64)
    /// E.164.
    case phone(String)
    /// 13-digit card number.
    case card(String)
}

extension SQLStore {
    /// Registers a customer with a new card number and, if the program gives one, the welcome bonus.
    public func registerCustomer(
        merchantId: Int64, _ customer: NewCustomer, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<CustomerRegistered>
    ) async throws -> StoredResponse {
        let id = nextID()
        return try await idempotent(merchantId: merchantId, key: idempotency, now: now, render: render) { db in
            try self.register(db, merchantId: merchantId, id: id, customer, now: now)
        }
    }

    /// The registration itself, in the caller's write transaction (the API's, or a join page's with its code).
    func register(_ db: any SQLConnection, merchantId: Int64, id: Int64, _ customer: NewCustomer, now: UnixSeconds) throws -> CustomerRegistered {
        let referrerId = try customer.referrer.map { try self.referrerId(db, merchantId: merchantId, $0, newPhone: customer.phone) }
        if let existing = try db.row("SELECT id FROM customers WHERE merchant_id = ? AND phone = ?", [merchantId, customer.phone]) {
            throw KopilkaError.customerExists(customerId: String(existing["id"] as Int64))
        }
        if let limit = try self.plan(db, merchantId: merchantId).customerLimit,
            // A write to the merchant's row first: two registrations racing for the last place conflict on it
            // (PostgreSQL) instead of both seeing room for one more.
            try db.run("UPDATE merchants SET plan = plan WHERE merchant_id = ?", [merchantId]) == 1,
            let count: Int = try db.row("SELECT COUNT(*) AS n FROM customers WHERE merchant_id = ?", [merchantId])?["n"], count >= limit
        {
            throw KopilkaError.planLimit([FieldError(field: "plan", message: "the free plan holds up to \(limit) customers")])
        }
        let rules = try self.program(db, merchantId: merchantId).rules
        if rules.cardFromPurchaseKopecks > 0 {
            try self.claimPurchase(db, merchantId: merchantId, receiptId: customer.purchaseReceiptId, for: id, threshold: rules.cardFromPurchaseKopecks)
        }
        let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
        // The phone was free above and stays so in this transaction (on PostgreSQL a concurrent registration of it
        // makes this one try again, and the check above answers).
        guard let entries = try self.insertCustomers(db, ledger: ledger, [(id, customer, referrerId)], rules: rules)[0] else {
            throw KopilkaError.customerExists(customerId: String(try Self.customerId(db, merchantId: merchantId, key: .phone(customer.phone)) ?? 0))
        }
        guard let summary = try self.summary(db, merchantId: merchantId, key: .id(id), now: now) else {
            throw KopilkaError.notFound("customer")
        }
        return CustomerRegistered(customer: summary, entries: try ledger.entries(entries))
    }

    /// Registers many customers in one transaction — a merchant's existing list, or a benchmark's — each with a new card
    /// and the welcome bonus the program gives; a phone already registered is skipped (nil in its place). Refused when
    /// the program issues cards only after a purchase, or the plan has no room for them all.
    public func registerCustomers(merchantId: Int64, _ customers: [NewCustomer], now: UnixSeconds) async throws -> [Int64?] {
        try await backend.write { db in
            let rules = try self.program(db, merchantId: merchantId).rules
            guard rules.cardFromPurchaseKopecks == 0 else {
                throw KopilkaError.validation([FieldError(field: "customers", message: "this program issues cards after a purchase only")])
            }
            if let limit = try self.plan(db, merchantId: merchantId).customerLimit,
                try db.run("UPDATE merchants SET plan = plan WHERE merchant_id = ?", [merchantId]) == 1,
                let count: Int = try db.row("SELECT COUNT(*) AS n FROM customers WHERE merchant_id = ?", [merchantId])?["n"],
                count + customers.count > limit
            {
                throw KopilkaError.planLimit([FieldError(field: "plan", message: "the free plan holds up to \(limit) customers")])
            }
            // A phone twice in the list is registered once; one another customer has is skipped by the insert.
            var listed = Set<String>()
            let ids = customers.map { customer -> Int64? in listed.insert(customer.phone).inserted ? self.nextID() : nil }
            let ledger = Ledger(db: db, merchantId: merchantId, now: now, store: self)
            let new = zip(ids, customers).compactMap { id, customer in id.map { (id: $0, customer: customer, referrerId: Int64?.none) } }
            let inserted = try self.insertCustomers(db, ledger: ledger, new, rules: rules)
            var registered = Set<Int64>()
            for (index, entries) in inserted.enumerated() where entries != nil { registered.insert(new[index].id) }
            return ids.map { $0.flatMap { registered.contains($0) ? $0 : nil } }
        }
    }

    /// Inserts customers (id, details, who referred them) in multi-row statements, each with a card number no other
    /// customer of the merchant has, and credits the welcome bonus and what the rules on registration give. Returns the
    /// ledger entries written for each, or nil for one skipped because another customer has the phone.
    ///
    /// Nothing is read first: each row goes in unless it clashes with a unique key (`ON CONFLICT DO NOTHING`), and only
    /// the rows that did not go in are looked at — a phone taken, or else a card number drawn again (11 random digits:
    /// rarely). A check of a thousand phones and cards before each thousand rows took half the time of registering
    /// 300,000 customers on PostgreSQL.
    private func insertCustomers(
        _ db: any SQLConnection, ledger: Ledger, _ customers: [(id: Int64, customer: NewCustomer, referrerId: Int64?)], rules: ProgramRules
    ) throws -> [[Int64]?] {
        let merchantId = ledger.merchantId, now = ledger.now
        // The welcome bonus decided first: each row is inserted with the balance its book gives, not updated after.
        var books: [LedgerBook] = []
        if rules.welcomeBonusPoints > 0 {
            let expiresAt = rules.welcomeBonusLifetimeDays > 0 ? now + Int64(rules.welcomeBonusLifetimeDays) * 86_400 : rules.expiry(from: now)
            books = customers.map { new in
                var book = ledger.book(LedgerAccount(customerId: new.id, balance: 0, debt: 0, lots: [], version: 0))
                book.credit(.welcome, rules.welcomeBonusPoints, activatesAt: now, expiresAt: expiresAt)
                return book
            }
        }
        var inserted = Set<Int64>(), pending = Array(customers.indices)
        while !pending.isEmpty {
            var returned = Set<Int64>()
            for chunk in pending.chunks(of: 500) {
                returned.formUnion(try db.column(
                    """
                    INSERT INTO customers (merchant_id, id, phone, card, name, email, birthday, personal_data_consent_at,
                                           marketing_consent, marketing_consent_at, created_at, referrer_id, balance, debt, version)
                    VALUES \(Placeholders.rows(chunk.count, columns: 15))
                    ON CONFLICT DO NOTHING RETURNING id
                    """,
                    chunk.flatMap { index -> SQLArguments in
                        let new = customers[index], customer = new.customer, book = books.isEmpty ? nil : books[index]
                        let card = CardNumber.make(body: (0..<11).map { _ in Int.random(in: 0...9) })
                        return [merchantId, new.id, customer.phone, card, customer.name, customer.email, customer.birthday,
                                customer.personalDataConsent ? now : nil, customer.marketingConsent, now, now, new.referrerId,
                                book?.balanceDelta ?? 0, book?.debtDelta ?? 0, book == nil ? 0 : 1]
                    },
                    as: Int64.self))
            }
            inserted.formUnion(returned)
            let missed = pending.filter { !returned.contains(customers[$0].id) }
            guard !missed.isEmpty else { break }
            var taken = Set<String>()
            for chunk in missed.map({ customers[$0].customer.phone }).chunks(of: 1000) {
                taken.formUnion(try db.column(
                    "SELECT phone FROM customers WHERE merchant_id = ? AND phone IN (\(Placeholders.list(chunk.count)))",
                    [merchantId] + chunk.map { $0 }, as: String.self))
            }
            pending = missed.filter { !taken.contains(customers[$0].customer.phone) }
        }
        try ledger.insertCredits(of: books.filter { inserted.contains($0.account.customerId) })
        return try zip(customers.indices, customers).map { index, new in
            guard inserted.contains(new.id) else { return nil }
            return (books.isEmpty ? [] : books[index].postings.compactMap { if case .entry(let entry) = $0 { entry.id } else { nil } })
                + (try giveRules(db, ledger: ledger, rules: rules, customerId: new.id) { $0.on == .registration ? "registration" : nil })
        }
    }

    /// Finds a customer by id, phone or card, with the balance at `now`.
    public func customer(merchantId: Int64, _ key: CustomerKey, now: UnixSeconds) async throws -> CustomerSummary? {
        try await backend.read { db in try self.summary(db, merchantId: merchantId, key: key, now: now) }
    }

    /// The customer's id for a key, or nil.
    static func customerId(_ db: any SQLConnection, merchantId: Int64, key: CustomerKey) throws -> Int64? {
        try customerRow(db, merchantId: merchantId, key: key, columns: "id")?["id"]
    }

    /// These columns of the customer's row, found by any key in one read.
    /// The merchant's program version as a column of the customer's row: the program cache checked in the same round trip.
    static let programVersionColumn = "(SELECT version FROM programs WHERE merchant_id = customers.merchant_id) AS program_version"

    static func customerRow(_ db: any SQLConnection, merchantId: Int64, key: CustomerKey, columns: String) throws -> SQLRow? {
        switch key {
        case .id(let id): try db.row("SELECT \(columns) FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, id])
        case .phone(let phone): try db.row("SELECT \(columns) FROM customers WHERE merchant_id = ? AND phone = ?", [merchantId, phone])
        case .card(let card): try db.row("SELECT \(columns) FROM customers WHERE merchant_id = ? AND card = ?", [merchantId, card])
        }
    }

    func summary(_ db: any SQLConnection, merchantId: Int64, key: CustomerKey, now: UnixSeconds) throws -> CustomerSummary? {
        guard let row = try Self.customerRow(
            db, merchantId: merchantId, key: key, columns: "id, card, name, phone, debt, groups, \(Self.programVersionColumn)")
        else { return nil }
        let id: Int64 = row["id"]
        let ledger = try Self.readBalance(db, merchantId: merchantId, customerId: id, debt: row["debt"], now: now)
        let rules = try compiledProgram(db, merchantId: merchantId, version: row["program_version"]).0.rules
        return CustomerSummary(
            id: String(id), card: row["card"], maskedName: maskName(row["name"]), maskedPhone: (row["phone"] as String?).map(Phone.masked),
            balance: ledger,
            tier: try rules.tiers.flatMap { try standing(db, merchantId: merchantId, customerId: id, rules: $0, now: now) },
            groups: (row["groups"] as String).split(separator: ",").map(String.init),
            stamps: try stampBalances(db, merchantId: merchantId, customerId: id, cards: rules.stampCards.filter(\.enabled), now: now))
    }

    static func readBalance(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, debt: Points, now: UnixSeconds) throws -> BalanceSnapshot {
        let lots = try Ledger.countedLots(db, merchantId: merchantId, customerId: customerId, now: now)
        return Lots.balance(of: lots, debt: debt, at: now)
    }

    /// The full profile (admin keys only).
    public func customerProfile(merchantId: Int64, customerId: Int64, now: UnixSeconds) async throws -> CustomerProfile? {
        try await backend.read { db in try self.customerProfile(db, merchantId: merchantId, customerId: customerId, now: now) }
    }

    func customerProfile(_ db: any SQLConnection, merchantId: Int64, customerId: Int64, now: UnixSeconds) throws -> CustomerProfile? {
        guard let row = try db.row("SELECT * FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId]) else {
            return nil
        }
        let lots = try Ledger.countedLots(db, merchantId: merchantId, customerId: customerId, now: now)
        let expiredUnprocessed = Lots.expired(lots, at: now).reduce(0) { $0 + $1.points }
        return CustomerProfile(
            id: String(customerId), card: row["card"], phone: row["phone"], name: row["name"], email: row["email"],
            birthday: row["birthday"],
            consents: Consents(
                personalData: row.value("personal_data_consent_at") != .null,
                personalDataAt: (row["personal_data_consent_at"] as UnixSeconds?).map(Instant.init),
                marketing: row["marketing_consent"], marketingAt: (row["marketing_consent_at"] as UnixSeconds?).map(Instant.init)),
            balance: Lots.balance(of: lots, debt: row["debt"], at: now),
            ledgerBalance: (row["balance"] as Points) - expiredUnprocessed, createdAt: Instant(row["created_at"]),
            erasedAt: (row["erased_at"] as UnixSeconds?).map(Instant.init))
    }

    /// A page of the customer's ledger, newest first; nil when there is no such customer.
    public func ledger(merchantId: Int64, customerId: Int64, before: Int64?, limit: Int) async throws -> LedgerPage? {
        try await backend.read { db -> LedgerPage? in
            guard try db.row("SELECT 1 FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId]) != nil else {
                return nil
            }
            let rows = try db.rows(
                """
                SELECT e.*, l.activates_at, l.expires_at, g.rule_id FROM ledger_entries e
                LEFT JOIN lots l ON l.merchant_id = e.merchant_id AND l.id = e.lot_id
                LEFT JOIN rule_grants g ON g.merchant_id = e.merchant_id AND g.customer_id = e.customer_id AND g.entry_id = e.id
                WHERE e.merchant_id = ? AND e.customer_id = ? AND e.id < ?
                ORDER BY e.id DESC LIMIT ?
                """, [merchantId, customerId, before ?? Int64.max, limit + 1])
            let entries = rows.prefix(limit).map { row in
                var entry = LedgerEntryView(row: row)
                entry.rule = row["rule_id"]
                return entry
            }
            return LedgerPage(entries: Array(entries), nextBefore: rows.count > limit ? entries.last?.id : nil)
        }
    }
}

extension SQLStore {
    /// "A free card from N ₽": the anonymous receipt that earned the card must reach the threshold (after refunds)
    /// and not belong to anyone yet; it becomes the new customer's first purchase (its spend counts for levels).
    func claimPurchase(_ db: any SQLConnection, merchantId: Int64, receiptId: Int64?, for customerId: Int64, threshold: Kopecks) throws {
        guard let receiptId,
            let row = try db.row(
                "SELECT payable - refunded_kopecks AS paid, customer_id FROM receipts WHERE merchant_id = ? AND id = ?", [merchantId, receiptId])
        else { throw KopilkaError.cardNeedsPurchase(threshold: threshold, paid: nil) }
        guard (row["customer_id"] as Int64?) == nil else { throw KopilkaError.purchaseAlreadyClaimed }
        let paid: Int64 = row["paid"]
        guard paid >= threshold else { throw KopilkaError.cardNeedsPurchase(threshold: threshold, paid: paid) }
        try db.run("UPDATE receipts SET customer_id = ? WHERE merchant_id = ? AND id = ?", [customerId, merchantId, receiptId])
    }
}
