import Foundation
import KopilkaCore

extension SQLStore {
    /// The dashboard for the days `from`…`to` (the merchant's time zone; by default the 30 days up to today), with "now"
    /// at `now` for the activity windows; read from the folded totals in one snapshot.
    public func dashboard(merchantId: Int64, from: LocalDate?, to: LocalDate?, now: UnixSeconds) async throws -> Dashboard {
        try await backend.read { db in
            guard try db.row("SELECT 1 FROM merchants WHERE merchant_id = ?", [merchantId]) != nil else { throw KopilkaError.notFound("merchant") }
            let zone = try self.reportingZone(db, merchantId: merchantId)
            let today = LocalTime(now, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now))))).date
            let to = to ?? today
            let from = from ?? LocalDate(day: to.day - 29)
            func startOf(_ day: Int64) -> UnixSeconds {
                let local = day * 86_400
                return local - Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(local))))
            }
            let period: SQLArguments = [merchantId, from.day, to.day]
            let asOf: UnixSeconds? = try db.row("SELECT rolled_at FROM analytics_state WHERE merchant_id = ?", [merchantId])?["rolled_at"]

            // Sales: the period's days by store and register.
            let salesRows = try db.rows(
                """
                SELECT day, store_id, register_id, receipts, sales, member_receipts, member_sales, discount, redeemed_kopecks, returns, refunds
                FROM daily_sales WHERE merchant_id = ? AND day BETWEEN ? AND ?
                """, period)
            func sum(_ column: String, _ rows: [SQLRow]) -> Int64 { rows.reduce(0) { $0 + ($1[column] as Int64) } }
            let receipts = sum("receipts", salesRows), memberReceipts = sum("member_receipts", salesRows)
            let total = sum("sales", salesRows), memberTotal = sum("member_sales", salesRows)
            let sales = SalesFigures(
                receipts: receipts, sales: total, memberReceipts: memberReceipts, memberSales: memberTotal,
                memberShareBp: basisPoints(memberReceipts, of: receipts), averageCheck: average(total, over: receipts),
                memberAverageCheck: average(memberTotal, over: memberReceipts),
                guestAverageCheck: average(total - memberTotal, over: receipts - memberReceipts),
                discount: sum("discount", salesRows), redeemedKopecks: sum("redeemed_kopecks", salesRows), returns: sum("returns", salesRows),
                refunds: sum("refunds", salesRows))

            let storeNames = Dictionary(
                try db.rows("SELECT id, name FROM stores WHERE merchant_id = ?", [merchantId]).map { ($0["id"] as Int64, $0["name"] as String) },
                uniquingKeysWith: { a, _ in a })
            let registerNames = Dictionary(
                try db.rows("SELECT id, name FROM registers WHERE merchant_id = ?", [merchantId]).map { ($0["id"] as Int64, $0["name"] as String) },
                uniquingKeysWith: { a, _ in a })
            let stores = Dictionary(grouping: salesRows, by: { $0["store_id"] as Int64 }).map { storeId, rows in
                StoreFigures(
                    storeId: String(storeId), name: storeNames[storeId] ?? "", receipts: sum("receipts", rows), sales: sum("sales", rows),
                    memberReceipts: sum("member_receipts", rows), averageCheck: average(sum("sales", rows), over: sum("receipts", rows)),
                    discount: sum("discount", rows), redeemedKopecks: sum("redeemed_kopecks", rows), refunds: sum("refunds", rows))
            }.sorted { ($0.sales, $1.storeId) > ($1.sales, $0.storeId) }
            let registers = Dictionary(grouping: salesRows, by: { [$0["store_id"] as Int64, $0["register_id"] as Int64] }).map { key, rows in
                RegisterFigures(
                    registerId: String(key[1]), storeId: String(key[0]), name: registerNames[key[1]] ?? "", receipts: sum("receipts", rows),
                    sales: sum("sales", rows), discount: sum("discount", rows), redeemedKopecks: sum("redeemed_kopecks", rows))
            }.sorted { ($0.sales, $1.registerId) > ($1.sales, $0.registerId) }

            // Points: the period by kind, and everything ever moved for what is outstanding.
            let pointRows = try db.rows("SELECT day, kind, amount FROM daily_points WHERE merchant_id = ? AND day BETWEEN ? AND ?", period)
            func points(_ kinds: Set<EntryKind>, _ rows: [SQLRow]) -> Points {
                rows.reduce(0) { kinds.contains(EntryKind(rawValue: $1["kind"]) ?? .accrual) ? $0 + ($1["amount"] as Int64) : $0 }
            }
            // Manual debits are issued points taken back by hand: they count against the manual credits.
            let issuedKinds: Set<EntryKind> = [.accrual, .welcome, .manualCredit, .manualDebit, .referral, .rule]
            let spentKinds: Set<EntryKind> = [.redemption, .hold, .holdRelease]
            let issued = points(issuedKinds, pointRows), spent = -points(spentKinds, pointRows)
            let sources = PointSources(
                purchases: points([.accrual], pointRows), welcome: points([.welcome], pointRows), referral: points([.referral], pointRows),
                rules: points([.rule], pointRows), manual: points([.manualCredit, .manualDebit], pointRows))
            let outstanding: Points = try db.row("SELECT COALESCE(SUM(amount), 0) AS total FROM daily_points WHERE merchant_id = ?", [merchantId])?["total"] ?? 0
            let pointValue = try self.program(db, merchantId: merchantId).rules.pointValueKopecks
            let pointFigures = PointFigures(
                issued: issued, sources: sources, spent: spent, expired: -points([.expiry], pointRows),
                corrections: points([.restore, .reversal], pointRows), redemptionRateBp: basisPoints(spent, of: issued),
                outstanding: outstanding, liabilityKopecks: average(outstanding * pointValue, over: 100))

            // Members: counts over the folded activity, windows ending now.
            func count(_ sql: String, _ arguments: SQLArguments) throws -> Int64 { try db.row(sql, arguments)?["n"] ?? 0 }
            let totalMembers = try count("SELECT COALESCE(SUM(members), 0) AS n FROM daily_members WHERE merchant_id = ?", [merchantId])
            let active30 = try count("SELECT COUNT(*) AS n FROM customer_activity WHERE merchant_id = ? AND last_at >= ?", [merchantId, now - 30 * 86_400])
            let active90 = try count("SELECT COUNT(*) AS n FROM customer_activity WHERE merchant_id = ? AND last_at >= ?", [merchantId, now - 90 * 86_400])
            let memberReceipts30 = try count(
                "SELECT COALESCE(SUM(member_receipts), 0) AS n FROM daily_sales WHERE merchant_id = ? AND day > ?",
                [merchantId, LocalTime(now - 30 * 86_400, offsetSeconds: Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(now))))).date.day])
            let firstBuyers = try count(
                "SELECT COUNT(*) AS n FROM customer_activity WHERE merchant_id = ? AND first_at >= ? AND first_at < ?",
                [merchantId, startOf(from.day), startOf(to.day + 1)])
            let repeatBuyers = try count(
                "SELECT COUNT(*) AS n FROM customer_activity WHERE merchant_id = ? AND first_at >= ? AND first_at < ? AND second_at IS NOT NULL",
                [merchantId, startOf(from.day), startOf(to.day + 1)])
            let members = MemberFigures(
                total: totalMembers,
                new: try count("SELECT COALESCE(SUM(members), 0) AS n FROM daily_members WHERE merchant_id = ? AND day BETWEEN ? AND ?", period),
                buyers: try count("SELECT COUNT(*) AS n FROM customer_activity WHERE merchant_id = ?", [merchantId]),
                active30: active30, active90: active90, active30Bp: basisPoints(active30, of: totalMembers),
                active90Bp: basisPoints(active90, of: totalMembers), quiet: active90 - active30,
                purchasesPerActive30: average(memberReceipts30 * 100, over: active30), firstBuyers: firstBuyers, repeatBuyers: repeatBuyers,
                repeatRateBp: basisPoints(repeatBuyers, of: firstBuyers))

            // The chart: every day of the period, empty days too.
            let salesByDay = Dictionary(grouping: salesRows, by: { $0["day"] as Int64 })
            let pointsByDay = Dictionary(grouping: pointRows, by: { $0["day"] as Int64 })
            let days = (from.day...max(from.day, to.day)).map { day in
                let rows = salesByDay[day] ?? [], moved = pointsByDay[day] ?? []
                return DayFigures(
                    day: LocalDate(day: day), receipts: sum("receipts", rows), sales: sum("sales", rows), memberReceipts: sum("member_receipts", rows),
                    issued: points(issuedKinds, moved), spent: -points(spentKinds, moved))
            }

            let top = try self.rankedCustomers(db, merchantId: merchantId, lastBetween: nil, limit: 10)
            let quiet = try self.rankedCustomers(db, merchantId: merchantId, lastBetween: Self.quietWindow(now: now), limit: 10)

            return Dashboard(
                from: from, to: to, timeZone: zone.identifier, asOf: asOf.map(Instant.init), members: members, sales: sales,
                points: pointFigures, stores: stores, registers: registers, days: days, topCustomers: top, quietCustomers: quiet,
                cohorts: try self.cohorts(db, merchantId: merchantId, through: MonthNumber.of(day: to.day)))
        }
    }

    /// Members who went quiet at `now` (the most valuable first, at most `limit`): for the dashboard's CSV.
    public func quietCustomers(merchantId: Int64, now: UnixSeconds, limit: Int) async throws -> [TopCustomer] {
        try await backend.read { db in try self.rankedCustomers(db, merchantId: merchantId, lastBetween: Self.quietWindow(now: now), limit: limit) }
    }

    /// Last purchase 31–90 days before `now`: bought in the last 90 days, not in the last 30.
    static func quietWindow(now: UnixSeconds) -> Range<UnixSeconds> { (now - 90 * 86_400)..<(now - 30 * 86_400) }

    /// Buying members by lifetime sales (ties by id), of those whose last purchase is in `lastBetween` when given.
    private func rankedCustomers(_ db: any SQLConnection, merchantId: Int64, lastBetween: Range<UnixSeconds>?, limit: Int) throws -> [TopCustomer] {
        // Without a window the sales index gives the first ten at once; with one, the last-purchase index bounds the rows.
        let window = lastBetween == nil ? "" : "AND a.last_at >= ? AND a.last_at < ?"
        let arguments: SQLArguments = lastBetween.map { [merchantId, $0.lowerBound, $0.upperBound, limit] } ?? [merchantId, limit]
        return try db.rows(
            """
            SELECT a.customer_id, a.receipts, a.sales, a.last_at, c.card, c.name FROM customer_activity a
            JOIN customers c ON c.merchant_id = a.merchant_id AND c.id = a.customer_id
            WHERE a.merchant_id = ? \(window) ORDER BY a.sales DESC, a.customer_id LIMIT ?
            """, arguments
        ).map {
            TopCustomer(
                customerId: String($0["customer_id"] as Int64), card: $0["card"], maskedName: maskName($0["name"]), receipts: $0["receipts"],
                sales: $0["sales"], lastPurchaseAt: Instant($0["last_at"]))
        }
    }

    /// The last twelve months of joining up to `through`, with their buyers by month.
    private func cohorts(_ db: any SQLConnection, merchantId: Int64, through: Int64) throws -> [Cohort] {
        let first = through - 11
        var joined: [Int64: Int64] = [:]
        for row in try db.rows(
            "SELECT day, members FROM daily_members WHERE merchant_id = ? AND day >= ?", [merchantId, Instant.days(fromCivil: first / 12, first % 12 + 1, 1)])
        {
            let month = MonthNumber.of(day: row["day"])
            if month <= through { joined[month, default: 0] += row["members"] as Int64 }
        }
        var buyers: [Int64: [Int64: Int64]] = [:]
        for row in try db.rows(
            "SELECT joined_month, month, customers FROM cohorts WHERE merchant_id = ? AND joined_month >= ? AND joined_month <= ?",
            [merchantId, first, through])
        {
            buyers[row["joined_month"], default: [:]][row["month"]] = row["customers"]
        }
        return (first...through).compactMap { month in
            guard let members = joined[month] else { return nil }
            return Cohort(month: MonthNumber.text(month), members: members, buyers: (month...through).map { buyers[month]?[$0] ?? 0 })
        }
    }
}
