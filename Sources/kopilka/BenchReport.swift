import Foundation

/// One measured figure of a benchmark run.
struct BenchRow: Codable {
    /// What was measured, e.g. "commit over HTTP, 16 connections, 100000 customers".
    var name: String
    var value: Double
    /// "tx/s", "req/s", "receipts/s", …
    var unit: String
    var p50Ms: Double?
    var p99Ms: Double?
    /// The server's CPU time over the wall time of the run, in cores (HTTP runs only).
    var serverCores: Double?
    /// The server's peak resident memory during the run, in MiB (HTTP runs only).
    var serverPeakMiB: Double?
    /// Answers other than 2xx, and failed connections (HTTP runs only).
    var errors: Int?
    /// A remark printed beside the figure (a ratio, lines/s).
    var note = ""
}

/// One of the issue's targets: a ratio between two figures of the same run, or a limit.
struct BenchTarget: Codable {
    var name: String
    var value: Double
    /// `value` must be at least this (or, with `atMost`, at most).
    var threshold: Double
    var atMost = false
    var unit: String
    var met: Bool { atMost ? value <= threshold : value >= threshold }
}

/// The machine a run was made on, printed and written with the figures.
struct BenchMachine: Codable {
    var cpu: String
    var cores: Int
    var memoryGiB: Double
    var kernel: String
    var date: String

    static func current() -> BenchMachine {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }.map {
            $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        }
        let kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return BenchMachine(
            cpu: model ?? "unknown", cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryGiB: (Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30) * 10).rounded() / 10, kernel: kernel ?? "unknown",
            date: formatter.string(from: Date()))
    }

    var summary: String { "\(cpu), \(cores) cores, \(memoryGiB) GiB, Linux \(kernel), \(date)" }
}

/// Everything a run measured: printed as a table, written as JSON for comparison between runs.
struct BenchReport: Codable {
    var machine = BenchMachine.current()
    var build: String
    var settings: [String: String] = [:]
    var rows: [BenchRow] = []
    var targets: [BenchTarget] = []

    /// The first row whose name starts with `prefix`.
    func row(_ prefix: String) -> BenchRow? { rows.first { $0.name.hasPrefix(prefix) } }

    func printed() -> String {
        var text = "machine: \(machine.summary)\nbuild: \(build); \(settings.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))\n\n"
        let header = "measure".padding(toLength: 66, withPad: " ", startingAt: 0)
            + "      value  unit         p50 ms   p99 ms  srv cores  srv MiB  errors"
        text += header + "\n" + String(repeating: "-", count: header.count) + "\n"
        for row in rows {
            var line = row.name.padding(toLength: 66, withPad: " ", startingAt: 0) + String(format: " %10.0f", row.value)
            line += "  " + row.unit.padding(toLength: 10, withPad: " ", startingAt: 0)
            line += [row.p50Ms, row.p99Ms].map { $0.map { String(format: " %8.2f", $0) } ?? String(repeating: " ", count: 9) }.joined()
            line += row.serverCores.map { String(format: " %10.2f", $0) } ?? String(repeating: " ", count: 11)
            line += row.serverPeakMiB.map { String(format: " %8.0f", $0) } ?? String(repeating: " ", count: 9)
            line += row.errors.map { String(format: " %7d", $0) } ?? String(repeating: " ", count: 8)
            if !row.note.isEmpty { line += "  " + row.note }
            text += line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        if !targets.isEmpty {
            text += "\ntargets (same machine, same run):\n"
            for target in targets {
                let comparison = target.atMost ? "≤" : "≥"
                text += "  \(target.met ? "met   " : "MISSED") \(target.name): \(String(format: "%.2f", target.value)) \(target.unit)"
                text += " (target \(comparison) \(String(format: "%.2f", target.threshold)))\n"
            }
        }
        return text
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(self).write(to: url)
    }
}
