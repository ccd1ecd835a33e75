import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `kopilka` executable, run as a separate process: one-shot commands and `serve` on a free port.
public enum KopilkaProcess {
    /// The executable built next to the tests (`swift build --build-tests` builds every product).
    public static var executable: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent(".build/debug/kopilka")
    }

    /// Runs a command to its end (with `environment` added to this process's); returns its status and standard output.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A running `kopilka serve`.
    public final class Server: Sendable {
        public let process: Process
        public let base: String

        init(process: Process, base: String) {
            self.process = process
            self.base = base
        }

        /// SIGKILL, as a crash or an operator's `kill -9` would.
        public func kill() {
            guard process.isRunning else { return }
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Whether the executable is built; records an issue when it is not.
    public static func isBuilt() -> Bool {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            Issue.record("build the executable first: swift build --build-tests")
            return false
        }
        return true
    }

    /// Starts `kopilka serve` on a random port and waits until `/health` answers; a port someone else holds (the
    /// server exits at once) is traded for another, up to five times.
    public static func serve(database: String, arguments: [String] = []) async throws -> Server {
        var port = 0
        for _ in 0..<5 {
            // Below Linux's ephemeral range (32768…), where outgoing connections take their ports.
            port = Int.random(in: 20_000..<32_000)
            // Another test's server may hold the port already: its /health would answer for ours, which then fails to
            // bind and exits (a kill cycle once probed the wrong server and counted every receipt lost).
            if (try? await request("GET", "http://127.0.0.1:\(port)/health", key: "")) != nil { continue }
            print("kopilka serve on port \(port)")
            let process = Process()
            process.executableURL = executable
            process.arguments = ["serve", "--database", database, "--port", "\(port)", "--maintenance-interval", "0", "--log-level", "error"] + arguments
            try process.run()
            let server = Server(process: process, base: "http://127.0.0.1:\(port)")
            for _ in 0..<150 {
                if (try? await request("GET", "\(server.base)/health", key: ""))?.0 == 200, process.isRunning { return server }
                guard process.isRunning else { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            server.kill()
        }
        throw ServerDidNotStart(port: port)
    }

    public struct ServerDidNotStart: Error { let port: Int }

    /// One HTTP request; returns the status and the JSON body (empty when it is not an object).
    public static func request(_ method: String, _ url: String, key: String, body: String? = nil, idempotencyKey: String? = nil) async throws
        -> (Int, [String: Any])
    {
        let (status, data) = try await requestData(method, url, key: key, body: body, idempotencyKey: idempotencyKey)
        return (status, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    /// One HTTP request; returns the status and the raw body.
    public static func requestData(_ method: String, _ url: String, key: String, body: String? = nil, idempotencyKey: String? = nil) async throws
        -> (Int, Data)
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let idempotencyKey { request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as! HTTPURLResponse).statusCode, data)
    }
}
