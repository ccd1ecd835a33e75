import KopilkaCore

/// Who a request acts as: resolved from its key.
public struct Principal: Sendable, Equatable {
    /// What a key may do.
    public enum Role: String, Sendable, Codable {
        /// The whole merchant: program, stores, keys, customers' profiles.
        case admin
        /// One register (till) of one store.
        case register
    }

    public var merchantId: Int64
    public var keyId: Int64
    public var role: Role
    /// The store a register key acts for.
    public var storeId: Int64?
    /// The register a register key belongs to.
    public var registerId: Int64?
    /// The merchant's language for API answers (`ru`, `en`).
    public var language: String

    public init(merchantId: Int64, keyId: Int64, role: Role, storeId: Int64?, registerId: Int64?, language: String = "ru") {
        self.merchantId = merchantId
        self.keyId = keyId
        self.role = role
        self.storeId = storeId
        self.registerId = registerId
        self.language = language
    }
}

/// A merchant (tenant).
public struct MerchantView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var currency: String
    /// What the merchant pays for, and so what the program may use.
    public var plan: Plan
    /// The language of the merchant's API answers' sentences (`ru`, `en`); a request's `Accept-Language` overrides it.
    public var language: String
}

/// A store: where sales happen, in its own time zone.
public struct StoreView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var timeZone: String
}

/// A register (till) of a store.
public struct RegisterView: Codable, Sendable, Equatable {
    public var id: String
    public var storeId: String
    public var name: String
}

/// A key as listed: never the secret, only its recognisable prefix.
public struct KeyView: Codable, Sendable, Equatable {
    public var id: String
    public var prefix: String
    public var role: Principal.Role
    public var name: String
    public var storeId: String?
    public var registerId: String?
    public var createdAt: Instant
    public var revokedAt: Instant?
}

/// A key at the moment it is made: the only time its secret is shown.
public struct IssuedKey: Codable, Sendable, Equatable {
    public var key: KeyView
    /// The secret to put in `Authorization: Bearer …`; shown once, stored only as a hash.
    public var secret: String
}

/// The program as stored: its rules and the version receipts record.
public struct ProgramView: Codable, Sendable, Equatable {
    public var version: Int64
    public var rules: ProgramRules
    public var updatedAt: Instant
}

/// A customer as a till sees them: no personal data beyond a masked name and phone.
public struct CustomerSummary: Codable, Sendable, Equatable {
    public var id: String
    public var card: String
    public var maskedName: String?
    public var maskedPhone: String?
    public var balance: BalanceSnapshot
    /// The customer's level, when the program has levels.
    public var tier: TierStanding?
    /// The merchant's groups for the customer (`wholesale`, `staff`): promotions and wholesale prices may be for them.
    public var groups: [String]
    /// Stamps on the program's stamp cards.
    public var stamps: [StampBalance]
}

/// A customer's full profile: admin keys only.
public struct CustomerProfile: Codable, Sendable, Equatable {
    public var id: String
    public var card: String
    public var phone: String?
    public var name: String?
    public var email: String?
    public var birthday: String?
    public var consents: Consents
    public var balance: BalanceSnapshot
    /// The sum of the customer's ledger (spendable + pending − debt, less any lots expired but not yet processed).
    public var ledgerBalance: Points
    public var createdAt: Instant
    /// When the personal data was erased (the fields above are then empty and `card` is a pseudonym).
    public var erasedAt: Instant?
}

/// Consents as recorded: whether given and when.
public struct Consents: Codable, Sendable, Equatable {
    public var personalData: Bool
    public var personalDataAt: Instant?
    public var marketing: Bool
    public var marketingAt: Instant?

    public init(personalData: Bool, personalDataAt: Instant?, marketing: Bool, marketingAt: Instant?) {
        self.personalData = personalData
        self.personalDataAt = personalDataAt
        self.marketing = marketing
        self.marketingAt = marketingAt
    }
}

/// One movement of points.
public struct LedgerEntryView: Codable, Sendable, Equatable {
    public var id: String
    public var kind: EntryKind
    /// Signed amount in hundredths: positive adds to the balance.
    public var amount: Points
    public var receiptId: String?
    public var returnId: String?
    public var holdId: String?
    /// The lot an accrual created.
    public var lotId: String?
    /// When the lot becomes spendable (accruals).
    public var activatesAt: Instant?
    /// When the lot expires (accruals), nil for never.
    public var expiresAt: Instant?
    public var createdAt: Instant
    /// For a `rule` entry, the id of the program's rule that gave it (`ProgramRules.rules`).
    public var rule: String?
    /// For a manual adjustment, its reason.
    public var note: String?
}

/// A page of ledger entries, newest first.
public struct LedgerPage: Codable, Sendable, Equatable {
    public var entries: [LedgerEntryView]
    /// Pass as `before` to get the next (older) page; nil on the last page.
    public var nextBefore: String?
}


/// A committed receipt with its lines and what it moved.
public struct ReceiptView: Codable, Sendable, Equatable {
    public var id: String
    public var externalId: String
    public var storeId: String
    public var registerId: String?
    public var customerId: String?
    public var programVersion: Int64
    public var amount: Kopecks
    public var discount: Kopecks
    public var redeemedKopecks: Kopecks
    public var redeemedPoints: Points
    public var payable: Kopecks
    public var earnedPoints: Points
    public var lines: [ReceiptLineView]
    /// Why the receipt earned and spent what it did, as calculated when it was committed; nil in a commit's answer,
    /// which carries it once, in its `calculation`.
    public var explanation: [Reason]?
    public var createdAt: Instant
}

/// A committed line, with how much of it was returned.
public struct ReceiptLineView: Codable, Sendable, Equatable {
    public var line: Int
    public var sku: String
    public var name: String
    public var category: String?
    public var quantity: Thousandths
    public var price: Kopecks
    public var amount: Kopecks
    public var discount: Kopecks
    public var redeemedKopecks: Kopecks
    public var redeemedPoints: Points
    public var payable: Kopecks
    public var earnedPoints: Points
    public var returnedQuantity: Thousandths
}

/// An online order's reservation of points.
public struct HoldView: Codable, Sendable, Equatable {
    public var id: String
    public var externalId: String
    public var storeId: String
    public var customerId: String
    /// `held`, `confirmed`, `cancelled` or `expired`.
    public var status: String
    public var points: Points
    public var expiresAt: Instant
    public var receiptId: String?
    public var createdAt: Instant
}

/// The outcome of a commit: the receipt, its calculation, the entries it made and the new balance.
public struct ReceiptCommitted: Codable, Sendable, Equatable {
    public var receipt: ReceiptView
    public var calculation: ReceiptCalculation
    public var entries: [LedgerEntryView]
    public var balance: BalanceSnapshot?
}

/// The outcome of a return.
public struct ReturnMade: Codable, Sendable, Equatable {
    public var id: String
    public var receiptId: String
    public var lines: [LineReturn]
    public var refundKopecks: Kopecks
    public var reversedPoints: Points
    public var restoredPoints: Points
    /// Points the return could not take back (policy `capAtBalance`); 0 otherwise.
    public var unrecoveredPoints: Points
    public var entries: [LedgerEntryView]
    public var balance: BalanceSnapshot
    public var createdAt: Instant
}

/// The outcome of registering a customer.
public struct CustomerRegistered: Codable, Sendable, Equatable {
    public var customer: CustomerSummary
    public var entries: [LedgerEntryView]
}

/// The outcome of placing a hold.
public struct HoldPlaced: Codable, Sendable, Equatable {
    public var hold: HoldView
    public var calculation: ReceiptCalculation
    public var balance: BalanceSnapshot
}

/// What one maintenance run did.
public struct MaintenanceReport: Codable, Sendable, Equatable {
    public var expiredLots = 0
    public var expiredPoints: Points = 0
    public var activatedLots = 0
    public var releasedHolds = 0
    /// Referral rewards paid or cancelled at the end of their purchase's return window.
    public var settledReferrals = 0
    /// Customers looked at for birthday gifts (`ProgramRules.rules` on `birthday`).
    public var birthdaysChecked = 0

    public init() {}
}

/// A batch of promo codes and how much of it is used.
public struct CodeBatchView: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var promotionId: String?
    /// Points each use gives, in hundredths.
    public var points: Points
    public var validFrom: Instant?
    public var validUntil: Instant?
    /// Uses of each code; absent for any number.
    public var usesPerCode: Int64?
    public var usesPerCustomer: Int64?
    /// Codes in the batch.
    public var count: Int64
    /// Codes used at least once.
    public var usedCodes: Int64
    /// Uses of all codes.
    public var uses: Int64
    public var createdAt: Instant
    /// The codes, on creation of a batch of at most 1,000 (larger batches: the CSV export).
    public var codes: [String]?
}
