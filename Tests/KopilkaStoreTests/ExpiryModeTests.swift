import Foundation
import KopilkaCore
@testable import KopilkaStore
import KopilkaTesting
import Testing

/// "Points burn at the end of the month after the one they were earned in", "at the end of the year", "in 6 months":
/// when a lot expires under each mode, at the boundaries of Moscow's months (UTC+3).
@Suite struct ExpiryModeTests {
    /// A UTC moment.
    static func utc(_ year: Int64, _ month: Int64, _ day: Int64, _ hour: Int64 = 0, _ minute: Int64 = 0) -> UnixSeconds {
        Instant.days(fromCivil: year, month, day) * 86_400 + hour * 3600 + minute * 60
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let mode: ExpiryMode
        let periods: Int
        let start: UnixSeconds
        let expires: UnixSeconds?
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "end of this month: 1 December 00:00 in Moscow", mode: .endOfMonth, periods: 0, start: utc(2026, 11, 24, 10), expires: utc(2026, 11, 30, 21)),
        Case(name: "end of next month", mode: .endOfMonth, periods: 1, start: utc(2026, 11, 24, 10), expires: utc(2026, 12, 31, 21)),
        Case(name: "23:30 on 30 November in Moscow is still November", mode: .endOfMonth, periods: 0, start: utc(2026, 11, 30, 20, 30),
             expires: utc(2026, 11, 30, 21)),
        Case(name: "00:30 on 1 December in Moscow is December already", mode: .endOfMonth, periods: 0, start: utc(2026, 11, 30, 21, 30),
             expires: utc(2026, 12, 31, 21)),
        Case(name: "end of this year", mode: .endOfYear, periods: 0, start: utc(2026, 11, 24, 10), expires: utc(2026, 12, 31, 21)),
        Case(name: "end of next year", mode: .endOfYear, periods: 1, start: utc(2026, 11, 24, 10), expires: utc(2027, 12, 31, 21)),
        Case(name: "six months from 31 August end on the last day of February", mode: .months, periods: 6, start: utc(2026, 8, 31, 9),
             expires: utc(2027, 2, 28, 9)),
        Case(name: "six months without a purchase from 31 August: the last day of February", mode: .inactivity, periods: 6,
             start: utc(2026, 8, 31, 9), expires: utc(2027, 2, 28, 9)),
        Case(name: "in a leap year, 29 February", mode: .inactivity, periods: 6, start: utc(2027, 8, 31, 9), expires: utc(2028, 2, 29, 9)),
        Case(name: "one month after 31 January in Moscow (30 January 21:30 UTC)", mode: .months, periods: 1, start: utc(2027, 1, 30, 21, 30),
             expires: utc(2027, 2, 27, 21, 30)),
    ])
    func aLotExpiresAtTheEndOfItsPeriod(_ c: Case) {
        var rules = ProgramRules()
        rules.expiry = c.mode
        rules.expiryPeriods = c.periods
        #expect(rules.violations() == [])
        #expect(rules.expiry(from: c.start) == c.expires)
    }

    @Test func daysAreTheDefaultAndZeroIsNever() {
        var rules = ProgramRules()
        #expect(rules.expiry(from: 1_000) == UnixSeconds(1_000 + 365 * 86_400))
        rules.lifetimeDays = 0
        #expect(rules.expiry(from: 1_000) == nil)
        rules.expiry = .months
        #expect(rules.violations().map(\.field) == ["expiryPeriods"], "months need a number of months")
        (rules.expiry, rules.expiryPeriods) = (.days, 6)
        #expect(rules.violations().map(\.field) == ["expiryPeriods"], "days count no months: not silently ignored")
    }

    @Test(arguments: TestDatabase.allCases)
    func pointsEarnedInJanuaryBurnWhenJanuaryEnds(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        var rules = ProgramRules()
        rules.expiry = .endOfMonth
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: StoreFixture.t0 - 60)
        let customer = try await f.customer()
        _ = try await f.commit(customer)
        let lots = try await f.store.openLots(merchantId: f.merchantId, customerId: customer)
        // t0 is 1 January 2026, 03:00 in Moscow: the lot lives to 1 February 00:00 in Moscow.
        #expect(lots.map { $0.expiresAt?.seconds } == [Self.utc(2026, 1, 31, 21)])
        #expect(try await f.balance(customer, at: Self.utc(2026, 1, 31, 20, 59)).spendable == 10_00)
        #expect(try await f.balance(customer, at: Self.utc(2026, 1, 31, 21)).spendable == 0)
    }

    /// A zone the system does not know is refused where the program is saved, not read as Moscow.
    @Test(arguments: TestDatabase.allCases)
    func anUnknownTimeZoneIsRefused(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        var rules = ProgramRules()
        rules.expiry = .endOfMonth
        rules.expiryTimeZone = "Europe/Moskow"
        do {
            _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: StoreFixture.t0)
            Issue.record("a program with an unknown zone was saved")
        } catch KopilkaError.validation(let problems) {
            #expect(problems.map(\.field) == ["expiryTimeZone"])
        }
        rules.expiryTimeZone = "Asia/Vladivostok"
        let saved = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: StoreFixture.t0)
        #expect(saved.rules.expiryTimeZone == "Asia/Vladivostok")
    }

    /// Points that burn after a time without a purchase: days, or calendar months ("all points are written off after
    /// 6 months without a purchase"). A customer who buys only once loses their points when the time has passed; one
    /// who buys again moves the date on for all their points.
    struct Inactivity: CustomTestStringConvertible, Sendable {
        let name: String
        let lifetimeDays: Int
        let months: Int
        /// The first purchase of both customers, the regular's second one, and when each one's points burn.
        let first: UnixSeconds, second: UnixSeconds, onceBurns: UnixSeconds, regularBurns: UnixSeconds
        var testDescription: String { name }
    }

    static let inactivity = [
        Inactivity(
            name: "30 days", lifetimeDays: 30, months: 0, first: StoreFixture.t0, second: StoreFixture.t0 + 20 * 86_400,
            onceBurns: StoreFixture.t0 + 30 * 86_400, regularBurns: StoreFixture.t0 + 50 * 86_400),
        Inactivity(
            name: "6 months: 31 August + 6 is 28 February, 31 October + 6 is 30 April", lifetimeDays: 365, months: 6,
            first: utc(2026, 8, 31, 9), second: utc(2026, 10, 31, 9), onceBurns: utc(2027, 2, 28, 9), regularBurns: utc(2027, 4, 30, 9)),
    ]

    @Test(arguments: TestDatabase.allCases, inactivity)
    func withoutPurchasesForAWhileEveryPointBurns(_ database: TestDatabase, _ c: Inactivity) async throws {
        let f = try await StoreFixture(database)
        var rules = ProgramRules()
        rules.expiry = .inactivity
        rules.lifetimeDays = c.lifetimeDays
        rules.expiryPeriods = c.months
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: c.first - 60)
        let regular = try await f.customer(phone: "+79120000001", now: c.first)
        let once = try await f.customer(phone: "+79120000002", now: c.first)
        _ = try await f.commit(regular, now: c.first)
        _ = try await f.commit(once, now: c.first)
        _ = try await f.commit(regular, now: c.second)
        #expect(try await f.balance(once, at: c.onceBurns - 1).spendable == 10_00)
        #expect(try await f.balance(once, at: c.onceBurns).spendable == 0)
        #expect(try await f.balance(regular, at: c.regularBurns - 1).spendable == 20_00)
        #expect(try await f.balance(regular, at: c.regularBurns).spendable == 0)
        // Maintenance writes the expiry into the ledger.
        let report = try await f.store.runMaintenance(now: c.regularBurns)
        #expect(report.expiredLots == 3 && report.expiredPoints == 30_00)
    }
}
