import Foundation

/// pgbench's TPC-B against the PostgreSQL server Kopilka is measured on: the physical limit of that server, in the same run.
enum PgBench {
    /// Creates pgbench's tables (`pgbench_*`, beside Kopilka's schema) at `scale` branches.
    static func initialize(url: String, scale: Int) throws {
        _ = try run(["-i", "-q", "-s", "\(scale)", url])
    }

    /// TPC-B transactions per second at `clients` connections for `seconds`, with prepared statements like Kopilka.
    static func tps(url: String, clients: Int, seconds: Double) throws -> Double {
        let output = try run(["-n", "-M", "prepared", "-c", "\(clients)", "-j", "\(min(clients, 2))", "-T", "\(max(1, Int(seconds)))", url])
        // "tps = 4912.345678 (without initial connection time)"
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("tps = ") }),
            let value = Double(line.dropFirst(6).prefix { $0 != " " })
        else { throw Failed(output: output) }
        return value
    }

    /// Drops pgbench's tables.
    static func drop(url: String) throws {
        _ = try run(["-i", "-I", "d", url])
    }

    struct Failed: Error, CustomStringConvertible {
        let output: String
        var description: String { "pgbench failed:\n\(output)" }
    }

    private static func run(_ arguments: [String]) throws -> String {
        let (status, output) = try ChildProcess.run(try executable(), arguments)
        guard status == 0 else { throw Failed(output: output) }
        return output
    }

    /// pgbench from PATH, or from the newest /usr/lib/postgresql/*/bin.
    private static func executable() throws -> URL {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }.map { "/usr/lib/postgresql/\($0)/bin" }
        for folder in path + versions where FileManager.default.isExecutableFile(atPath: folder + "/pgbench") {
            return URL(fileURLWithPath: folder + "/pgbench")
        }
        throw Failed(output: "pgbench not found: install Debian's postgresql-client (scripts/postgres installs the server and client)")
    }
}
