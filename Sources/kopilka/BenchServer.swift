import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A `kopilka serve` of this same executable, started by the benchmark on a database it prepared, with what the
/// kernel knows of it: CPU time and peak resident memory (Linux `/proc`).
final class BenchServer {
    let process: Process
    let base: String

    /// Starts the server on `database` on a free loopback port and waits until `/health` answers.
    init(database: String, synchronous: String) async throws {
        (process, base) = try await Self.start(database: database, synchronous: synchronous)
    }

    private static func start(database: String, synchronous: String) async throws -> (Process, String) {
        var lastError = "did not start"
        for _ in 0..<5 {
            let port = Int.random(in: 20_000..<32_000)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
                process.executableURL = Bundle.main.executableURL
            }
            // No rate limits (the load is the point), no maintenance in the middle of a measurement, warnings only.
            process.arguments = [
                "serve", "--database", database, "--synchronous", synchronous, "--port", String(port), "--key-rate-limit", "0",
                "--ip-rate-limit", "0", "--maintenance-interval", "0", "--log-level", "warning",
            ]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            let base = "http://127.0.0.1:\(port)"
            for _ in 0..<200 where process.isRunning {
                if await healthy(base) { return (process, base) }
                try await Task.sleep(for: .milliseconds(50))
            }
            lastError = process.isRunning ? "no answer on \(base)/health after 10 s" : "exited with \(process.terminationStatus)"
            process.terminate()
            process.waitUntilExit()
        }
        throw BenchError("kopilka serve \(lastError)")
    }

    static func healthy(_ base: String) async -> Bool {
        guard let url = URL(string: "\(base)/health"), let (_, response) = try? await URLSession.shared.data(from: url) else { return false }
        return (response as? HTTPURLResponse)?.statusCode == 200
    }

    /// The server's CPU time so far (user + system), in seconds.
    var cpuSeconds: Double {
        // Fields 14 and 15 of /proc/PID/stat, counted after the command name, which is in parentheses.
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The largest resident memory since the start or the last `resetPeakMemory`, in MiB.
    var peakMemoryMiB: Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "")
        else { return .nan }
        return kilobytes / 1024
    }

    /// Starts a new peak for `peakMemoryMiB` (Linux: writing 5 to `clear_refs`).
    func resetPeakMemory() {
        try? "5".write(toFile: "/proc/\(process.processIdentifier)/clear_refs", atomically: false, encoding: .utf8)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}

/// Why the benchmark stopped.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
