import Foundation
import Hummingbird
import KopilkaCore
import KopilkaStore
import KopilkaWords

extension WebConsole {
    /// `GET /console/dashboard?from=&to=`
    func dashboard(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let (from, to, periodError) = period(visit)
        let figures = try await store.dashboard(merchantId: session.merchantId, from: from, to: to, now: visit.now)
        // The period before, as long, for "how it changed".
        let length = figures.to.day - figures.from.day + 1
        let before = try await store.dashboard(
            merchantId: session.merchantId, from: LocalDate(day: figures.from.day - length), to: LocalDate(day: figures.from.day - 1), now: visit.now)
        let f = visit.format
        let zone = TimeZone(identifier: figures.timeZone) ?? TimeZone(identifier: "UTC")!
        /// A figure with what it means, and its change against the period before when `was` is given.
        func card(_ id: String, _ value: String, hint: String? = nil, now: Int64? = nil, was: Int64? = nil, lowerIsBetter: Bool = false) -> [String: Any] {
            var card: [String: Any] = ["id": id, "label": visit.t("dash.\(id)"), "value": value, "means": visit.t("dash.means.\(id)")]
            if let hint { card["hint"] = hint }
            if let now, let was, was != 0 || now != 0 {
                let change = was == 0 ? nil : (now - was) * 10_000 / abs(was)
                card["change"] = change.map { ($0 >= 0 ? "+" : "−") + f.percent(abs($0)) } ?? visit.t("dash.new")
                card["changeGood"] = (now >= was) != lowerIsBetter
            }
            return card
        }
        let m = figures.members, s = figures.sales, p = figures.points
        let ps = before.sales, pp = before.points
        // What the program cost in money: the discounts it gave and the part of receipts paid with points.
        let cost = s.discount + s.redeemedKopecks, costBefore = ps.discount + ps.redeemedKopecks
        let economics: [[String: Any]] = [
            card("cost", f.money(cost), hint: "\(visit.t("dash.discounts")) \(f.money(s.discount)) + \(visit.t("dash.byPoints")) \(f.money(s.redeemedKopecks))",
                 now: cost, was: costBefore, lowerIsBetter: true),
            // A share changes in points of percent, which a relative change would misstate: the share before is said instead.
            card("costShare", f.share(cost, of: s.sales + cost), hint: "\(visit.t("dash.wasBefore")) \(f.share(costBefore, of: ps.sales + costBefore))"),
            card("memberSales", f.money(s.memberSales), hint: "\(f.share(s.memberSales, of: s.sales)) \(visit.t("dash.ofSales"))",
                 now: s.memberSales, was: ps.memberSales),
            card("memberCheck", f.money(s.memberAverageCheck), hint: "\(visit.t("dash.guestCheck")) \(f.money(s.guestAverageCheck))",
                 now: s.memberAverageCheck, was: ps.memberAverageCheck),
            card("refunds", f.money(s.refunds), hint: "\(visit.t("dash.returnsCount")) \(f.count(s.returns))", now: s.refunds, was: ps.refunds,
                 lowerIsBetter: true),
            card("liability", f.money(p.liabilityKopecks), hint: "\(f.pointsCounted(p.outstanding)) \(visit.t("dash.onCards"))"),
        ]
        let cards: [[String: Any]] = [
            card("sales", f.money(s.sales), now: s.sales, was: ps.sales),
            card("receipts", f.count(s.receipts), hint: "\(visit.t("dash.memberShare")) \(f.percent(s.memberShareBp))", now: s.receipts, was: ps.receipts),
            card("members", f.count(m.total), hint: "+\(f.count(m.new)) \(visit.t("dash.newInPeriod"))", now: m.new, was: before.members.new),
            card("active30", f.percent(m.active30Bp),
                 hint: visit.t("dash.activeHint").replacingOccurrences(of: "{n}", with: f.count(m.active30))
                    .replacingOccurrences(of: "{share90}", with: f.percent(m.active90Bp))),
            card("quiet", f.count(m.quiet)),
            card("frequency", f.points(m.purchasesPerActive30)),
            card("repeatRate", f.percent(m.repeatRateBp),
                 hint: visit.t("dash.repeatHint").replacingOccurrences(of: "{back}", with: f.count(m.repeatBuyers))
                    .replacingOccurrences(of: "{first}", with: f.count(m.firstBuyers))),
            card("issued", f.points(p.issued), now: p.issued, was: pp.issued),
            card("spent", f.points(p.spent), hint: "\(visit.t("dash.redemptionRate")) \(f.percent(p.redemptionRateBp))", now: p.spent, was: pp.spent),
            card("expired", f.points(p.expired)),
        ]
        let sources: [(String, Points)] = [
            ("purchases", p.sources.purchases), ("welcome", p.sources.welcome), ("referral", p.sources.referral), ("rules", p.sources.rules),
            ("manual", p.sources.manual),
        ]
        let csv = "from=\(figures.from)&to=\(figures.to)"
        return render("dashboard", visit, [
            "from": figures.from.description, "to": figures.to.description, "periodError": periodError ?? "",
            "asOf": figures.asOf.map { f.time($0, zone) } ?? visit.t("dash.notYet"),
            "timeZone": figures.timeZone, "cards": cards, "economics": economics, "csv": csv,
            "previous": visit.t("dash.previous").replacingOccurrences(of: "{from}", with: f.day(before.from))
                .replacingOccurrences(of: "{to}", with: f.day(before.to)),
            "sources": sources.map { ["label": visit.t("dash.source.\($0.0)"), "points": f.points($0.1), "share": f.share($0.1, of: p.issued)] },
            "chart": Chart.bars(
                figures.days.map { (label: f.day($0.day), value: $0.sales) }, title: visit.t("dash.chartTitle"),
                format: { f.money($0) }),
            "stores": figures.stores.map {
                ["name": $0.name, "receipts": f.count($0.receipts), "sales": f.money($0.sales), "members": f.count($0.memberReceipts),
                 "check": f.money($0.averageCheck), "cost": f.money($0.discount + $0.redeemedKopecks), "refunds": f.money($0.refunds)]
            },
            "registers": figures.registers.map { register in
                // Register 0 holds the receipts a till sent without naming its register.
                ["name": register.registerId == "0" ? visit.t("dash.noRegister") : register.name.isEmpty ? "№ \(register.registerId)" : register.name,
                 "store": figures.stores.first { $0.storeId == register.storeId }?.name ?? "", "receipts": f.count(register.receipts),
                 "sales": f.money(register.sales), "cost": f.money(register.discount + register.redeemedKopecks)]
            },
            "top": figures.topCustomers.map {
                ["id": $0.customerId, "card": $0.card, "name": $0.maskedName ?? "—", "receipts": f.count($0.receipts), "sales": f.money($0.sales),
                 "last": f.date($0.lastPurchaseAt, zone)]
            },
            "quiet": figures.quietCustomers.map {
                ["id": $0.customerId, "card": $0.card, "name": $0.maskedName ?? "—", "receipts": f.count($0.receipts), "sales": f.money($0.sales),
                 "last": f.date($0.lastPurchaseAt, zone)]
            },
            "cohorts": figures.cohorts.map { cohort in
                ["month": f.month(cohort.month), "members": f.count(cohort.members),
                 "cells": cohort.buyers.map { ["share": f.share($0, of: cohort.members), "count": f.count($0)] }]
            },
            "cohortColumns": (0..<(figures.cohorts.map(\.buyers.count).max() ?? 0)).map {
                ["label": $0 == 0 ? visit.t("dash.cohortJoined") : visit.t("dash.cohortAfter").replacingOccurrences(of: "{n}", with: "\($0)")]
            },
        ])
    }

    /// `GET /console/dashboard.csv?table=days|stores|registers|top|quiet|cohorts&from=&to=`: a table of the dashboard as
    /// the owner's spreadsheet opens it (`CSV`): headers, numbers and dates in the page's language.
    func dashboardCSV(_ visit: Visit, _ session: WebSession) async throws -> Response {
        let (from, to, _) = period(visit)
        let d = try await store.dashboard(merchantId: session.merchantId, from: from, to: to, now: visit.now)
        let zone = try await merchantZone(session.merchantId)
        let table = visit.query["table"] ?? "days"
        let csv = CSV(language: visit.language)
        let f = visit.format
        func header(_ keys: [String]) -> [String] { keys.map { visit.t("csv.\($0)") } }
        var rows: [[String]]
        switch table {
        case "stores":
            rows = [header(["storeId", "store", "receipts", "sales", "memberReceipts", "averageCheck"])]
            rows += d.stores.map { [$0.storeId, $0.name, "\($0.receipts)", csv.number($0.sales), "\($0.memberReceipts)", csv.number($0.averageCheck)] }
        case "registers":
            rows = [header(["registerId", "storeId", "register", "receipts", "sales"])]
            rows += d.registers.map { [$0.registerId, $0.storeId, $0.name, "\($0.receipts)", csv.number($0.sales)] }
        case "top", "quiet":
            rows = [header(["customerId", "card", "name", "receipts", "sales", "lastPurchase"])]
            // Every member who went quiet (up to 100,000), not only the ten on the page: the list to win back.
            let customers = table == "top" ? d.topCustomers : try await store.quietCustomers(merchantId: session.merchantId, now: visit.now, limit: 100_000)
            rows += customers.map {
                [$0.customerId, $0.card, $0.maskedName ?? "", "\($0.receipts)", csv.number($0.sales), csv.day(Formatting.local($0.lastPurchaseAt, zone).date)]
            }
        case "cohorts":
            let width = d.cohorts.map(\.buyers.count).max() ?? 0
            rows = [header(["month", "members"]) + (0..<width).map { visit.t("csv.monthN").replacingOccurrences(of: "{n}", with: "\($0)") }]
            rows += d.cohorts.map { [$0.month, "\($0.members)"] + $0.buyers.map(String.init) }
        default:
            rows = [header(["day", "receipts", "memberReceipts", "sales", "pointsIssued", "pointsSpent"])]
            rows += d.days.map { [csv.day($0.day), "\($0.receipts)", "\($0.memberReceipts)", csv.number($0.sales), csv.number($0.issued), csv.number($0.spent)] }
        }
        let name = "kopilka-\(["stores", "registers", "top", "quiet", "cohorts"].contains(table) ? table : "days")-\(d.from)-\(d.to).csv"
        return Response(
            status: .ok,
            headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name)\"", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: csv.file(rows))))
    }

    /// The period of the query, or the default (the last 30 days) with a message when it is not a valid one.
    private func period(_ visit: Visit) -> (LocalDate?, LocalDate?, String?) {
        let fromText = visit.query["from"] ?? "", toText = visit.query["to"] ?? ""
        if fromText.isEmpty && toText.isEmpty { return (nil, nil, nil) }
        guard let from = LocalDate(fromText), let to = LocalDate(toText), from <= to, to.day - from.day < 366 else {
            return (nil, nil, visit.t("dash.badPeriod"))
        }
        return (from, to, nil)
    }
}

/// A table as the owner's spreadsheet opens it with a double click: Russian Excel expects `;` between fields and a
/// decimal comma, English a comma and a dot; both need the UTF-8 byte order mark to read Cyrillic (RFC 4180 otherwise:
/// CRLF, quotes doubled).
struct CSV {
    let language: Language

    var separator: Character { language == .ru ? ";" : "," }

    /// The file: the byte order mark, then the rows.
    func file(_ rows: [[String]]) -> [UInt8] { [0xEF, 0xBB, 0xBF] + Array(text(rows).utf8) }

    func text(_ rows: [[String]]) -> String {
        rows.map { $0.map(field).joined(separator: String(separator)) }.joined(separator: "\r\n") + "\r\n"
    }

    func field(_ value: String) -> String {
        // A leading = + - @ would be read as a formula by spreadsheets: quote it with an apostrophe.
        let number = Double(value.replacingOccurrences(of: ",", with: ".")) != nil
        let safe = value.first.map { "=+-@".contains($0) && !number } == true ? "'" + value : value
        guard safe.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return safe }
        return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A date as the spreadsheet reads it for a date: `06.12.2026` in Russian, `2026-12-06` in English.
    func day(_ date: LocalDate) -> String { language == .ru ? Formatting(language: .ru).day(date) : date.description }

    /// Hundredths (roubles, points) as a number the spreadsheet computes with: `1234,50` in Russian, `1234.50` in English.
    func number(_ hundredths: Int64) -> String {
        let sign = hundredths < 0 ? "-" : ""
        let value = abs(hundredths)
        return "\(sign)\(value / 100)\(language == .ru ? "," : ".")\(value % 100 < 10 ? "0" : "")\(value % 100)"
    }
}
