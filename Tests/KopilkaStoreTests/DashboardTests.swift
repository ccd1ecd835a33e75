import Foundation
import KopilkaCore
import KopilkaDemo
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// Every figure of the dashboard, computed again here straight from receipts, returns, ledger entries and customers
/// (not from the folded totals), on both databases: a seeded merchant folded in small batches, part of its history
/// folded before the rest arrives.
@Suite struct DashboardTests {
    @Test(arguments: TestDatabase.allCases)
    func everyFigureMatchesTheLedger(_ database: TestDatabase) async throws {
        let folder = try TemporaryFolder("kopilka-dashboard")
        let store = try await database.open(in: folder)
        var options = DemoSeeder.Options(end: StoreFixture.t0)
        options.customers = 120
        options.days = 75
        options.seed = 7
        let demo = try await DemoSeeder(store: store, options: options).run()
        print("dashboard seed 7 (\(database)): \(demo.customers) customers, \(demo.receipts) receipts, \(demo.returns) returns")
        let merchantId = parseID(demo.merchant.id)!

        // Fold what is there in batches of 7 rows, then add more and fold again: the totals must be those of one fold.
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await store.rollUpAnalytics(lagSeconds: 0, batchSize: 7) == demo.receipts)
        #expect(try await store.rollUpAnalytics(lagSeconds: 0, batchSize: 7) == 0)
        let extra = parseID(try await store.customer(merchantId: merchantId, .phone(demo.samplePhone), now: StoreFixture.t0)!.id)!
        let sale = ReceiptCommand(
            storeId: parseID(demo.stores[1].id)!, registerId: nil, customer: .id(extra), externalId: "late-1",
            lines: [ReceiptLine(sku: "latte", price: 250_00)], redeem: .max)
        let ignore: ResponseRenderer<ReceiptCommitted> = { _ in StoredResponse(status: 200, body: []) }
        _ = try await store.commitReceipt(merchantId: merchantId, sale, idempotency: nil, now: StoreFixture.t0 - 7_200, render: ignore)
        _ = try await store.adjustPoints(
            merchantId: merchantId, AdjustmentCommand(customerId: extra, points: -1_00, reason: "test"), actor: .operator, idempotency: nil,
            now: StoreFixture.t0 - 3_600, render: { _ in StoredResponse(status: 200, body: []) })
        // Rows made in the current millisecond wait for the next fold (their ids may be above the cut): let it pass.
        try await Task.sleep(for: .milliseconds(5))
        #expect(try await store.rollUpAnalytics(lagSeconds: 0, batchSize: 500) == 1)

        let now = StoreFixture.t0
        // A day with a return (in Moscow, the first store's zone), so a return counted on the wrong day shows.
        let returnedAt = try await store.backend.read { db in
            try db.column("SELECT MIN(created_at) AS at FROM returns WHERE merchant_id = ?", [merchantId], as: Int64.self)[0]
        }
        let returnDay = LocalTime(returnedAt, offsetSeconds: 3 * 3_600).date.description
        for (from, to) in [("2025-11-20", "2025-12-25"), ("2025-10-01", "2025-12-31"), ("2025-12-31", "2025-12-31"), (returnDay, returnDay)] {
            let period = (LocalDate(from)!, LocalDate(to)!)
            let shown = try await store.dashboard(merchantId: merchantId, from: period.0, to: period.1, now: now)
            let expected = try await Independent.dashboard(store, merchantId: merchantId, from: period.0, to: period.1, now: now)
            #expect(shown.members == expected.members, "\(from)…\(to)")
            #expect(shown.sales == expected.sales, "\(from)…\(to)")
            #expect(shown.points == expected.points, "\(from)…\(to)")
            #expect(shown.stores == expected.stores, "\(from)…\(to)")
            #expect(shown.registers == expected.registers, "\(from)…\(to)")
            #expect(shown.days == expected.days, "\(from)…\(to)")
            #expect(shown.topCustomers == expected.topCustomers, "\(from)…\(to)")
            #expect(shown.quietCustomers == expected.quietCustomers, "\(from)…\(to)")
            #expect(shown.cohorts == expected.cohorts, "\(from)…\(to)")
            #expect(shown.timeZone == expected.timeZone)
        }
        // The figures are not all zero: the seed makes sales, members, points and cohorts.
        let whole = try await store.dashboard(merchantId: merchantId, from: LocalDate("2025-10-01"), to: LocalDate("2025-12-31"), now: now)
        #expect(whole.sales.receipts > 100 && whole.members.active30 > 10 && whole.points.spent > 0 && whole.sales.returns > 0)
        #expect(whole.cohorts.count >= 3 && whole.members.repeatBuyers > 0)
        #expect(whole.members.quiet > 10 && whole.quietCustomers.count == 10)
        #expect(try await store.quietCustomers(merchantId: merchantId, now: now, limit: 1_000).count == whole.members.quiet)
    }
}

/// The dashboard computed from the raw rows, the slow and obvious way.
private enum Independent {
    static func dashboard(_ store: SQLStore, merchantId: Int64, from: LocalDate, to: LocalDate, now: UnixSeconds) async throws -> Dashboard {
        let rows = try await store.backend.read { db in
            (
                stores: try db.rows("SELECT id, name, time_zone FROM stores WHERE merchant_id = ? ORDER BY id", [merchantId]),
                registers: try db.rows("SELECT id, name FROM registers WHERE merchant_id = ?", [merchantId]),
                customers: try db.rows("SELECT id, card, name, created_at FROM customers WHERE merchant_id = ?", [merchantId]),
                receipts: try db.rows(
                    "SELECT id, store_id, register_id, customer_id, amount, discount, redeemed_kopecks, created_at FROM receipts WHERE merchant_id = ?",
                    [merchantId]),
                returns: try db.rows(
                    """
                    SELECT r.refund_kopecks, r.created_at, c.store_id, c.register_id FROM returns r
                    JOIN receipts c ON c.merchant_id = r.merchant_id AND c.id = r.receipt_id WHERE r.merchant_id = ?
                    """, [merchantId]),
                entries: try db.rows("SELECT kind, amount, created_at FROM ledger_entries WHERE merchant_id = ?", [merchantId]),
                pointValue: try store.program(db, merchantId: merchantId).rules.pointValueKopecks
            )
        }
        let zone = TimeZone(identifier: rows.stores[0]["time_zone"])!
        func offset(_ at: UnixSeconds) -> Int64 { Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(at)))) }
        func day(_ at: UnixSeconds) -> Int64 { Int64((Double(at + offset(at)) / 86_400).rounded(.down)) }
        func month(_ day: Int64) -> Int64 {
            let (y, m, _) = Instant.civil(fromDays: day)
            return y * 12 + m - 1
        }
        func inPeriod(_ at: UnixSeconds) -> Bool { (from.day...to.day).contains(day(at)) }
        func bp(_ part: Int64, _ whole: Int64) -> Int64 { whole == 0 ? 0 : Int64((Double(part) * 10_000 / Double(whole)).rounded()) }
        func avg(_ total: Int64, _ count: Int64) -> Int64 { count == 0 ? 0 : Int64((Double(total) / Double(count)).rounded()) }

        struct Receipt { let store: Int64, register: Int64, customer: Int64?, charged: Int64, discount: Int64, redeemed: Int64, at: Int64 }
        let receipts = rows.receipts.map {
            Receipt(
                store: $0["store_id"], register: $0["register_id"] ?? 0, customer: $0["customer_id"],
                charged: ($0["amount"] as Int64) - ($0["discount"] as Int64), discount: $0["discount"], redeemed: $0["redeemed_kopecks"],
                at: $0["created_at"])
        }
        let inside = receipts.filter { inPeriod($0.at) }
        let returns = rows.returns.filter { inPeriod($0["created_at"]) }
        let members = inside.filter { $0.customer != nil }
        let total = inside.reduce(0) { $0 + $1.charged }, memberTotal = members.reduce(0) { $0 + $1.charged }
        let sales = SalesFigures(
            receipts: Int64(inside.count), sales: total, memberReceipts: Int64(members.count), memberSales: memberTotal,
            memberShareBp: bp(Int64(members.count), Int64(inside.count)), averageCheck: avg(total, Int64(inside.count)),
            memberAverageCheck: avg(memberTotal, Int64(members.count)),
            guestAverageCheck: avg(total - memberTotal, Int64(inside.count - members.count)),
            discount: inside.reduce(0) { $0 + $1.discount }, redeemedKopecks: inside.reduce(0) { $0 + $1.redeemed }, returns: Int64(returns.count),
            refunds: returns.reduce(0) { $0 + ($1["refund_kopecks"] as Int64) })

        func moved(_ kinds: [String], period: Bool = true, day only: Int64? = nil) -> Int64 {
            rows.entries.filter {
                kinds.contains($0["kind"]) && (!period || inPeriod($0["created_at"])) && (only == nil || day($0["created_at"]) == only)
            }.reduce(0) { $0 + ($1["amount"] as Int64) }
        }
        let issuedKinds = ["accrual", "welcome", "manual_credit", "manual_debit", "referral", "rule"]
        let issued = moved(issuedKinds), spent = -moved(["redemption", "hold", "hold_release"])
        let outstanding = rows.entries.reduce(0) { $0 + ($1["amount"] as Int64) }
        let sources = PointSources(
            purchases: moved(["accrual"]), welcome: moved(["welcome"]), referral: moved(["referral"]), rules: moved(["rule"]),
            manual: moved(["manual_credit", "manual_debit"]))
        let points = PointFigures(
            issued: issued, sources: sources, spent: spent, expired: -moved(["expiry"]), corrections: moved(["restore", "reversal"]),
            redemptionRateBp: bp(spent, issued), outstanding: outstanding, liabilityKopecks: avg(outstanding * rows.pointValue, 100))

        // Each member's purchases, in time order.
        var purchases: [Int64: [Receipt]] = [:]
        for receipt in receipts { if let customer = receipt.customer { purchases[customer, default: []].append(receipt) } }
        for key in purchases.keys { purchases[key]!.sort { $0.at < $1.at } }
        let active30 = Int64(purchases.values.filter { $0.last!.at >= now - 30 * 86_400 }.count)
        let active90 = Int64(purchases.values.filter { $0.last!.at >= now - 90 * 86_400 }.count)
        let startOfFrom = from.day * 86_400 - offset(from.day * 86_400), startAfterTo = (to.day + 1) * 86_400 - offset((to.day + 1) * 86_400)
        let firsts = purchases.values.filter { ($0[0].at >= startOfFrom) && ($0[0].at < startAfterTo) }
        let last30 = receipts.filter { $0.customer != nil && day($0.at) > day(now - 30 * 86_400) }.count
        let memberCount = Int64(rows.customers.count)
        let memberFigures = MemberFigures(
            total: memberCount, new: Int64(rows.customers.filter { inPeriod($0["created_at"]) }.count), buyers: Int64(purchases.count),
            active30: active30, active90: active90, active30Bp: bp(active30, memberCount), active90Bp: bp(active90, memberCount),
            quiet: active90 - active30, purchasesPerActive30: avg(Int64(last30) * 100, active30), firstBuyers: Int64(firsts.count),
            repeatBuyers: Int64(firsts.filter { $0.count >= 2 }.count), repeatRateBp: bp(Int64(firsts.filter { $0.count >= 2 }.count), Int64(firsts.count)))

        let storeNames = Dictionary(uniqueKeysWithValues: rows.stores.map { ($0["id"] as Int64, $0["name"] as String) })
        let registerNames = Dictionary(uniqueKeysWithValues: rows.registers.map { ($0["id"] as Int64, $0["name"] as String) })
        let storeIds = Set(inside.map(\.store)).union(returns.map { $0["store_id"] as Int64 })
        func charged(_ list: [Receipt]) -> Int64 { list.reduce(0) { $0 + $1.charged } }
        let stores: [StoreFigures] = storeIds.map { (id: Int64) -> StoreFigures in
            let mine = inside.filter { $0.store == id }
            let withCard = Int64(mine.filter { $0.customer != nil }.count)
            return StoreFigures(
                storeId: String(id), name: storeNames[id]!, receipts: Int64(mine.count), sales: charged(mine), memberReceipts: withCard,
                averageCheck: avg(charged(mine), Int64(mine.count)), discount: mine.reduce(0) { $0 + $1.discount },
                redeemedKopecks: mine.reduce(0) { $0 + $1.redeemed },
                refunds: returns.filter { $0["store_id"] as Int64 == id }.reduce(0) { $0 + ($1["refund_kopecks"] as Int64) })
        }.sorted { (a: StoreFigures, b: StoreFigures) in a.sales != b.sales ? a.sales > b.sales : a.storeId < b.storeId }
        var registerKeys = Set(inside.map { [$0.store, $0.register] })
        for row in returns { registerKeys.insert([row["store_id"] as Int64, row["register_id"] as Int64? ?? 0]) }
        let registers: [RegisterFigures] = registerKeys.map { (key: [Int64]) -> RegisterFigures in
            let mine = inside.filter { $0.store == key[0] && $0.register == key[1] }
            return RegisterFigures(
                registerId: String(key[1]), storeId: String(key[0]), name: registerNames[key[1]] ?? "", receipts: Int64(mine.count),
                sales: charged(mine), discount: mine.reduce(0) { $0 + $1.discount }, redeemedKopecks: mine.reduce(0) { $0 + $1.redeemed })
        }.sorted { (a: RegisterFigures, b: RegisterFigures) in a.sales != b.sales ? a.sales > b.sales : a.registerId < b.registerId }

        let days = (from.day...to.day).map { d in
            let mine = receipts.filter { day($0.at) == d }
            return DayFigures(
                day: LocalDate(day: d), receipts: Int64(mine.count), sales: mine.reduce(0) { $0 + $1.charged },
                memberReceipts: Int64(mine.filter { $0.customer != nil }.count),
                issued: moved(issuedKinds, period: false, day: d),
                spent: -moved(["redemption", "hold", "hold_release"], period: false, day: d))
        }

        let customers = Dictionary(uniqueKeysWithValues: rows.customers.map { ($0["id"] as Int64, $0) })
        func best(_ members: [(id: Int64, list: [Receipt])]) -> [TopCustomer] {
            members.sorted { a, b in
                let x = a.list.reduce(0) { $0 + $1.charged }, y = b.list.reduce(0) { $0 + $1.charged }
                return x != y ? x > y : a.id < b.id
            }
            .prefix(10)
            .map {
                TopCustomer(
                    customerId: String($0.id), card: customers[$0.id]!["card"], maskedName: maskName(customers[$0.id]!["name"]),
                    receipts: Int64($0.list.count), sales: $0.list.reduce(0) { $0 + $1.charged }, lastPurchaseAt: Instant($0.list.last!.at))
            }
        }
        let buyers = purchases.map { (id: $0.key, list: $0.value) }
        let top = best(buyers)
        // Quiet: the last purchase 31–90 days ago (at least 30 days, less than 90).
        let quiet = best(buyers.filter { $0.list.last!.at >= now - 90 * 86_400 && $0.list.last!.at < now - 30 * 86_400 })

        let through = month(to.day)
        let cohorts: [Cohort] = (through - 11...through).compactMap { joined in
            let cohort = rows.customers.filter { month(day($0["created_at"])) == joined }.map { $0["id"] as Int64 }
            guard !cohort.isEmpty else { return nil }
            let buyers = (joined...through).map { m in Int64(cohort.filter { id in (purchases[id] ?? []).contains { month(day($0.at)) == m } }.count) }
            return Cohort(month: MonthNumber.text(joined), members: Int64(cohort.count), buyers: buyers)
        }

        return Dashboard(
            from: from, to: to, timeZone: zone.identifier, asOf: nil, members: memberFigures, sales: sales, points: points, stores: stores,
            registers: registers, days: days, topCustomers: top, quietCustomers: quiet, cohorts: cohorts)
    }
}
