import Synchronization

/// Deliberately broken behaviours, each the bug one reliability suite exists to catch. The suites switch one on to
/// show that they fail against it (a harness that cannot fail proves nothing).
///
/// Only debug builds — the test build — can switch them on (`KOPILKA_FAULTS`, Package.swift): there `kopilka serve`
/// takes them from a hidden option and logs a warning, the store's are set on the store, and the server's (body limit,
/// logging, rate limits) on `ServerConfiguration.unsafeVariants`. In a release build the set is a constant empty one,
/// so the optimizer removes every branch on it, and the option does not exist.
public struct UnsafeVariants: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// A commit spends the points asked for without checking the spendable balance (the overdraft the redemption storm
    /// must catch).
    public static let commitWithoutBalanceCondition = UnsafeVariants(rawValue: 1 << 0)
    /// A points-moving write is answered before it commits and written a moment later (the loss the crash harness must
    /// catch).
    public static let acknowledgeBeforeCommit = UnsafeVariants(rawValue: 1 << 1)
    /// A receipt is read by its id alone, whatever the merchant (the leak the isolation suite must catch).
    public static let receiptsWithoutTenant = UnsafeVariants(rawValue: 1 << 2)

    /// A repeated idempotency key runs the operation again instead of answering the stored reply (the double effect
    /// the replay suite must catch).
    public static let replaysExecuteAgain = UnsafeVariants(rawValue: 1 << 3)

    /// The server reads a request body of any size (the memory exhaustion the hostile-body list must catch).
    public static let bodyWithoutLimit = UnsafeVariants(rawValue: 1 << 4)
    /// The request log line carries the query, where phones and card numbers travel (the leak the canary test must
    /// catch).
    public static let logsQueries = UnsafeVariants(rawValue: 1 << 5)
    /// A request over its rate limit is served first and refused afterwards (the change the rate-limit test must
    /// catch: a refused request must have done nothing).
    public static let rateLimitAfterTheWork = UnsafeVariants(rawValue: 1 << 6)

    #if KOPILKA_FAULTS
    /// The variants by the names `kopilka serve --unsafe-variant` takes.
    public static let names: [String: UnsafeVariants] = [
        "commit-without-balance-condition": .commitWithoutBalanceCondition,
        "acknowledge-before-commit": .acknowledgeBeforeCommit,
        "receipts-without-tenant": .receiptsWithoutTenant,
        "replays-execute-again": .replaysExecuteAgain,
        "body-without-limit": .bodyWithoutLimit,
        "logs-queries": .logsQueries,
        "rate-limit-after-the-work": .rateLimitAfterTheWork,
    ]
    #endif
}

extension SQLStore {
    #if KOPILKA_FAULTS
    /// The broken behaviours switched on (none unless a reliability test or `--unsafe-variant` asked).
    public var unsafeVariants: UnsafeVariants {
        get { UnsafeVariants(rawValue: unsafe.load(ordering: .relaxed)) }
        set { unsafe.store(newValue.rawValue, ordering: .relaxed) }
    }
    #else
    /// None, in a release build.
    @inline(__always) var unsafeVariants: UnsafeVariants { [] }
    #endif
}
