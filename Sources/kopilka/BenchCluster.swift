import Foundation
import KopilkaServer

/// Several `kopilka serve` on one PostgreSQL behind Debian's nginx (`NginxConfiguration`), for the cluster measure.
final class BenchCluster {
    let servers: [BenchServer]
    let nginx: Process
    let base: String
    let folder: URL

    /// nginx from `NGINX` (scripts/setup-nginx) or Debian's place; nil when it is not installed.
    static var nginxPath: String? {
        [ProcessInfo.processInfo.environment["NGINX"], "/usr/sbin/nginx"].compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    init(database: String, processes: Int, synchronous: String, nginx path: String) async throws {
        var servers: [BenchServer] = []
        do {
            for _ in 0..<processes { servers.append(try await BenchServer(database: database, synchronous: synchronous)) }
        } catch {
            for server in servers { server.stop() }
            throw error
        }
        self.servers = servers
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("kopilka-bench-nginx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // nginx's worker may run as another user: its temporary folders must be its to write.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)
        let port = Int.random(in: 20_000..<32_000)
        let upstreams = servers.map { $0.base.replacingOccurrences(of: "http://", with: "") }
        try NginxConfiguration.text(upstreams: upstreams, port: port, folder: folder.path)
            .write(to: folder.appendingPathComponent("nginx.conf"), atomically: true, encoding: .utf8)
        nginx = Process()
        nginx.executableURL = URL(fileURLWithPath: path)
        nginx.arguments = ["-p", folder.path, "-c", folder.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        nginx.standardError = FileHandle.nullDevice
        try nginx.run()
        base = "http://127.0.0.1:\(port)"
        for _ in 0..<100 where nginx.isRunning {
            if await BenchServer.healthy(base) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop()
        throw BenchError("nginx did not answer on \(base)")
    }

    /// The processes' CPU time so far, in seconds.
    var cpuSeconds: Double { servers.reduce(0) { $0 + $1.cpuSeconds } }

    func stop() {
        if nginx.isRunning {
            nginx.terminate()
            nginx.waitUntilExit()
        }
        for server in servers { server.stop() }
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The whole machine's CPU time (Linux `/proc/stat`), to say which part of it a run kept busy.
struct MachineCPU {
    var busy: Double
    var total: Double

    static func sample() -> MachineCPU {
        // The first line: "cpu  user nice system idle iowait irq softirq steal …", in clock ticks.
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8), let line = stat.split(separator: "\n").first
        else { return MachineCPU(busy: .nan, total: .nan) }
        let ticks = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard ticks.count == 8 else { return MachineCPU(busy: .nan, total: .nan) }
        let total = ticks.reduce(0, +)
        return MachineCPU(busy: total - ticks[3] - ticks[4], total: total)
    }

    /// The cores kept busy since `earlier`, of `ProcessInfo.activeProcessorCount`.
    func coresBusy(since earlier: MachineCPU) -> Double {
        (busy - earlier.busy) / (total - earlier.total) * Double(ProcessInfo.processInfo.activeProcessorCount)
    }
}
