import KopilkaCore

/// What the merchant's program did over a period, and whether it pays: the dashboard of the web console and of
/// `GET /v1/analytics/dashboard`.
///
/// Read from totals by day that maintenance folds in every minute (`SQLStore.rollUpAnalytics`), never from the ledger:
/// everything created before `asOf` is counted. Days are in the merchant's time zone (its first store's). Shares and
/// rates are in basis points (1/100 of a percent), money in kopecks, points in hundredths.
public struct Dashboard: Codable, Sendable, Equatable {
    /// The first and last day of the period, inclusive.
    public var from: LocalDate
    public var to: LocalDate
    /// The IANA zone the days are in.
    public var timeZone: String
    /// Rows created before this moment are counted; nil before the first fold.
    public var asOf: Instant?
    public var members: MemberFigures
    public var sales: SalesFigures
    public var points: PointFigures
    /// The period by store, and by register (receipts without a register under register "0").
    public var stores: [StoreFigures]
    public var registers: [RegisterFigures]
    /// Every day of the period, for the chart.
    public var days: [DayFigures]
    /// The members who bought the most since they joined.
    public var topCustomers: [TopCustomer]
    /// The members who went quiet (bought 31–90 days ago, not since) who had bought the most: the first to win back.
    public var quietCustomers: [TopCustomer]
    /// Up to twelve months of joining, newest last, with the share of each that bought in each month since.
    public var cohorts: [Cohort]
}

/// Members now and in the period.
public struct MemberFigures: Codable, Sendable, Equatable {
    /// Members registered up to `asOf`.
    public var total: Int64
    /// Registered during the period.
    public var new: Int64
    /// Members who have bought at least once.
    public var buyers: Int64
    /// Members whose last purchase is at most 30 (90) days before now.
    public var active30: Int64
    public var active90: Int64
    /// `active30` (`active90`) of `total`.
    public var active30Bp: Int64
    public var active90Bp: Int64
    /// Went quiet: bought 31–90 days ago and not since.
    public var quiet: Int64
    /// Members' receipts in the last 30 days per member active in them, in hundredths (250: 2.5 purchases).
    public var purchasesPerActive30: Int64
    /// Members whose first purchase fell in the period, and how many of them bought again (at any time since).
    public var firstBuyers: Int64
    public var repeatBuyers: Int64
    /// `repeatBuyers` of `firstBuyers`.
    public var repeatRateBp: Int64
}

/// Receipts in the period.
public struct SalesFigures: Codable, Sendable, Equatable {
    public var receipts: Int64
    /// What the receipts charged: amount less discounts (money and points).
    public var sales: Kopecks
    public var memberReceipts: Int64
    public var memberSales: Kopecks
    /// Receipts with a member, of all receipts.
    public var memberShareBp: Int64
    /// Average check of all receipts, of members' and of the rest (0 when there are none).
    public var averageCheck: Kopecks
    public var memberAverageCheck: Kopecks
    public var guestAverageCheck: Kopecks
    /// Discounts given and the part paid with points.
    public var discount: Kopecks
    public var redeemedKopecks: Kopecks
    /// Returns made in the period and the money they refunded.
    public var returns: Int64
    public var refunds: Kopecks
}

/// Points issued in the period by where they came from.
public struct PointSources: Codable, Sendable, Equatable {
    /// Earned on purchases (the program's rates, levels, promotions' extra points).
    public var purchases: Points
    public var welcome: Points
    /// "Bring a friend" rewards.
    public var referral: Points
    /// The program's rules outside receipts: birthdays, actions, levels reached.
    public var rules: Points
    /// Credited by hand less debited by hand.
    public var manual: Points
}

/// Points moved in the period, and what is outstanding.
public struct PointFigures: Codable, Sendable, Equatable {
    /// Every source's points together (`sources`): manual debits taken off as they were added by hand.
    public var issued: Points
    public var sources: PointSources
    /// Spent on receipts and orders (less holds released).
    public var spent: Points
    /// Burnt at the end of their lifetime.
    public var expired: Points
    /// Given back and taken back by returns (signed).
    public var corrections: Points
    /// `spent` of `issued`.
    public var redemptionRateBp: Int64
    /// Every member's points at `asOf` (spendable and pending, less debt): what the merchant owes.
    public var outstanding: Points
    /// `outstanding` at the program's point value.
    public var liabilityKopecks: Kopecks
}

/// One store over the period.
public struct StoreFigures: Codable, Sendable, Equatable {
    public var storeId: String
    public var name: String
    public var receipts: Int64
    public var sales: Kopecks
    public var memberReceipts: Int64
    public var averageCheck: Kopecks
    /// What the program cost here: discounts, and the part paid with points.
    public var discount: Kopecks
    public var redeemedKopecks: Kopecks
    /// Money given back by returns.
    public var refunds: Kopecks
}

/// One register over the period.
public struct RegisterFigures: Codable, Sendable, Equatable {
    public var registerId: String
    public var storeId: String
    public var name: String
    public var receipts: Int64
    public var sales: Kopecks
    public var discount: Kopecks
    public var redeemedKopecks: Kopecks
}

/// One day of the period.
public struct DayFigures: Codable, Sendable, Equatable {
    public var day: LocalDate
    public var receipts: Int64
    public var sales: Kopecks
    public var memberReceipts: Int64
    public var issued: Points
    public var spent: Points
}

/// A member among the best buyers.
public struct TopCustomer: Codable, Sendable, Equatable {
    public var customerId: String
    public var card: String
    public var maskedName: String?
    public var receipts: Int64
    public var sales: Kopecks
    public var lastPurchaseAt: Instant
}

/// Members who joined in one month, and how many of them bought in that month and each month after.
public struct Cohort: Codable, Sendable, Equatable {
    /// `YYYY-MM`.
    public var month: String
    public var members: Int64
    /// Buyers in the month of joining (index 0) and each later month up to the current one.
    public var buyers: [Int64]
}

/// `part` of `whole` in basis points, rounded half up; 0 when `whole` is 0.
func basisPoints(_ part: Int64, of whole: Int64) -> Int64 {
    whole == 0 ? 0 : (part * 10_000 * 2 + whole) / (2 * whole)
}

/// `total / count` rounded half up; 0 when `count` is 0.
func average(_ total: Int64, over count: Int64) -> Int64 {
    count == 0 ? 0 : (total * 2 + count) / (2 * count)
}

/// A month as a number (year × 12 + month − 1) and back to `YYYY-MM`.
enum MonthNumber {
    static func of(day: Int64) -> Int64 {
        let (year, month, _) = Instant.civil(fromDays: day)
        return year * 12 + month - 1
    }

    static func text(_ month: Int64) -> String {
        let m = month % 12 + 1
        return "\(month / 12)-\(m < 10 ? "0" : "")\(m)"
    }
}
