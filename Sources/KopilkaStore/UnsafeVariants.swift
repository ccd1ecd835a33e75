import Synchronization

/// Deliberately broken behaviours, each the bug one reliability suite exists to catch. The suites switch one on to
/// show that they fail against it (a harness that cannot fail proves nothing). Never on in production: `kopilka serve`
/// takes them only from a hidden option and logs a warning.
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

    /// The variants by the names `kopilka serve --unsafe-variant` takes.
    public static let names: [String: UnsafeVariants] = [
        "commit-without-balance-condition": .commitWithoutBalanceCondition,
        "acknowledge-before-commit": .acknowledgeBeforeCommit,
        "receipts-without-tenant": .receiptsWithoutTenant,
        "replays-execute-again": .replaysExecuteAgain,
    ]
}

extension SQLStore {
    /// The broken behaviours switched on (none unless a reliability test or `--unsafe-variant` asked).
    public var unsafeVariants: UnsafeVariants {
        get { UnsafeVariants(rawValue: unsafe.load(ordering: .relaxed)) }
        set { unsafe.store(newValue.rawValue, ordering: .relaxed) }
    }
}
