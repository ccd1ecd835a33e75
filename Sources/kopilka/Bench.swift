import ArgumentParser
import Foundation
import KopilkaCore
import KopilkaStore

/// `kopilka bench`
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure Kopilka beside the bare database on this machine, in one run: commits/s, calculations/s, latency, CPU, memory.",
        discussion: """
            Runs in a temporary folder: (1) the baseline, a bare update+insert per transaction on SQLite with the same
            pragmas (and pgbench TPC-B with --postgres); (2) the receipt engine in process; (3) Kopilka's commit use case
            in process; (4) a `kopilka serve` of this executable on a database filled with seeded customers, driven over
            HTTP by wrk (health, lookup, calculate, commit, return at each concurrency), then again with more customers;
            with --postgres the same commits on PostgreSQL beside pgbench at the same client counts. Prints a table and
            the targets met or missed, and writes the figures as JSON. Use a release build: scripts/bench
            (scripts/bench --with-postgres for a throwaway PostgreSQL); --quick only shows that it works.
            """)

    @Flag(help: "Small sizes and 1-second runs: proves the benchmark works (CI), judges nothing.")
    var quick = false

    @Option(help: "Seconds each measurement runs (default 5; 1 with --quick).")
    var seconds: Double?

    @Option(help: "Concurrent clients or connections, comma-separated (default 1,16,64; 4 with --quick).")
    var concurrency: String?

    @Option(help: "Customers, comma-separated: the first size is measured fully, the next ones (the database grown) on lookup, calculate and commit (default 100000,1000000; 1000,2000 with --quick).")
    var customers: String?

    @Option(help: "Run only these parts (comma-separated): baseline, engine, promotions, commits (in process), http, postgres.")
    var only = "baseline,engine,promotions,commits,http,postgres"

    @Option(help: "SQLite synchronous mode for the baseline and Kopilka (FULL, NORMAL).")
    var synchronous = "FULL"

    @Option(help: "A PostgreSQL URL: also measure there, beside pgbench TPC-B on the same server (part 'postgres').")
    var postgres: String?

    @Option(help: "Customers on PostgreSQL (default 20000; 1000 with --quick): registering them there is slow, and the target compares commits with pgbench, not sizes.")
    var postgresCustomers: Int?

    @Option(help: "Where to write the figures as JSON (default bench-results/bench-<time>.json).")
    var json: String?

    @Option(help: "Seed of the load generator's choices of customers.")
    var seed: UInt64 = 20_261_124

    func validate() throws {
        guard SQLStore.Synchronous(rawValue: synchronous.uppercased()) != nil, synchronous.uppercased() != "OFF" else {
            throw ValidationError("--synchronous must be FULL or NORMAL")
        }
        guard !levels.isEmpty, levels.allSatisfy({ (1...1024).contains($0) }) else { throw ValidationError("--concurrency takes numbers 1…1024") }
        guard !sizes.isEmpty, sizes.allSatisfy({ (1...9_999_999).contains($0) }), sizes == sizes.sorted() else {
            throw ValidationError("--customers takes growing numbers 1…9999999")
        }
        if parts.contains("http"), !LoadGenerator.isInstalled { throw ValidationError("the http part needs wrk: apt-get install wrk (scripts/bench installs it)") }
    }

    var levels: [Int] { numbers(concurrency ?? (quick ? "4" : "1,16,64")) }
    var sizes: [Int] { numbers(customers ?? (quick ? "1000,2000" : "100000,1000000")) }
    var duration: Double { seconds ?? (quick ? 1 : 5) }
    var parts: Set<String> { Set(only.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    func numbers(_ text: String) -> [Int] { text.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func run() async throws {
        let mode = SQLStore.Synchronous(rawValue: synchronous.uppercased())!
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        #if DEBUG
        let build = "debug (figures are for a release build: scripts/bench)"
        #else
        let build = "release"
        #endif
        var report = BenchReport(build: build)
        report.settings = [
            "synchronous": mode.rawValue, "seconds": "\(duration)", "concurrency": levels.map(String.init).joined(separator: ","),
            "customers": sizes.map(String.init).joined(separator: ","), "seed": "\(seed)", "quick": "\(quick)",
            "postgres customers": postgres == nil ? "-" : "\(postgresCustomers ?? (quick ? 1000 : 20_000))",
        ]
        progress("machine: \(report.machine.summary); \(build)")

        var baseline = Double.nan
        if parts.contains("baseline") {
            progress("baseline: raw SQLite, 1 update+insert per transaction")
            baseline = try RawSQLiteBaseline.run(path: folder.appendingPathComponent("raw1.sqlite").path, synchronous: mode, perTransaction: 1, seconds: duration)
            progress("baseline: raw SQLite, 100 update+insert per transaction")
            let batched = try RawSQLiteBaseline.run(
                path: folder.appendingPathComponent("raw100.sqlite").path, synchronous: mode, perTransaction: 100, seconds: duration)
            report.rows.append(BenchRow(name: "baseline: raw SQLite, 1 update+insert per tx", value: baseline, unit: "tx/s", note: "1.00 × baseline"))
            report.rows.append(BenchRow(
                name: "baseline: raw SQLite, 100 update+insert per tx", value: batched, unit: "pairs/s", note: ratio(batched, baseline, "baseline")))
        }
        report.rows += engineRows()
        if let promotions = report.row("engine: 20 lines, 50 promotions, rules compiled once") {
            report.targets.append(BenchTarget(name: "engine in process, 20 lines × 50 promotions, one core", value: promotions.value, threshold: 100_000, unit: "receipts/s"))
        }

        let path = folder.appendingPathComponent("kopilka.sqlite").path
        progress("SQLite: a merchant with \(sizes[0]) customers")
        var fixture = try await BenchFixture.make(store: try SQLStore(path: path, synchronous: mode), customers: sizes[0], progress: progress)
        if parts.contains("commits") {
            report.rows += try await inProcessCommits(fixture, label: "SQLite", baseline: baseline, baselineName: "baseline")
        }
        if parts.contains("http") {
            let http = try await httpRuns(&fixture, database: path, label: "SQLite", sizes: sizes, folder: folder, note: { ratio($1, baseline, "baseline") })
            report.rows += http.rows
            report.targets += http.targets(baseline: baseline, baselineName: "raw SQLite 1-pair tx/s")
        }
        progress("verify")
        let verified = try await fixture.store.verify()
        report.rows.append(BenchRow(
            name: "verify on SQLite after the run: \(verified.violations.isEmpty ? "ok" : "FAILED")", value: Double(verified.violations.count),
            unit: "violations", note: "\(verified.entries) ledger entries"))
        try await fixture.store.close()

        if let postgres, parts.contains("postgres") {
            let (rows, targets) = try await postgresRuns(url: postgres, folder: folder)
            report.rows += rows
            report.targets += targets
        }

        print("")
        print(report.printed())
        let jsonPath = json ?? "bench-results/bench-\(report.machine.date.replacingOccurrences(of: ":", with: "")).json"
        try report.write(to: jsonPath)
        print("figures written to \(jsonPath)")
        let failed = report.rows.filter { $0.name.hasPrefix("verify") && $0.value > 0 }
        if !failed.isEmpty { throw BenchError("the invariants do not hold after the run: \(failed.map(\.name))") }
    }

    /// The receipt engine alone, on one core, no I/O.
    func engineRows() -> [BenchRow] {
        var rows: [BenchRow] = []
        if parts.contains("engine") {
            progress("receipt engine: calculations on one core")
            let small = BenchFixture.calculations(lines: BenchFixture.lines, rules: BenchFixture.levelRules, tier: nil, seconds: duration)
            rows.append(BenchRow(name: "engine: 5 lines, levels and a card discount", value: small, unit: "receipts/s", note: "one core"))
            let longTable = BenchFixture.hundredLevels
            let long = BenchFixture.calculations(
                lines: BenchFixture.lines, rules: longTable, tier: longTable.tiers?.tiers[50], seconds: duration)
            rows.append(BenchRow(
                name: "engine: 5 lines, 100 levels", value: long, unit: "receipts/s",
                note: String(format: "%.2f × with 4 levels", long / small)))
            let gold = BenchFixture.levelRules.tiers?.tiers[2]
            let big = BenchFixture.calculations(lines: BenchFixture.bigReceipt, rules: BenchFixture.levelRules, tier: gold, seconds: duration)
            rows.append(BenchRow(name: "engine: 20 lines, levels and a card discount", value: big, unit: "receipts/s", note: String(format: "%.0f lines/s", big * 20)))
        }
        if parts.contains("promotions") {
            let gold = BenchFixture.levelRules.tiers?.tiers[2]
            progress("receipt engine: 20 lines against 50 promotions, compiling the rules per receipt, then once")
            let uncompiled = BenchFixture.calculations(
                lines: BenchPromotions.receipt, rules: BenchPromotions.rules, tier: gold, context: BenchPromotions.moment, compileEachTime: true,
                seconds: duration)
            rows.append(BenchRow(
                name: "engine: 20 lines, 50 promotions, rules compiled per receipt", value: uncompiled, unit: "receipts/s",
                note: String(format: "%.1f µs/receipt", 1e6 / uncompiled)))
            let compiled = BenchFixture.calculations(
                lines: BenchPromotions.receipt, rules: BenchPromotions.rules, tier: gold, context: BenchPromotions.moment, seconds: duration)
            rows.append(BenchRow(
                name: "engine: 20 lines, 50 promotions, rules compiled once", value: compiled, unit: "receipts/s",
                note: String(format: "%.1f µs/receipt, %.2f × per-receipt", 1e6 / compiled, compiled / uncompiled)))
        }
        return rows
    }

    /// Kopilka's commit use case called in process (no HTTP) from concurrent tasks.
    func inProcessCommits(_ fixture: BenchFixture, label: String, baseline: Double, baselineName: String) async throws -> [BenchRow] {
        var rows: [BenchRow] = []
        for clients in levels {
            progress("\(label): commits in process, \(clients) concurrent clients")
            let result = try await fixture.commits(clients: clients, seconds: duration)
            rows.append(BenchRow(
                name: "\(label): commit in process, \(clients) clients", value: result.perSecond, unit: "tx/s", p50Ms: result.p50Ms,
                p99Ms: result.p99Ms, note: ratio(result.perSecond, baseline, baselineName)))
        }
        return rows
    }

    /// The till protocol over HTTP against a `kopilka serve` on `database`: every scenario at the first size, then
    /// lookup, calculate and commit again with the database grown to each next size. `note` remarks on a commit rate
    /// at a number of connections (its ratio to a baseline).
    func httpRuns(
        _ fixture: inout BenchFixture, database: String, label: String, sizes: [Int], folder: URL,
        note: (Int, Double) -> String = { _, _ in "" }
    ) async throws -> HTTPFigures {
        var figures = HTTPFigures(label: label, sizes: sizes, levels: levels)
        // The pool is committed before the server starts: the store is closed while the server has the database.
        // Each request returns one of a receipt's five lines once: 2,000 receipts a second of run cover 10,000 returns a
        // second (600 ran out at 5,500 returns a second, and the wrapped-around requests were refused as already returned).
        // (--quick, on a debug build, keeps the smaller pool: it judges nothing, and PostgreSQL commits it slowly.)
        let perLevel = max(100, Int(duration * (quick ? 600 : 2000)))
        progress("\(label): \(perLevel * levels.count) receipts to return lines of")
        let pool = try await fixture.receipts(perLevel * levels.count)
        var run = 0
        for (index, size) in sizes.enumerated() {
            if index > 0 {
                progress("\(label): growing to \(size) customers")
                fixture = try await fixture.growing(to: size, progress: progress)
            }
            try await fixture.store.close()
            let server = try await BenchServer(database: database, synchronous: synchronous)
            let load = LoadGenerator(base: server.base, tillKey: fixture.tillKey, customers: size, seed: seed, folder: folder)
            let scenarios: [BenchScenario] = index == 0 ? BenchScenario.allCases : [.lookup, .calculate, .commit]
            do {
                for scenario in scenarios {
                    for (levelIndex, connections) in levels.enumerated() {
                        run += 1
                        progress("\(label), \(size) customers: \(scenario.rawValue) over HTTP, \(connections) connections")
                        // Only returns need receipts: each level returns lines of its own share of the pool.
                        let slice = scenario == .return ? Array(pool[(levelIndex * perLevel)..<((levelIndex + 1) * perLevel)]) : []
                        server.resetPeakMemory()
                        let cpu = server.cpuSeconds
                        let result = try load.run(scenario, connections: connections, seconds: duration, receipts: slice, run: run)
                        figures.add(scenario, size: size, connections: connections, BenchRow(
                            name: "\(label), \(size) customers: \(scenario.rawValue) over HTTP, \(connections) conn", value: result.perSecond,
                            unit: "req/s", p50Ms: result.p50Ms, p99Ms: result.p99Ms, serverCores: (server.cpuSeconds - cpu) / result.seconds,
                            serverPeakMiB: server.peakMemoryMiB, errors: result.errors,
                            note: scenario == .commit ? note(connections, result.perSecond) : ""))
                    }
                }
            } catch {
                server.stop()
                throw error
            }
            server.stop()
            fixture.store = try await SQLStore.open(database, synchronous: SQLStore.Synchronous(rawValue: synchronous.uppercased())!)
        }
        return figures
    }

    /// pgbench TPC-B at each client count, then Kopilka on the same server: commits in process and over HTTP.
    func postgresRuns(url: String, folder: URL) async throws -> ([BenchRow], [BenchTarget]) {
        guard var location = PostgresLocation(url: url) else { throw ValidationError("--postgres must be a postgres:// URL") }
        location.poolSize = max(16, levels.max() ?? 16)
        let scale = max(16, levels.max() ?? 16)
        progress("pgbench: initializing TPC-B at scale \(scale)")
        try PgBench.initialize(url: location.connectionURL, scale: scale)
        var rows: [BenchRow] = []
        var tps: [Int: Double] = [:]
        for clients in levels {
            progress("pgbench TPC-B, \(clients) clients")
            tps[clients] = try PgBench.tps(url: location.connectionURL, clients: clients, seconds: duration)
            rows.append(BenchRow(name: "baseline: pgbench TPC-B, \(clients) clients", value: tps[clients]!, unit: "tx/s", note: "1.00 × pgbench"))
        }
        try PgBench.drop(url: location.connectionURL)
        let schemaLocation = location.with(schema: "kopilka_bench_\(UInt32.random(in: 0...UInt32.max))")
        let size = postgresCustomers ?? (quick ? 1000 : 20_000)
        progress("PostgreSQL: a merchant with \(size) customers in schema \(schemaLocation.schema!)")
        let registering = ContinuousClock.now
        var fixture = try await BenchFixture.make(store: try await SQLStore.postgres(schemaLocation), customers: size, progress: progress)
        let registered = (ContinuousClock.now - registering) / .seconds(1)
        // Customers registered in lists of 10,000 (`SQLStore.registerCustomers`), each with the welcome bonus.
        rows.append(BenchRow(
            name: "PostgreSQL: registering \(size) customers", value: Double(size) / registered, unit: "cust/s",
            note: String(format: "%.1f s", registered)))
        var targets = [BenchTarget(
            name: "registering 1,000,000 customers on PostgreSQL" + (size == 1_000_000 ? "" : " (at the rate for \(size))"),
            value: 1_000_000 * registered / Double(size), threshold: 60, atMost: true, unit: "s")]
        if parts.contains("commits") {
            for clients in levels {
                progress("PostgreSQL: commits in process, \(clients) concurrent clients")
                let result = try await fixture.commits(clients: clients, seconds: duration)
                rows.append(BenchRow(
                    name: "PostgreSQL: commit in process, \(clients) clients", value: result.perSecond, unit: "tx/s", p50Ms: result.p50Ms,
                    p99Ms: result.p99Ms, note: ratio(result.perSecond, tps[clients]!, "pgbench")))
            }
        }
        if parts.contains("http") {
            let http = try await httpRuns(
                &fixture, database: schemaLocation.url, label: "PostgreSQL", sizes: [size], folder: folder,
                note: { ratio($1, tps[$0] ?? .nan, "pgbench") })
            rows += http.rows
            let worst = levels.compactMap { level in http.rate(.commit, size: size, connections: level).map { $0 / tps[level]! } }.min()
            if let worst {
                targets.append(BenchTarget(name: "commit over HTTP on PostgreSQL ÷ pgbench TPC-B at the same clients (lowest)", value: worst, threshold: 0.8, unit: "×"))
            }
            let connections = levels.max() ?? 16
            if let nginx = BenchCluster.nginxPath, let one = http.rate(.commit, size: size, connections: connections) {
                rows.append(try await clusterRun(fixture, database: schemaLocation.url, nginx: nginx, size: size, connections: connections, one: one, folder: folder))
            } else {
                progress("PostgreSQL: no nginx (scripts/setup-nginx installs it): the cluster measure is left out")
            }
        }
        let report = try await fixture.store.verify()
        rows.append(BenchRow(
            name: "verify on PostgreSQL after the run: \(report.violations.isEmpty ? "ok" : "FAILED")", value: Double(report.violations.count),
            unit: "violations", note: "\(report.entries) ledger entries"))
        try await fixture.store.dropSchema()
        return (rows, targets)
    }

    /// Commits over HTTP through nginx to three processes on the same database, beside one process's rate `one` at the
    /// same connections, and where the limit is: the machine's cores kept busy, and Kopilka's share of them.
    func clusterRun(
        _ fixture: BenchFixture, database: String, nginx: String, size: Int, connections: Int, one: Double, folder: URL
    ) async throws -> BenchRow {
        progress("PostgreSQL: commit over HTTP through nginx to 3 processes, \(connections) connections")
        let cluster = try await BenchCluster(database: database, processes: 3, synchronous: synchronous, nginx: nginx)
        defer { cluster.stop() }
        let load = LoadGenerator(base: cluster.base, tillKey: fixture.tillKey, customers: size, seed: seed, folder: folder)
        let machine = MachineCPU.sample(), kopilka = cluster.cpuSeconds
        // A run number no other run used: its receipts' numbers are new.
        let result = try load.run(.commit, connections: connections, seconds: duration, run: 10_000)
        let busy = MachineCPU.sample().coresBusy(since: machine), servers = (cluster.cpuSeconds - kopilka) / result.seconds
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return BenchRow(
            name: "PostgreSQL: commit over HTTP, 3 processes behind nginx, \(connections) conn", value: result.perSecond, unit: "req/s",
            p50Ms: result.p50Ms, p99Ms: result.p99Ms, serverCores: servers, errors: result.errors,
            note: String(
                format: "%.2f × one process; the machine's %d cores %.1f busy, Kopilka's processes %.1f of them (the rest: PostgreSQL, nginx, wrk)",
                result.perSecond / one, cores, busy, servers))
    }

    func ratio(_ value: Double, _ base: Double, _ name: String) -> String {
        base.isFinite && base > 0 ? String(format: "%.2f × \(name)", value / base) : ""
    }

    func progress(_ text: String) { FileHandle.standardError.write(Data("… \(text)\n".utf8)) }
}

/// The HTTP rows of one database, and the targets they answer.
struct HTTPFigures {
    let label: String
    let sizes: [Int]
    let levels: [Int]
    var rows: [BenchRow] = []
    private var rates: [String: BenchRow] = [:]

    init(label: String, sizes: [Int], levels: [Int]) {
        self.label = label
        self.sizes = sizes
        self.levels = levels
    }

    mutating func add(_ scenario: BenchScenario, size: Int, connections: Int, _ row: BenchRow) {
        rows.append(row)
        rates["\(scenario.rawValue) \(size) \(connections)"] = row
    }

    func rate(_ scenario: BenchScenario, size: Int, connections: Int) -> Double? { rates["\(scenario.rawValue) \(size) \(connections)"]?.value }

    /// Commit against the baseline, calculate against /health, the largest size against the first, and peak memory.
    func targets(baseline: Double, baselineName: String) -> [BenchTarget] {
        var targets: [BenchTarget] = []
        let first = sizes[0], top = levels.max()!
        if let best = levels.compactMap({ rate(.commit, size: first, connections: $0) }).max(), baseline.isFinite {
            targets.append(BenchTarget(name: "commit over HTTP on \(label) (best) ÷ \(baselineName)", value: best / baseline, threshold: 1.0, unit: "×"))
        }
        if let calculate = rate(.calculate, size: first, connections: top), let health = rate(.health, size: first, connections: top) {
            targets.append(BenchTarget(name: "calculate over HTTP ÷ /health, \(top) connections", value: calculate / health, threshold: 0.5, unit: "×"))
        }
        if let last = sizes.last, last != first, let small = rate(.commit, size: first, connections: top),
            let large = rate(.commit, size: last, connections: top)
        {
            targets.append(BenchTarget(name: "commit rate at \(last) customers ÷ at \(first), \(top) connections", value: large / small, threshold: 0.9, unit: "×"))
        }
        if let last = sizes.last {
            let peak = rows.filter { $0.name.contains(" \(last) customers:") }.compactMap(\.serverPeakMiB).max()
            if let peak { targets.append(BenchTarget(name: "server peak memory at \(last) customers under load", value: peak, threshold: 200, atMost: true, unit: "MiB")) }
        }
        return targets
    }
}
