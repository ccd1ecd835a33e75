import ArgumentParser
import Foundation
import KopilkaCore
import KopilkaStore

/// `kopilka bench`
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure commits/s and calculations/s beside raw SQLite (and pgbench) on this machine, in one run.",
        discussion: """
            Runs in a temporary folder: (1) the baseline, a bare update+insert per transaction on SQLite with the
            same pragmas; (2) Kopilka's commit use case (group commit) from concurrent clients in-process; (3) the
            pure receipt engine. With --postgres: pgbench TPC-B against that server next to Kopilka's commits on it
            (in a schema of its own, dropped afterwards). Prints figures and ratios. Use a release build:
            swift build -c release && scripts/bench, or scripts/bench --with-postgres for a throwaway cluster.
            """)

    @Option(help: "Seconds each measurement runs.")
    var seconds = 3.0

    @Option(help: "Concurrent clients for the commit measurement (comma-separated).")
    var concurrency = "1,16,64"

    @Option(help: "Customers in the benchmark merchant.")
    var customers = 1000

    @Option(help: "Run only these parts (comma-separated): baseline, commits, calculations (all of the engine), engine (without promotions), promotions (20 lines × 50 promotions).")
    var only = "baseline,commits,calculations"

    @Option(help: "SQLite synchronous mode for the baseline and Kopilka (FULL, NORMAL).")
    var synchronous = "FULL"

    @Option(help: "A PostgreSQL URL: also measure commits there beside pgbench TPC-B on the same server (part 'postgres').")
    var postgres: String?

    func run() async throws {
        guard let mode = SQLStore.Synchronous(rawValue: synchronous.uppercased()) else { throw ValidationError("--synchronous must be FULL or NORMAL") }
        let levels = concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !levels.isEmpty, levels.allSatisfy({ (1...1024).contains($0) }) else { throw ValidationError("--concurrency takes numbers 1…1024") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #if DEBUG
        print("note: this is a debug build; figures are for a release build: swift run -c release kopilka bench")
        #endif
        print("synchronous=\(mode.rawValue), \(seconds) s per measurement, \(ProcessInfo.processInfo.activeProcessorCount) cores")

        let parts = Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        var raw1 = Double.nan
        var rows: [(String, Double, String)] = []
        if parts.contains("baseline") {
            progress("baseline: raw SQLite, 1 update+insert per transaction")
            raw1 = try RawSQLiteBaseline.run(path: folder.appendingPathComponent("raw1.sqlite").path, synchronous: mode, perTransaction: 1, seconds: seconds)
            progress("baseline: raw SQLite, 100 update+insert per transaction")
            let raw100 = try RawSQLiteBaseline.run(
                path: folder.appendingPathComponent("raw100.sqlite").path, synchronous: mode, perTransaction: 100, seconds: seconds)
            rows.append(("raw SQLite tx/s (1 pair per tx)", raw1, "1.00 × baseline"))
            rows.append(("raw SQLite pairs/s (100 per tx)", raw100, String(format: "%.2f × baseline", raw100 / raw1)))
        }

        let store = try SQLStore(path: folder.appendingPathComponent("kopilka.sqlite").path, synchronous: mode)
        let fixture = try await BenchFixture.make(store: store, customers: customers)
        for clients in levels where parts.contains("commits") {
            progress("Kopilka commits, \(clients) concurrent clients")
            let result = try await fixture.commits(clients: clients, seconds: seconds)
            rows.append((
                "Kopilka commits/s, \(clients) clients (p50 \(format(result.p50Ms)) ms, p99 \(format(result.p99Ms)) ms)", result.perSecond,
                String(format: "%.2f × baseline", result.perSecond / raw1)))
        }
        if parts.contains("calculations") || parts.contains("engine") {
            progress("receipt engine: calculations on one core")
            let calculations = BenchFixture.calculations(lines: BenchFixture.lines, rules: fixture.rules, tier: nil, seconds: seconds)
            rows.append(("calculations/s (pure engine, 5 lines, one core)", calculations, ""))
            let gold = BenchFixture.levelRules.tiers?.tiers[2]
            let big = BenchFixture.calculations(lines: BenchFixture.bigReceipt, rules: BenchFixture.levelRules, tier: gold, seconds: seconds)
            rows.append(("calculations/s (20 lines, level + card discount, one core)", big, String(format: "%.0f lines/s", big * 20)))
        }
        if parts.contains("calculations") || parts.contains("promotions") {
            let gold = BenchFixture.levelRules.tiers?.tiers[2]
            progress("receipt engine: 20 lines against 50 promotions, compiling the rules per receipt, then once")
            let uncompiled = BenchFixture.calculations(
                lines: BenchPromotions.receipt, rules: BenchPromotions.rules, tier: gold, context: BenchPromotions.moment, compileEachTime: true,
                seconds: seconds)
            rows.append(("calculations/s (20 lines, 50 promotions, rules compiled per receipt)", uncompiled,
                         String(format: "%.0f lines/s, %.1f µs/receipt", uncompiled * 20, 1e6 / uncompiled)))
            let compiled = BenchFixture.calculations(
                lines: BenchPromotions.receipt, rules: BenchPromotions.rules, tier: gold, context: BenchPromotions.moment, seconds: seconds)
            rows.append(("calculations/s (20 lines, 50 promotions, rules compiled once)", compiled,
                         String(format: "%.0f lines/s, %.1f µs/receipt, %.2f × per-receipt", compiled * 20, 1e6 / compiled, compiled / uncompiled)))
        }
        if parts.contains("calculations") {
            progress("calculate with the customer's balance read from SQLite")
            let reads = try await fixture.calculationsWithBalance(clients: 2, seconds: seconds)
            rows.append(("calculations/s with balance read (2 clients)", reads, ""))
        }
        if let postgres, parts.contains("postgres") || parts.contains("commits") {
            rows += try await postgresRows(url: postgres, levels: levels)
        }
        let report = try await store.verify()
        print("")
        for (name, value, ratio) in rows {
            print(name.padding(toLength: 72, withPad: " ", startingAt: 0), String(format: "%12.0f", value), "  ", ratio)
        }
        print("verify after the run: \(report.violations.isEmpty ? "ok" : "FAILED \(report.violations.count) violations") (\(report.entries) entries)")
    }

    /// pgbench TPC-B at each client count, then Kopilka's commits on the same server at the same counts, as a ratio.
    func postgresRows(url: String, levels: [Int]) async throws -> [(String, Double, String)] {
        guard var location = PostgresLocation(url: url) else { throw ValidationError("--postgres must be a postgres:// URL") }
        location.poolSize = levels.max() ?? 16
        let scale = max(16, levels.max() ?? 16)
        progress("pgbench: initializing TPC-B at scale \(scale)")
        try PgBench.initialize(url: location.connectionURL, scale: scale)
        var tps: [Int: Double] = [:]
        for clients in levels {
            progress("pgbench TPC-B, \(clients) clients")
            tps[clients] = try PgBench.tps(url: location.connectionURL, clients: clients, seconds: seconds)
        }
        try PgBench.drop(url: location.connectionURL)
        let schema = "kopilka_bench_\(UInt32.random(in: 0...UInt32.max))"
        let store = try await SQLStore.postgres(location.with(schema: schema))
        progress("PostgreSQL: \(customers) customers in schema \(schema)")
        let fixture = try await BenchFixture.make(store: store, customers: customers)
        var rows: [(String, Double, String)] = []
        for clients in levels {
            rows.append(("pgbench TPC-B tps, \(clients) clients", tps[clients]!, "1.00 × pgbench"))
            progress("Kopilka commits on PostgreSQL, \(clients) concurrent clients")
            let result = try await fixture.commits(clients: clients, seconds: seconds)
            rows.append((
                "Kopilka commits/s on PostgreSQL, \(clients) clients (p50 \(format(result.p50Ms)) ms, p99 \(format(result.p99Ms)) ms)",
                result.perSecond, String(format: "%.2f × pgbench", result.perSecond / tps[clients]!)))
        }
        let report = try await store.verify()
        rows.append(("verify on PostgreSQL: \(report.violations.isEmpty ? "ok" : "FAILED") (\(report.entries) entries)", Double(report.violations.count), "violations"))
        try await store.dropSchema()
        return rows
    }

    func progress(_ text: String) { FileHandle.standardError.write(Data("… \(text)\n".utf8)) }
    func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
