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

    /// "All points are written off after 6 months without a purchase": calendar months, moved on by each purchase.
    @Test(arguments: TestDatabase.allCases)
    func withoutPurchasesForSixMonthsEveryPointBurns(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        var rules = ProgramRules()
        rules.expiry = .inactivity
        rules.expiryPeriods = 6
        let august = Self.utc(2026, 8, 31, 9), october = Self.utc(2026, 10, 31, 9)
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: august - 60)
        let regular = try await f.customer(phone: "+79120000001", now: august)
        let once = try await f.customer(phone: "+79120000002", now: august)
        _ = try await f.commit(regular, now: august)
        _ = try await f.commit(once, now: august)
        _ = try await f.commit(regular, now: october)
        // 31 August + 6 months is 28 February; 31 October + 6 months is 30 April.
        #expect(try await f.balance(once, at: Self.utc(2027, 2, 28, 9) - 1).spendable == 10_00)
        #expect(try await f.balance(once, at: Self.utc(2027, 2, 28, 9)).spendable == 0)
        #expect(try await f.balance(regular, at: Self.utc(2027, 4, 30, 9) - 1).spendable == 20_00)
        #expect(try await f.balance(regular, at: Self.utc(2027, 4, 30, 9)).spendable == 0)
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

    @Test(arguments: TestDatabase.allCases)
    func withoutPurchasesForThirtyDaysEveryPointBurns(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0, day: Int64 = 86_400
        var rules = ProgramRules()
        rules.expiry = .inactivity
        rules.lifetimeDays = 30
        _ = try await f.store.updateProgram(merchantId: f.merchantId, rules: rules, expectedVersion: nil, now: t0 - 60)
        let regular = try await f.customer(phone: "+79120000001")
        let once = try await f.customer(phone: "+79120000002")
        _ = try await f.commit(regular, now: t0)
        _ = try await f.commit(once, now: t0)
        // 20 days later the regular buys again: both of their lots now live to day 50; the other's lot still to day 30.
        _ = try await f.commit(regular, now: t0 + 20 * day)
        #expect(try await f.balance(once, at: t0 + 30 * day - 1).spendable == 10_00)
        #expect(try await f.balance(once, at: t0 + 30 * day).spendable == 0)
        #expect(try await f.balance(regular, at: t0 + 50 * day - 1).spendable == 20_00)
        #expect(try await f.balance(regular, at: t0 + 50 * day).spendable == 0)
        // Maintenance writes the expiry into the ledger.
        let report = try await f.store.runMaintenance(now: t0 + 50 * day)
        #expect(report.expiredLots == 3 && report.expiredPoints == 30_00)
    }
}
