import KopilkaCore

/// Everything the server asks of a database, shaped like the use cases (not tables). `SQLStore` implements it;
/// a PostgreSQL store will too, and one contract suite will prove them equal.
///
/// Points-moving operations take an optional idempotency key and a renderer: the rendered response is stored
/// with the key in the same transaction as the effect, and a replay returns it unchanged.
public protocol LoyaltyStore: Sendable {
    // Merchants, stores, registers, keys.
    /// Creates a merchant with the default program and its first admin key.
    func createMerchant(name: String, currency: String, plan: Plan, now: UnixSeconds) async throws -> (MerchantView, IssuedKey)
    /// Moves the merchant to another plan.
    func setPlan(merchantId: Int64, plan: Plan, now: UnixSeconds, actor: AuditActor) async throws
    /// The merchant, or nil.
    func merchant(_ merchantId: Int64) async throws -> MerchantView?
    /// Sets the language of the merchant's API answers (`ru` or `en`).
    func setLanguage(merchantId: Int64, language: String, now: UnixSeconds, actor: AuditActor) async throws -> MerchantView
    /// Who a key acts as, or nil for an unknown or revoked key.
    func principal(forKeyHash hash: [UInt8]) async throws -> Principal?
    /// Opens a store.
    func createStore(merchantId: Int64, name: String, timeZone: String, now: UnixSeconds, actor: AuditActor) async throws -> StoreView
    /// The merchant's stores.
    func stores(merchantId: Int64) async throws -> [StoreView]
    /// Whether the store belongs to the merchant.
    func storeExists(merchantId: Int64, storeId: Int64) async throws -> Bool
    /// Adds a register to a store and issues its key.
    func createRegister(merchantId: Int64, storeId: Int64, name: String, now: UnixSeconds, actor: AuditActor) async throws -> (RegisterView, IssuedKey)
    /// The merchant's registers (of one store when given).
    func registers(merchantId: Int64, storeId: Int64?) async throws -> [RegisterView]
    /// Issues another admin key.
    func createAdminKey(merchantId: Int64, name: String, now: UnixSeconds, actor: AuditActor) async throws -> IssuedKey
    /// The merchant's keys (prefixes only).
    func keys(merchantId: Int64) async throws -> [KeyView]
    /// Revokes a key.
    func revokeKey(merchantId: Int64, keyId: Int64, now: UnixSeconds, actor: AuditActor) async throws -> KeyView

    // The program.
    /// The merchant's program.
    func program(merchantId: Int64) async throws -> ProgramView
    /// Replaces the program's rules; the version goes up by one. A stale `expectedVersion` is refused.
    func updateProgram(merchantId: Int64, rules: ProgramRules, expectedVersion: Int64?, now: UnixSeconds, actor: AuditActor) async throws -> ProgramView
    /// The program compiled for the engine, kept per version.
    func compiledProgram(merchantId: Int64) async throws -> (ProgramView, CompiledProgram)
    /// One version of the program, as it was.
    func programVersion(merchantId: Int64, version: Int64) async throws -> ProgramView?

    // Customers.
    /// Registers a customer (with the welcome bonus, if any).
    func registerCustomer(
        merchantId: Int64, _ customer: NewCustomer, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<CustomerRegistered>) async throws -> StoredResponse
    /// Finds a customer by id, phone or card, with the balance at `now`.
    func customer(merchantId: Int64, _ key: CustomerKey, now: UnixSeconds) async throws -> CustomerSummary?
    /// The full profile.
    func customerProfile(merchantId: Int64, customerId: Int64, now: UnixSeconds) async throws -> CustomerProfile?
    /// Puts the customer in groups, replacing the previous ones.
    func setCustomerGroups(merchantId: Int64, customerId: Int64, groups: [String], now: UnixSeconds, actor: AuditActor) async throws
    /// Everything held about the customer (audited).
    func exportCustomer(merchantId: Int64, customerId: Int64, now: UnixSeconds, actor: AuditActor) async throws -> CustomerExport?
    /// Erases the customer's personal data, keeping the ledger under the customer's id (audited).
    func eraseCustomer(merchantId: Int64, customerId: Int64, now: UnixSeconds, actor: AuditActor) async throws -> CustomerProfile?
    /// A page of the customer's ledger, newest first.
    func ledger(merchantId: Int64, customerId: Int64, before: Int64?, limit: Int) async throws -> LedgerPage?

    // Receipts.
    /// What a receipt would do, in the store's local time, with the presented codes; changes nothing.
    func calculateReceipt(merchantId: Int64, _ command: CalculateCommand, now: UnixSeconds) async throws -> ReceiptCalculated
    /// Commits a receipt, exactly once per key and per (store, externalId).
    func commitReceipt(
        merchantId: Int64, _ command: ReceiptCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReceiptCommitted>) async throws -> StoredResponse
    /// The receipt with its lines.
    func receipt(merchantId: Int64, receiptId: Int64) async throws -> ReceiptView?
    /// Categories and SKUs the tills have sent, with the owner's names.
    func catalogue(merchantId: Int64, kind: CatalogueItem.Kind?, limit: Int) async throws -> [CatalogueItem]
    /// Names a category or SKU of the catalogue and prices a SKU; false when there is no such item.
    func editCatalogueItem(
        merchantId: Int64, kind: CatalogueItem.Kind, code: String, name: String, price: Kopecks?, actor: AuditActor, now: UnixSeconds) async throws -> Bool
    /// The shop's logo, or nil.
    func logo(merchantId: Int64) async throws -> MerchantLogo?
    /// Sets or removes the shop's logo.
    func setLogo(merchantId: Int64, _ logo: MerchantLogo?, actor: AuditActor, now: UnixSeconds) async throws
    /// Adds a SKU to the catalogue; false when its code is taken.
    func addCatalogueItem(
        merchantId: Int64, code: String, name: String, category: String?, price: Kopecks, actor: AuditActor, now: UnixSeconds) async throws -> Bool
    /// Receipts newest first, filtered: the journal.
    func receiptJournal(merchantId: Int64, _ query: ReceiptQuery) async throws -> JournalPage
    /// A receipt's returns, oldest first.
    func returns(merchantId: Int64, receiptId: Int64) async throws -> [ReturnSummary]
    /// Returns lines of a receipt.
    func returnLines(
        merchantId: Int64, _ command: ReturnCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReturnMade>) async throws -> StoredResponse

    // Promo codes.
    /// Creates a batch of codes (generated, or one chosen code).
    func createCodeBatch(merchantId: Int64, _ batch: NewCodeBatch, now: UnixSeconds, actor: AuditActor) async throws -> CodeBatchView
    /// The merchant's code batches, newest first.
    func codeBatches(merchantId: Int64) async throws -> [CodeBatchView]
    /// A batch's codes with their uses; nil when there is no such batch.
    func codes(merchantId: Int64, batchId: Int64) async throws -> [(code: String, uses: Int64)]?

    // Online orders.
    /// Reserves points for an order.
    func placeHold(
        merchantId: Int64, _ command: HoldCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<HoldPlaced>) async throws -> StoredResponse
    /// Turns a held order into a receipt.
    func confirmHold(
        merchantId: Int64, holdId: Int64, storeId: Int64?, externalId: String?, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ReceiptCommitted>) async throws -> StoredResponse
    /// Cancels a hold and gives its points back.
    func cancelHold(
        merchantId: Int64, holdId: Int64, storeId: Int64?, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<HoldView>) async throws -> StoredResponse
    /// The hold.
    func hold(merchantId: Int64, holdId: Int64, now: UnixSeconds) async throws -> HoldView?

    // Protection.
    /// Saves a spending confirmation code for the customer (voiding older ones); nil when there is no such customer.
    func issueSpendCode(merchantId: Int64, customerId: Int64, code: String, now: UnixSeconds) async throws -> SpendCodeIssued?
    /// Credits or debits points by hand, with a reason; audited, within the program's limit.
    func adjustPoints(
        merchantId: Int64, _ command: AdjustmentCommand, actor: AuditActor, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<AdjustmentMade>) async throws -> StoredResponse
    /// Records a customer's action (a review, a completed profile) and gives what the program's rules on it decide.
    func recordAction(
        merchantId: Int64, _ command: ActionCommand, idempotency: IdempotencyKey?, now: UnixSeconds,
        render: @escaping ResponseRenderer<ActionRecorded>) async throws -> StoredResponse
    /// Operations that broke a cashier limit and were flagged, newest first.
    func fraudFlags(merchantId: Int64, before: Int64?, limit: Int) async throws -> [FraudFlagView]

    // The web console.
    /// Adds a member of staff (the email must be free at every merchant).
    func createStaff(
        merchantId: Int64, email: String, name: String, role: StaffRole, password: PasswordHash, now: UnixSeconds, actor: AuditActor
    ) async throws -> StaffView
    /// The merchant's staff.
    func staff(merchantId: Int64) async throws -> [StaffView]
    /// Changes a member of staff's role or disables them; the last active owner stays.
    func updateStaff(merchantId: Int64, staffId: Int64, role: StaffRole, disabled: Bool, now: UnixSeconds, actor: AuditActor) async throws -> StaffView
    /// Sets a member of staff's password and ends their sessions.
    func setStaffPassword(merchantId: Int64, staffId: Int64, password: PasswordHash, now: UnixSeconds, actor: AuditActor) async throws
    /// A member of staff by email with their password hash, for signing in.
    func staffCredentials(email: String) async throws -> (merchantId: Int64, staff: StaffView, password: PasswordHash)?
    /// Opens a browser session.
    func openSession(
        merchantId: Int64, staffId: Int64?, customerId: Int64?, tokenHash: [UInt8], csrf: String, expiresAt: UnixSeconds, now: UnixSeconds
    ) async throws
    /// The live session with this token hash.
    func session(tokenHash: [UInt8], now: UnixSeconds) async throws -> WebSession?
    /// Ends a session.
    func closeSession(tokenHash: [UInt8]) async throws
    /// Customers by phone, card or the start of their name.
    func findCustomers(merchantId: Int64, query: String, limit: Int, now: UnixSeconds) async throws -> [CustomerSummary]
    /// Keeps a cabinet sign-in code for the member with this phone; nil when there is none.
    func issueLoginCode(merchantId: Int64, phone: String, code: String, now: UnixSeconds) async throws -> Int64?
    /// The customer whose live sign-in code this is (using it up), or nil.
    func useLoginCode(merchantId: Int64, phone: String, code: String, now: UnixSeconds) async throws -> Int64?
    /// Keeps a code confirming a phone that joins from the join page (a sign-in code for a member's phone).
    func issueJoinCode(merchantId: Int64, phone: String, code: String, now: UnixSeconds) async throws -> JoinCodeIssued
    /// Registers the customer when the code confirms their phone.
    func join(merchantId: Int64, _ customer: NewCustomer, code: String, now: UnixSeconds) async throws -> JoinOutcome
    /// Gives or withdraws consent to marketing messages.
    func setMarketingConsent(merchantId: Int64, customerId: Int64, consent: Bool, now: UnixSeconds, actor: AuditActor) async throws
    /// The merchant's time zone for reports and pages.
    func timeZone(merchantId: Int64) async throws -> String
    /// The program's latest versions, newest first.
    func programVersions(merchantId: Int64, limit: Int) async throws -> [ProgramView]
    /// A customer's lots that still hold points.
    func openLots(merchantId: Int64, customerId: Int64) async throws -> [OpenLot]
    /// How many friends a customer brought and what they were paid for them.
    func referralSummary(merchantId: Int64, customerId: Int64) async throws -> ReferralSummary
    /// The dashboard for a period (by default the last 30 days), from the folded analytics.
    func dashboard(merchantId: Int64, from: LocalDate?, to: LocalDate?, now: UnixSeconds) async throws -> Dashboard
    /// Members who went quiet (bought 31–90 days ago, not since), the most valuable first.
    func quietCustomers(merchantId: Int64, now: UnixSeconds, limit: Int) async throws -> [TopCustomer]
    /// Folds new receipts, returns, entries and customers into the analytics; returns the receipts folded.
    @discardableResult
    func rollUpAnalytics(lagSeconds: Int64, batchSize: Int) async throws -> Int

    // Operations.
    /// Expires due lots, marks activations, releases expired holds, settles due referral rewards; idempotent.
    func runMaintenance(now: UnixSeconds, batchSize: Int) async throws -> MaintenanceReport
    /// Claims the texts owed to members before their points burn, to be sent now.
    func claimExpiryReminders(now: UnixSeconds, limit: Int) async throws -> [ExpiryReminder]
    /// Gives back a claimed reminder whose text was not sent.
    func releaseExpiryReminder(_ reminder: ExpiryReminder) async throws
    /// Deletes idempotency records older than `cutoff`.
    func pruneIdempotencyKeys(olderThan cutoff: UnixSeconds) async throws -> Int
    /// The audit log of privileged changes, oldest first, after record `after`.
    func auditLog(merchantId: Int64, after: Int64, limit: Int) async throws -> AuditPage
    /// Points adjusted by hand, either way, over the 24 hours before `now` (against the program's daily cap).
    func adjustedToday(merchantId: Int64, now: UnixSeconds) async throws -> Points
    /// Who saved the program's latest versions, by version.
    func programAuthors(merchantId: Int64, limit: Int) async throws -> [Int64: String]
    /// The audit log newest first, before record `before`.
    func recentAudit(merchantId: Int64, before: Int64?, limit: Int) async throws -> AuditPage
    /// Checks the ledger invariants and the audit chain.
    func verify() async throws -> VerificationReport
    /// Throws unless the database answers a read (`/ready`).
    func checkReady() async throws
    /// Write transactions tried again after a conflict with a concurrent one since the process began (`/metrics`).
    var writeConflicts: Int { get }
    /// Whether this process is the one that runs maintenance now (several `kopilka serve` on one PostgreSQL: one
    /// maintains, the others stand by and take over when it ends).
    func holdsMaintenanceLease() async throws -> Bool
}

extension SQLStore: LoyaltyStore {}
