import Foundation
import KopilkaCore

/// A broken invariant found by `verify`.
public struct Violation: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The invariant's id in RELIABILITY.md (I1, I2, I9, I10), `lots-balance` for the lots/balance link or `stamps` for
    /// stamp cards.
    public var invariant: String
    public var merchantId: String
    /// What is broken: a customer or a lot.
    public var subject: String
    public var detail: String

    public var description: String { "\(invariant) merchant \(merchantId) \(subject): \(detail)" }
}

/// What `verify` checked.
public struct VerificationReport: Codable, Sendable {
    public var merchants = 0
    public var customers = 0
    public var lots = 0
    public var entries = 0
    public var auditRecords = 0
    public var violations: [Violation] = []
}

extension SQLStore {
    public func checkReady() async throws {
        _ = try await backend.read { db in try db.row("SELECT COUNT(*) AS n FROM merchants WHERE merchant_id = 0", []) }
    }

    /// Checks the ledger invariants on the live database, in one read snapshot:
    /// I1 conservation per merchant, I2 cached balance = sum of entries per customer, I9 per lot
    /// earned = remaining + what moved out, that each balance equals its lots less its debt, and I10 the audit chain.
    public func verify() async throws -> VerificationReport {
        try await backend.read { db in
            var report = VerificationReport()
            let signs: [String: Int] = [
                EntryKind.accrual.rawValue: 1, EntryKind.welcome.rawValue: 1, EntryKind.restore.rawValue: 1,
                EntryKind.holdRelease.rawValue: 1, EntryKind.redemption.rawValue: -1, EntryKind.hold.rawValue: -1,
                EntryKind.expiry.rawValue: -1, EntryKind.reversal.rawValue: -1, EntryKind.manualCredit.rawValue: 1,
                EntryKind.manualDebit.rawValue: -1, EntryKind.referral.rawValue: 1,
                EntryKind.rule.rawValue: 1,
            ]
            for merchantId in try db.column("SELECT merchant_id FROM merchants ORDER BY merchant_id", [], as: Int64.self) {
                let m = String(merchantId)
                report.merchants += 1
                func fail(_ invariant: String, _ subject: String, _ detail: String) {
                    report.violations.append(Violation(invariant: invariant, merchantId: m, subject: subject, detail: detail))
                }
                report.auditRecords += try self.verifyAudit(db, merchantId: merchantId) { fail("I10", $0, $1) }
                // I1: issued = balances + spent + expired + reversed, with every entry of the right sign.
                var byKind: [String: Int64] = [:]
                for row in try db.rows(
                    "SELECT kind, SUM(amount) AS total, MIN(amount) AS low, MAX(amount) AS high, COUNT(*) AS n FROM ledger_entries WHERE merchant_id = ? GROUP BY kind",
                    [merchantId])
                {
                    let kind: String = row["kind"]
                    byKind[kind] = row["total"]
                    report.entries += row["n"] as Int
                    guard let sign = signs[kind] else {
                        fail("I1", "kind \(kind)", "unknown entry kind")
                        continue
                    }
                    if sign > 0 ? (row["low"] as Int64) <= 0 : (row["high"] as Int64) >= 0 {
                        fail("I1", "kind \(kind)", "an entry has the wrong sign")
                    }
                }
                func total(_ kinds: EntryKind...) -> Int64 { kinds.reduce(0) { $0 + (byKind[$1.rawValue] ?? 0) } }
                // A manual credit is issued points; a manual debit takes points back, like a return's reversal.
                let issued = total(.accrual, .welcome, .manualCredit, .referral, .rule)
                let spent = -total(.redemption, .hold, .holdRelease, .restore)
                let expired = -total(.expiry)
                let reversed = -total(.reversal, .manualDebit)
                let balances = try db.column("SELECT COALESCE(SUM(balance), 0) FROM customers WHERE merchant_id = ?", [merchantId], as: Int64.self)[0]
                if issued != balances + spent + expired + reversed {
                    fail("I1", "ledger", "issued \(issued) ≠ balances \(balances) + spent \(spent) + expired \(expired) + reversed \(reversed)")
                }
                // I2 and the lots/balance link, per customer.
                for row in try db.rows(
                    """
                        SELECT c.id, c.balance, c.debt, COALESCE(e.total, 0) AS entries, COALESCE(l.total, 0) AS lots
                        FROM customers c
                        LEFT JOIN (SELECT merchant_id, customer_id, SUM(amount) AS total FROM ledger_entries WHERE merchant_id = ?1
                                   GROUP BY merchant_id, customer_id) e
                            ON e.merchant_id = c.merchant_id AND e.customer_id = c.id
                        LEFT JOIN (SELECT merchant_id, customer_id, SUM(remaining) AS total FROM lots WHERE merchant_id = ?1
                                   GROUP BY merchant_id, customer_id) l
                            ON l.merchant_id = c.merchant_id AND l.customer_id = c.id
                        WHERE c.merchant_id = ?1
                        """, [merchantId])
                {
                    report.customers += 1
                    let id: Int64 = row["id"]
                    let balance: Int64 = row["balance"]
                    let debt: Int64 = row["debt"]
                    if balance != row["entries"] as Int64 {
                        fail("I2", "customer \(id)", "cached balance \(balance) ≠ sum of entries \(row["entries"] as Int64)")
                    }
                    if debt < 0 || balance != (row["lots"] as Int64) - debt {
                        fail("lots-balance", "customer \(id)", "balance \(balance) ≠ lots \(row["lots"] as Int64) − debt \(debt)")
                    }
                }
                // I9: per lot, earned + movements = remaining, and the lot was created by an entry of its size.
                for row in try db.rows(
                    """
                        SELECT l.id, l.earned, l.remaining, e.amount AS entry_amount, COALESCE(m.moved, 0) AS moved
                        FROM lots l
                        LEFT JOIN ledger_entries e ON e.merchant_id = l.merchant_id AND e.id = l.entry_id
                        LEFT JOIN (SELECT merchant_id, lot_id, SUM(amount) AS moved FROM lot_movements WHERE merchant_id = ?1
                                   GROUP BY merchant_id, lot_id) m
                            ON m.merchant_id = l.merchant_id AND m.lot_id = l.id
                        WHERE l.merchant_id = ?1
                        """, [merchantId])
                {
                    report.lots += 1
                    let id: Int64 = row["id"]
                    let earned: Int64 = row["earned"]
                    let remaining: Int64 = row["remaining"]
                    let moved: Int64 = row["moved"]
                    if earned + moved != remaining || remaining < 0 || remaining > earned {
                        fail("I9", "lot \(id)", "earned \(earned) + movements \(moved) ≠ remaining \(remaining)")
                    }
                    if (row["entry_amount"] as Int64?) != earned {
                        fail("I9", "lot \(id)", "created by an entry of \(String(describing: row["entry_amount"] as Int64?)), not \(earned)")
                    }
                }
                // Stamps: each card's balance is the sum of its entries and never below zero.
                for row in try db.rows(
                    """
                        SELECT b.customer_id, b.card_id, b.stamps, COALESCE(SUM(e.stamps), 0) AS entries
                        FROM stamp_balances b
                        LEFT JOIN stamp_entries e ON e.merchant_id = b.merchant_id AND e.customer_id = b.customer_id AND e.card_id = b.card_id
                        WHERE b.merchant_id = ? GROUP BY b.customer_id, b.card_id, b.stamps
                        """, [merchantId])
                {
                    let stamps: Int64 = row["stamps"]
                    if stamps < 0 || stamps != row["entries"] as Int64 {
                        fail("stamps", "customer \(row["customer_id"] as Int64) card \(row["card_id"] as String)",
                             "\(stamps) stamps ≠ sum of entries \(row["entries"] as Int64)")
                    }
                }
            }
            return report
        }
    }
}
