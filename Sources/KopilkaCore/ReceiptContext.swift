/// What a calculation knows beyond the lines and the program, gathered by the store before it runs:
/// when and where the receipt happens, which codes the till presented, and how promotions have been used.
public struct ReceiptContext: Sendable {
    /// The store's wall clock at the receipt; nil when unknown (then scheduled rules do not apply).
    public var time: LocalTime?
    /// The store's id.
    public var storeId: String?
    /// The codes the till presented, already looked up.
    public var codes: [PresentedCode]
    /// Uses so far of the promotions that have limits, by promotion id.
    public var usage: [String: PromotionUsage]
    /// What some rules need to know of the customer (gathered only when the program has such rules).
    public var facts: CustomerFacts
    /// How the till says the money part is paid; empty when it does not say.
    public var payments: [Payment] = []
    /// Stamps on the customer's stamp cards now, by card id (burnt stamps already left out).
    public var stamps: [String: Int] = [:]
    /// What the program's rules on `purchase` and its promotions' `conditions` read of the customer; nil when it has
    /// neither, so that most receipts copy nothing more.
    public var purchaseRules: PurchaseRuleFacts?

    public init(
        time: LocalTime? = nil, storeId: String? = nil, codes: [PresentedCode] = [], usage: [String: PromotionUsage] = [:],
        facts: CustomerFacts = .init()
    ) {
        self.time = time
        self.storeId = storeId
        self.codes = codes
        self.usage = usage
        self.facts = facts
    }
}

/// The customer's side of the occasion and daily-limit rules.
public struct CustomerFacts: Sendable, Equatable {
    /// The customer's birthday, if they gave it.
    public var birthday: LocalDate?
    /// The local date of their previous purchase, if any.
    public var lastPurchase: LocalDate?
    /// Receipts that earned them points today (the store's local day).
    public var accrualsToday: Int
    /// Receipts they paid with points today.
    public var redemptionsToday: Int

    public init(birthday: LocalDate? = nil, lastPurchase: LocalDate? = nil, accrualsToday: Int = 0, redemptionsToday: Int = 0) {
        self.birthday = birthday
        self.lastPurchase = lastPurchase
        self.accrualsToday = accrualsToday
        self.redemptionsToday = redemptionsToday
    }
}

/// A promo code or coupon as presented on a receipt, with what the store found out about it.
public struct PresentedCode: Sendable, Equatable {
    /// Whether the code can be used on this receipt, and if not, why.
    public enum Status: String, Codable, Sendable {
        case valid
        /// No such code.
        case unknown
        /// Its batch's validity has not begun.
        case notStarted
        /// Its batch's validity is over.
        case expired
        /// A single-use code already redeemed, or a multi-use code out of uses.
        case used
        /// The customer has used the batch as often as it allows.
        case customerLimit
        /// The batch asks for an identified customer.
        case needsCustomer
    }

    /// The code as the till sent it (normalized).
    public var code: String
    public var status: Status
    /// The promotion the code unlocks, if any.
    public var promotionId: String?
    /// Points the code gives, in hundredths (0: none).
    public var points: Points
    /// The batch the code belongs to (nil when unknown): its counters are written by every use of its codes.
    public var batchId: Int64?

    public init(code: String, status: Status, promotionId: String? = nil, points: Points = 0, batchId: Int64? = nil) {
        self.code = code
        self.status = status
        self.promotionId = promotionId
        self.points = points
        self.batchId = batchId
    }
}

/// What happened to a presented code on a receipt.
public struct CodeOutcome: Codable, Sendable, Equatable {
    public var code: String
    public var status: PresentedCode.Status
    /// Whether the code gave something on this receipt (a committed receipt then uses it up).
    public var applied: Bool

    public init(code: String, status: PresentedCode.Status, applied: Bool) {
        self.code = code
        self.status = status
        self.applied = applied
    }
}

/// A promotion that gave something on a receipt.
public struct AppliedPromotion: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Kopecks it took off the receipt.
    public var discount: Kopecks
    /// Points it added, in hundredths.
    public var earnedPoints: Points
    /// Its cost to the merchant: the discount plus the points at their value, in kopecks (what budgets count).
    public var valueKopecks: Kopecks
    /// The 1-based lines it touched.
    public var lines: [Int]
    /// The code that unlocked it, if one did.
    public var code: String?
}

/// The customer's side of the rules on `purchase` (and of promotions' `conditions`, which read the same facts).
public struct PurchaseRuleFacts: Sendable, Equatable {
    /// The customer's facts, as before the purchase.
    public var facts: RuleFacts
    /// Grants so far of each rule with caps, by rule id, in its caps' order.
    public var usage: [String: [RuleCapUsage]]

    public init(facts: RuleFacts, usage: [String: [RuleCapUsage]]) {
        self.facts = facts
        self.usage = usage
    }
}

/// Points a program rule on `purchase` added to the receipt's.
public struct AppliedRule: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Points it added, in hundredths.
    public var points: Points

    public init(id: String, name: String, points: Points) {
        self.id = id
        self.name = name
        self.points = points
    }
}

/// An item a promotion gives for free.
public struct Gift: Codable, Sendable, Equatable {
    public var promotionId: String
    public var sku: String
    public var name: String
    /// Whether the item is on the receipt already (its price is then taken off); otherwise the cashier adds it.
    public var onReceipt: Bool

    public init(promotionId: String, sku: String, name: String, onReceipt: Bool) {
        self.promotionId = promotionId
        self.sku = sku
        self.name = name
        self.onReceipt = onReceipt
    }
}
