import Foundation
import KopilkaCore

/// An action a customer did outside a receipt (a review, a completed profile, a repost, a place in a tournament), as
/// the merchant's site or app reports it.
public struct ActionCommand: Sendable, Equatable {
    public var customerId: Int64
    /// The action's name, as the program's rules on `action` name it (`review`).
    public var action: String
    /// The action's own id (the review's): an action is recorded, and rewarded, once per id.
    public var ref: String
    /// Whole numbers the rules' conditions and parts read as `action.<name>` (`length`, `photos`, `place`).
    public var attributes: [String: Int64]

    public init(customerId: Int64, action: String, ref: String, attributes: [String: Int64] = [:]) {
        self.customerId = customerId
        self.action = action
        self.ref = ref
        self.attributes = attributes
    }
}

/// What an action gave: the points of each rule on it, and why the others gave nothing.
public struct ActionRecorded: Codable, Sendable, Equatable {
    public struct Grant: Codable, Sendable, Equatable {
        public var rule: String
        public var name: String
        public var points: Points
        public var entryId: String
        public var expiresAt: Instant?
    }

    /// A rule on the action that gave nothing, as a code (`rule_condition_not_met`, `rule_cap_reached`, …) with its
    /// arguments.
    public struct NoGrant: Codable, Sendable, Equatable {
        /// The rule, absent for `no_rule_for_action`.
        public var rule: String?
        public var name: String?
        public var code: String
        /// For `rule_condition_not_met`: the fact that did not hold.
        public var fact: String?
        /// For `rule_cap_reached`: the cap's period (`day`, `purchase`, `ever`, …) and whose grants it counts.
        public var per: RuleCap.Period?
        public var of: RuleCap.Scope?
    }

    public var customerId: String
    public var action: String
    public var ref: String
    public var points: Points
    public var grants: [Grant]
    public var noGrants: [NoGrant]
    public var balance: BalanceSnapshot
}

/// What deciding an action needs, read in one snapshot.
struct ActionSnapshot: Sendable {
    var rules: ProgramRules
    var account: LedgerAccount?
    var subject: RuleSubject?
    /// Each rule on the action with its caps' usage, in the program's order.
    var candidates: [(rule: Rule, usage: [RuleCapUsage])]
    /// The action was recorded before (by another request under another key).
    var recorded: Bool
}

extension SQLStore {
    /// Records a customer's action and gives what the program's rules on it decide, as one use case (`runUseCase`):
    /// **prefetch** the program, the customer's account and facts, and each rule's caps' usage; **decide** each rule in
    /// the core (`RuleDecision`) and credit its points as new lots; **apply** the action once per `ref` (a second
    /// report of the same review is refused), the postings while the customer is still at the version read, and each
    /// grant while its caps' usage is still as read (a cap over everyone is guarded by the recount). Exactly once per
    /// idempotency key; the API calls it.
    public func recordAction(
        merchantId: Int64, _ command: ActionCommand, idempotency: IdempotencyKey?, now: UnixSeconds, render: @escaping ResponseRenderer<ActionRecorded>
    ) async throws -> StoredResponse {
        try await runUseCase(
            merchantId: merchantId, idempotency: idempotency, now: now, render: render,
            prefetch: { db in try self.actionSnapshot(db, merchantId: merchantId, command, now: now) },
            decide: { self.decideAction(command, $0, now: now) },
            apply: { db, snapshot, outcome in try self.writeAction(db, merchantId: merchantId, command, snapshot, outcome, now: now) },
            refusalHolds: { db, snapshot in
                // Refused as recorded before, or as no customer: both stay true.
                snapshot.recorded || snapshot.account == nil
            })
    }

    func actionSnapshot(_ db: any SQLConnection, merchantId: Int64, _ command: ActionCommand, now: UnixSeconds) throws -> ActionSnapshot {
        let rules = try compiledProgram(db, merchantId: merchantId).0.rules
        let account = try Ledger.readAccount(db, merchantId: merchantId, customerId: command.customerId)
        let subject = try ruleSubject(db, merchantId: merchantId, customerId: command.customerId, rules: rules, now: now)
        var candidates: [(rule: Rule, usage: [RuleCapUsage])] = []
        if let subject {
            for rule in rules.rules where rule.on == .action && rule.action == command.action {
                let usage = try ruleUsage(
                    db, merchantId: merchantId, rule: rule, customerId: subject.customerId, lastPurchaseAt: subject.lastPurchaseAt, rules: rules,
                    now: now)
                candidates.append((rule, usage))
            }
        }
        let recorded = try db.row(
            "SELECT 1 FROM customer_actions WHERE merchant_id = ? AND action = ? AND ref = ?", [merchantId, command.action, command.ref]) != nil
        return ActionSnapshot(rules: rules, account: account, subject: subject, candidates: candidates, recorded: recorded)
    }

    /// What an action writes: the ledger after its credits, and each grant with its entry.
    struct ActionOutcome: Sendable {
        var book: LedgerBook
        var grants: [(grant: RuleGrant, entryId: Int64)]
    }

    func decideAction(
        _ command: ActionCommand, _ snapshot: ActionSnapshot, now: UnixSeconds
    ) -> Result<(answer: ActionRecorded, outcome: ActionOutcome), KopilkaError> {
        guard let account = snapshot.account, let subject = snapshot.subject else { return .failure(.notFound("customer")) }
        guard !snapshot.recorded else { return .failure(.actionAlreadyRecorded(action: command.action, ref: command.ref)) }
        var facts = subject.facts
        facts.add(action: command.attributes)
        var book = LedgerBook(account, now: now, nextID: { [self] in nextID() })
        book.expireDue()
        var grants: [(grant: RuleGrant, entryId: Int64)] = [], noGrants: [ActionRecorded.NoGrant] = []
        for (rule, usage) in snapshot.candidates {
            switch RuleDecision.points(rule, facts: facts, level: subject.level, usage: usage, step: snapshot.rules.pointsStep) {
            case .success(let points):
                let grant = RuleGrant(rule: rule, points: points, ref: "\(command.action):\(command.ref)", expiresAt: snapshot.rules.expiry(of: rule, from: now))
                grants.append((grant, book.credit(.rule, points, activatesAt: now, expiresAt: grant.expiresAt).entryId))
            case .failure(let refusal):
                var noGrant = ActionRecorded.NoGrant(rule: rule.id, name: rule.name, code: refusal.code)
                if case .conditionNotMet(let fact) = refusal { noGrant.fact = fact }
                if case .capReached(let per, let of) = refusal { (noGrant.per, noGrant.of) = (per, of) }
                noGrants.append(noGrant)
            }
        }
        if snapshot.candidates.isEmpty {
            noGrants.append(.init(code: "no_rule_for_action"))
        }
        let answer = ActionRecorded(
            customerId: String(command.customerId), action: command.action, ref: command.ref, points: grants.reduce(0) { $0 + $1.grant.points },
            grants: grants.map {
                .init(rule: $0.grant.rule.id, name: $0.grant.rule.name, points: $0.grant.points, entryId: String($0.entryId),
                      expiresAt: $0.grant.expiresAt.map(Instant.init))
            },
            noGrants: noGrants, balance: book.account.snapshot(at: now))
        return .success((answer, ActionOutcome(book: book, grants: grants)))
    }

    func writeAction(
        _ db: any SQLConnection, merchantId: Int64, _ command: ActionCommand, _ snapshot: ActionSnapshot, _ outcome: ActionOutcome, now: UnixSeconds
    ) throws {
        guard let account = snapshot.account, let subject = snapshot.subject else { throw KopilkaError.notFound("customer") }
        // Recorded meanwhile under another key: refused, as a new snapshot would.
        if try db.row("SELECT 1 FROM customer_actions WHERE merchant_id = ? AND action = ? AND ref = ?", [merchantId, command.action, command.ref]) != nil {
            throw KopilkaError.actionAlreadyRecorded(action: command.action, ref: command.ref)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let attributes = String(decoding: try encoder.encode(command.attributes), as: UTF8.self)
        try db.run(
            "INSERT INTO customer_actions (merchant_id, action, ref, id, customer_id, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [merchantId, command.action, command.ref, nextID(), command.customerId, attributes, now])
        for (rule, usage) in snapshot.candidates where !rule.caps.isEmpty {
            // Caps were decided on counts that must not have moved (a cap over everyone is not the customer's version).
            let current = try ruleUsage(
                db, merchantId: merchantId, rule: rule, customerId: subject.customerId, lastPurchaseAt: subject.lastPurchaseAt, rules: snapshot.rules,
                now: now)
            guard current == usage else {
                throw Ledger.Stale()
            }
        }
        try Ledger(db: db, merchantId: merchantId, now: now, store: self).apply(outcome.book, expectedVersion: account.version)
        for (grant, entryId) in outcome.grants {
            try recordGrant(db, merchantId: merchantId, customerId: command.customerId, grant, entryId: entryId, now: now)
        }
    }
}
