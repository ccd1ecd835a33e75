import Foundation
import KopilkaCore

extension SQLStore {
    /// Folds receipts, returns, ledger entries and new customers into the daily analytics, for every merchant, in
    /// batches. Ids are time-ordered, so a merchant's progress is one id: everything below it is counted. Only rows made
    /// more than `lagSeconds` ago are folded, so that a transaction still in flight (PostgreSQL commits out of order)
    /// is never skipped. Idempotent; returns how many receipts it folded.
    @discardableResult
    public func rollUpAnalytics(lagSeconds: Int64 = 120, batchSize: Int = 2_000) async throws -> Int {
        let cut = IDGenerator.firstID(atMillis: Int64(Date().timeIntervalSince1970 * 1000) - lagSeconds * 1000)
        var folded = 0
        for merchantId in try await merchantIds() {
            while true {
                let (receipts, done) = try await backend.write { db in
                    try self.foldBatch(db, merchantId: merchantId, cut: cut, batchSize: batchSize)
                }
                folded += receipts
                if done { break }
            }
        }
        return folded
    }

    /// The merchant's reporting time zone: its first store's (UTC before it has a store).
    func reportingZone(_ db: any SQLConnection, merchantId: Int64) throws -> TimeZone {
        let name: String? = try db.row("SELECT time_zone FROM stores WHERE merchant_id = ? ORDER BY id LIMIT 1", [merchantId])?["time_zone"]
        return name.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }

    /// One batch: rows with ids from the merchant's progress up to the batch's end; returns the receipts folded and
    /// whether the merchant is up to `cut`.
    private func foldBatch(_ db: any SQLConnection, merchantId: Int64, cut: Int64, batchSize: Int) throws -> (Int, Bool) {
        let start: Int64 = try db.row("SELECT rolled_below FROM analytics_state WHERE merchant_id = ?", [merchantId])?["rolled_below"] ?? 0
        guard start < cut else { return (0, true) }
        // The batch ends before the `batchSize`-th new row of the busiest table.
        var end = cut
        for table in ["receipts", "ledger_entries", "customers"] {
            if let id: Int64 = try db.row(
                "SELECT id FROM \(table) WHERE merchant_id = ? AND id >= ? AND id < ? ORDER BY id LIMIT 1 OFFSET ?",
                [merchantId, start, end, batchSize])?["id"]
            {
                end = id
            }
        }
        let zone = try reportingZone(db, merchantId: merchantId)
        func day(_ at: UnixSeconds) -> Int64 {
            LocalTime(at, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(at))))).date.day
        }
        let range: SQLArguments = [merchantId, start, end]

        var members: [Int64: Int64] = [:]
        for row in try db.rows("SELECT created_at FROM customers WHERE merchant_id = ? AND id >= ? AND id < ?", range) {
            members[day(row["created_at"]), default: 0] += 1
        }
        for (day, count) in members {
            try db.run(
                """
                INSERT INTO daily_members (merchant_id, day, members) VALUES (?, ?, ?)
                ON CONFLICT (merchant_id, day) DO UPDATE SET members = daily_members.members + excluded.members
                """, [merchantId, day, count])
        }

        var sales: [SalesKey: SalesTotals] = [:]
        let receipts = try db.rows(
            """
            SELECT store_id, register_id, customer_id, amount, discount, redeemed_kopecks, created_at FROM receipts
            WHERE merchant_id = ? AND id >= ? AND id < ? ORDER BY id
            """, range)
        var activity: [Int64: CustomerActivity] = [:]
        for row in receipts {
            let at: UnixSeconds = row["created_at"]
            let charged = (row["amount"] as Int64) - (row["discount"] as Int64)
            let customerId: Int64? = row["customer_id"]
            let key = SalesKey(day: day(at), storeId: row["store_id"], registerId: row["register_id"] ?? 0)
            sales[key, default: .init()].add(
                receipts: 1, sales: charged, memberReceipts: customerId == nil ? 0 : 1, memberSales: customerId == nil ? 0 : charged,
                discount: row["discount"], redeemed: row["redeemed_kopecks"])
            if let customerId {
                if activity[customerId] == nil { activity[customerId] = try customerActivity(db, merchantId: merchantId, customerId: customerId, day: day) }
                activity[customerId]?.record(purchaseAt: at, charged: charged, month: MonthNumber.of(day: day(at)))
            }
        }
        for row in try db.rows(
            """
            SELECT r.refund_kopecks, r.created_at, c.store_id, c.register_id FROM returns r
            JOIN receipts c ON c.merchant_id = r.merchant_id AND c.id = r.receipt_id
            WHERE r.merchant_id = ? AND r.id >= ? AND r.id < ?
            """, range)
        {
            let key = SalesKey(day: day(row["created_at"]), storeId: row["store_id"], registerId: row["register_id"] ?? 0)
            sales[key, default: .init()].add(returns: 1, refunds: row["refund_kopecks"])
        }
        for (key, totals) in sales {
            try db.run(
                """
                INSERT INTO daily_sales (merchant_id, day, store_id, register_id, receipts, sales, member_receipts, member_sales, discount,
                    redeemed_kopecks, returns, refunds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (merchant_id, day, store_id, register_id) DO UPDATE SET
                    receipts = daily_sales.receipts + excluded.receipts, sales = daily_sales.sales + excluded.sales,
                    member_receipts = daily_sales.member_receipts + excluded.member_receipts,
                    member_sales = daily_sales.member_sales + excluded.member_sales, discount = daily_sales.discount + excluded.discount,
                    redeemed_kopecks = daily_sales.redeemed_kopecks + excluded.redeemed_kopecks,
                    returns = daily_sales.returns + excluded.returns, refunds = daily_sales.refunds + excluded.refunds
                """,
                [merchantId, key.day, key.storeId, key.registerId, totals.receipts, totals.sales, totals.memberReceipts, totals.memberSales,
                 totals.discount, totals.redeemed, totals.returns, totals.refunds])
        }
        var cohorts: [CohortKey: Int64] = [:]
        for (customerId, customer) in activity {
            try db.run(
                """
                INSERT INTO customer_activity (merchant_id, customer_id, joined_month, first_at, second_at, last_at, receipts, sales)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (merchant_id, customer_id) DO UPDATE SET first_at = excluded.first_at, second_at = excluded.second_at,
                    last_at = excluded.last_at,
                    receipts = excluded.receipts, sales = excluded.sales
                """,
                [merchantId, customerId, customer.joinedMonth, customer.firstAt, customer.secondAt, customer.lastAt, customer.receipts,
                 customer.sales])
            for month in customer.months {
                let added = try db.run(
                    "INSERT INTO customer_months (merchant_id, customer_id, month) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [merchantId, customerId, month])
                if added == 1 { cohorts[CohortKey(joined: customer.joinedMonth, month: month), default: 0] += 1 }
            }
        }
        for (key, count) in cohorts {
            try db.run(
                """
                INSERT INTO cohorts (merchant_id, joined_month, month, customers) VALUES (?, ?, ?, ?)
                ON CONFLICT (merchant_id, joined_month, month) DO UPDATE SET customers = cohorts.customers + excluded.customers
                """, [merchantId, key.joined, key.month, count])
        }

        var points: [PointsKey: (amount: Int64, entries: Int64)] = [:]
        for row in try db.rows("SELECT kind, amount, created_at FROM ledger_entries WHERE merchant_id = ? AND id >= ? AND id < ?", range) {
            let key = PointsKey(day: day(row["created_at"]), kind: row["kind"])
            points[key, default: (0, 0)].amount += row["amount"] as Int64
            points[key, default: (0, 0)].entries += 1
        }
        for (key, totals) in points {
            try db.run(
                """
                INSERT INTO daily_points (merchant_id, day, kind, amount, entries) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (merchant_id, day, kind) DO UPDATE SET
                    amount = daily_points.amount + excluded.amount, entries = daily_points.entries + excluded.entries
                """, [merchantId, key.day, key.kind, totals.amount, totals.entries])
        }
        try foldCatalogue(db, merchantId: merchantId, range: range)
        try db.run(
            """
            INSERT INTO analytics_state (merchant_id, rolled_below, rolled_at) VALUES (?, ?, ?)
            ON CONFLICT (merchant_id) DO UPDATE SET rolled_below = excluded.rolled_below, rolled_at = excluded.rolled_at
            """, [merchantId, end, IDGenerator.seconds(of: end)])
        return (receipts.count, end == cut)
    }

    /// A member's activity so far (a new one when this is their first purchase), with the month they joined.
    private func customerActivity(
        _ db: any SQLConnection, merchantId: Int64, customerId: Int64, day: (UnixSeconds) -> Int64
    ) throws -> CustomerActivity {
        if let row = try db.row(
            "SELECT joined_month, first_at, second_at, last_at, receipts, sales FROM customer_activity WHERE merchant_id = ? AND customer_id = ?",
            [merchantId, customerId])
        {
            return CustomerActivity(
                joinedMonth: row["joined_month"], firstAt: row["first_at"], secondAt: row["second_at"], lastAt: row["last_at"],
                receipts: row["receipts"], sales: row["sales"])
        }
        let joined: UnixSeconds = try db.row("SELECT created_at FROM customers WHERE merchant_id = ? AND id = ?", [merchantId, customerId])?["created_at"] ?? 0
        return CustomerActivity(joinedMonth: MonthNumber.of(day: day(joined)), firstAt: nil, secondAt: nil, lastAt: 0, receipts: 0, sales: 0)
    }
}

private struct SalesKey: Hashable {
    let day: Int64
    let storeId: Int64
    let registerId: Int64
}

private struct SalesTotals {
    var receipts: Int64 = 0, sales: Int64 = 0, memberReceipts: Int64 = 0, memberSales: Int64 = 0
    var discount: Int64 = 0, redeemed: Int64 = 0, returns: Int64 = 0, refunds: Int64 = 0

    mutating func add(
        receipts: Int64 = 0, sales: Int64 = 0, memberReceipts: Int64 = 0, memberSales: Int64 = 0, discount: Int64 = 0, redeemed: Int64 = 0,
        returns: Int64 = 0, refunds: Int64 = 0
    ) {
        self.receipts += receipts
        self.sales += sales
        self.memberReceipts += memberReceipts
        self.memberSales += memberSales
        self.discount += discount
        self.redeemed += redeemed
        self.returns += returns
        self.refunds += refunds
    }
}

private struct PointsKey: Hashable {
    let day: Int64
    let kind: String
}

private struct CohortKey: Hashable {
    let joined: Int64
    let month: Int64
}

/// One member's purchases as folded so far.
private struct CustomerActivity {
    var joinedMonth: Int64
    var firstAt: UnixSeconds?
    var secondAt: UnixSeconds?
    var lastAt: UnixSeconds
    var receipts: Int64
    var sales: Kopecks
    /// Months of purchases in this batch.
    var months: Set<Int64> = []

    /// Counts a purchase; the first and second are the earliest two by time, whatever order the rows arrive in.
    mutating func record(purchaseAt at: UnixSeconds, charged: Kopecks, month: Int64) {
        if let first = firstAt, at >= first {
            if secondAt.map({ at < $0 }) ?? true { secondAt = at }
        } else {
            secondAt = firstAt
            firstAt = at
        }
        lastAt = max(lastAt, at)
        receipts += 1
        sales += charged
        months.insert(month)
    }
}
