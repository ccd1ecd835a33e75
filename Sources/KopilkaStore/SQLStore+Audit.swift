import Crypto
import Foundation
import KopilkaCore

/// Who made a privileged change: an API key (by id, never its secret) or the operator at the machine.
public struct AuditActor: Sendable, Equatable, CustomStringConvertible {
    public let description: String

    /// A request made with this API key.
    public static func key(_ id: Int64) -> AuditActor { AuditActor(description: "key:\(id)") }
    /// The operator running `kopilka` commands on the server (and tests driving the store directly).
    public static let `operator` = AuditActor(description: "operator")
}

/// One record of the audit log.
public struct AuditRecord: Codable, Sendable, Equatable {
    /// The record's number in the merchant's chain, from 1.
    public var seq: Int64
    public var at: Instant
    /// `key:<id>`, `staff:<id>` (the web console), `customer:<id>` (their cabinet) or `operator`.
    public var actor: String
    /// What was done: `program.update`, `key.create`, `key.revoke`, `store.create`, `register.create`, `customer.groups`,
    /// `customer.export`, `customer.erase`, `customer.adjust`, `customer.consent`, `merchant.create`, `merchant.plan`,
    /// `codes.create`, `staff.create`.
    public var action: String
    /// What it was done to: `program`, `key:<id>`, `customer:<id>`, …
    public var subject: String
    /// The subject before and after, as JSON (never secrets or erased personal data).
    public var before: String?
    public var after: String?
    /// Hex SHA-256 over the previous record's hash and this record's fields.
    public var hash: String
}

/// A page of the audit log, oldest first.
public struct AuditPage: Codable, Sendable {
    public var records: [AuditRecord]
    /// Pass as `after` for the next page; nil on the last page.
    public var next: String?
}

extension SQLStore {
    /// Appends a record to the merchant's chain inside the caller's transaction.
    func audit(
        _ db: any SQLConnection, merchantId: Int64, actor: AuditActor, _ action: String, subject: String,
        before: (any Encodable)? = nil, after: (any Encodable)? = nil, now: UnixSeconds
    ) throws {
        // The bump comes first: it is the write every concurrent append also makes (see migration 003).
        guard try db.run("UPDATE merchants SET audit_seq = audit_seq + 1 WHERE merchant_id = ?", [merchantId]) == 1 else {
            throw KopilkaError.notFound("merchant")
        }
        let seq = try db.column("SELECT audit_seq FROM merchants WHERE merchant_id = ?", [merchantId], as: Int64.self)[0]
        let previous = try db.row("SELECT hash FROM audit_log WHERE merchant_id = ? AND seq = ?", [merchantId, seq - 1])
            .map { Array($0["hash"] as Data) } ?? []
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let beforeText = try before.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let afterText = try after.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        let hash = Self.auditHash(
            previous: previous, merchantId: merchantId, seq: seq, at: now, actor: actor.description, action: action, subject: subject,
            before: beforeText, after: afterText)
        try db.run(
            "INSERT INTO audit_log (merchant_id, seq, at, actor, action, subject, before, after, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [merchantId, seq, now, actor.description, action, subject, beforeText, afterText, Data(hash)])
    }

    /// SHA-256 over the previous hash and each field, every field prefixed by its length so no two records encode alike.
    static func auditHash(
        previous: [UInt8], merchantId: Int64, seq: Int64, at: UnixSeconds, actor: String, action: String, subject: String,
        before: String?, after: String?
    ) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        for field in [String(merchantId), String(seq), String(at), actor, action, subject, before, after] {
            let bytes = field.map { Array($0.utf8) }
            hasher.update(data: Array((bytes.map { "\($0.count):" } ?? "-:").utf8))
            hasher.update(data: bytes ?? [])
        }
        return Array(hasher.finalize())
    }

    /// The merchant's audit log, oldest first, from after record `after`.
    public func auditLog(merchantId: Int64, after: Int64, limit: Int) async throws -> AuditPage {
        try await backend.read { db in
            let records = try db.rows(
                "SELECT * FROM audit_log WHERE merchant_id = ? AND seq > ? ORDER BY seq LIMIT ?", [merchantId, after, Int64(limit + 1)]
            ).map(AuditRecord.init(row:))
            return AuditPage(
                records: Array(records.prefix(limit)), next: records.count > limit ? String(records[limit - 1].seq) : nil)
        }
    }

    /// Who saved each of the program's latest versions (`staff:<id>`, `key:<id>`, …), from the audit log, by version.
    public func programAuthors(merchantId: Int64, limit: Int) async throws -> [Int64: String] {
        try await backend.read { db in
            var authors: [Int64: String] = [:]
            for row in try db.rows(
                "SELECT actor, after FROM audit_log WHERE merchant_id = ? AND action = 'program.update' ORDER BY seq DESC LIMIT ?",
                [merchantId, Int64(limit)])
            {
                let after = (row["after"] as String?).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                if let version = (after?["version"] as? NSNumber)?.int64Value { authors[version] = row["actor"] }
            }
            return authors
        }
    }

    /// The merchant's audit log, newest first, from before record `before` (the newest when nil): what the console shows.
    public func recentAudit(merchantId: Int64, before: Int64?, limit: Int) async throws -> AuditPage {
        try await backend.read { db in
            let records = try db.rows(
                "SELECT * FROM audit_log WHERE merchant_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
                [merchantId, before ?? Int64.max, Int64(limit + 1)]
            ).map(AuditRecord.init(row:))
            return AuditPage(
                records: Array(records.prefix(limit)), next: records.count > limit ? String(records[limit - 1].seq) : nil)
        }
    }

    /// I10: the chain is whole (records 1…`audit_seq`, none missing) and every hash is right. Returns the records checked.
    func verifyAudit(_ db: any SQLConnection, merchantId: Int64, fail: (String, String) -> Void) throws -> Int {
        let last = try db.column("SELECT audit_seq FROM merchants WHERE merchant_id = ?", [merchantId], as: Int64.self)[0]
        var previous: [UInt8] = []
        var expected: Int64 = 1
        for row in try db.rows("SELECT * FROM audit_log WHERE merchant_id = ? ORDER BY seq", [merchantId]) {
            let record = AuditRecord(row: row)
            if record.seq != expected { fail("audit \(expected)", "record missing (next is \(record.seq))") }
            let hash = Self.auditHash(
                previous: previous, merchantId: merchantId, seq: record.seq, at: record.at.seconds, actor: record.actor,
                action: record.action, subject: record.subject, before: record.before, after: record.after)
            if hash.hex != record.hash { fail("audit \(record.seq)", "hash does not match the record and its predecessor") }
            previous = Array(row["hash"] as Data)
            expected = record.seq + 1
        }
        if expected - 1 != last { fail("audit \(expected)", "the chain ends at \(expected - 1), the merchant counts \(last)") }
        return Int(expected - 1)
    }
}

extension AuditRecord {
    init(row: SQLRow) {
        self.init(
            seq: row["seq"], at: Instant(row["at"]), actor: row["actor"], action: row["action"], subject: row["subject"],
            before: row["before"], after: row["after"], hash: Array(row["hash"] as Data).hex)
    }
}

extension [UInt8] {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
