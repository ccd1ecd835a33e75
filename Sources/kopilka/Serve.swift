import ArgumentParser
import Foundation
import Hummingbird
import KopilkaServer
import KopilkaStore
import Logging

/// `kopilka serve`
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the till protocol and the admin API over HTTP.")

    @OptionGroup var db: DatabaseOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(help: "Seconds between expiry/activation/hold-release runs (0: off).")
    var maintenanceInterval = 60

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes = 1 << 20

    @Option(help: "Requests a second per API key, bursts of twice as many (0: unlimited); over it: 429 with Retry-After.")
    var keyRateLimit = 500

    @Option(help: "Requests a second per IP address without a valid key, bursts of five times as many (0: unlimited).")
    var ipRateLimit = 20

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "An address or range (127.0.0.1, 10.0.0.0/8, ::1) of a proxy in front whose Forwarded / X-Forwarded-For names the client; repeat for more.",
            discussion: "Also from KOPILKA_TRUSTED_PROXIES, comma-separated. Without one, per-IP limits count each request's peer."))
    var trustedProxies: [String] = ProcessInfo.processInfo.environment["KOPILKA_TRUSTED_PROXIES"].map { [$0] } ?? []

    @OptionGroup var sms: SMSOptions

    #if KOPILKA_FAULTS
    @Option(help: .hidden)
    var unsafeVariant: [String] = []
    #endif

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Option(help: "Log format: text (for people) or json (one object per line, for collectors).")
    var logFormat = "text"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        guard (1...65535).contains(port) || port == 0 else { throw ValidationError("--port must be 1…65535") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        let proxies: TrustedProxies
        do { proxies = try TrustedProxies(parsing: trustedProxies) } catch { throw ValidationError("--trusted-proxy: \(error)") }
        let store = try await db.open()
        #if KOPILKA_FAULTS
        var unsafe: UnsafeVariants = []
        for name in unsafeVariant {
            // For the reliability suites' own tests only: each name breaks a guarantee on purpose.
            guard let variant = UnsafeVariants.names[name] else { throw ValidationError("unknown unsafe variant \(name)") }
            store.unsafeVariants.insert(variant)
            unsafe.insert(variant)
        }
        #endif
        let json = logFormat == "json"
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: json ? .json : .text) }
        var logger = Logger(label: "kopilka")
        logger.logLevel = level
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maintenanceIntervalSeconds = maintenanceInterval
        configuration.maxBodyBytes = maxBodyBytes
        configuration.keyRequestsPerSecond = keyRateLimit
        configuration.ipRequestsPerSecond = ipRateLimit
        configuration.trustedProxies = proxies
        #if KOPILKA_FAULTS
        configuration.unsafeVariants = unsafe
        if !unsafeVariant.isEmpty { logger.warning("UNSAFE: deliberately broken for a reliability test", metadata: ["variants": "\(unsafeVariant)"]) }
        #endif
        configuration.smsGateway = try sms.gateway()
        logger.info("starting", metadata: ["database": "\(store.location)", "address": "\(host):\(port)"])
        let app = buildApplication(store: store, configuration: configuration, logger: logger)
        try await app.runService()
    }
}
