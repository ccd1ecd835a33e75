import Foundation

/// The seed and size of a randomized suite: `KOPILKA_SEED` replays a run, `KOPILKA_LONG=1` (scripts/reliability
/// --long) multiplies the work. Every suite prints its seed so a failure can be replayed.
public enum Workload {
    /// The seed from `KOPILKA_SEED`, or a fresh one.
    public static func seed() -> UInt64 {
        ProcessInfo.processInfo.environment["KOPILKA_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(UInt32.max))
    }

    /// `short` in CI, `long` when `KOPILKA_LONG=1`.
    public static func size(_ short: Int, long: Int) -> Int {
        ProcessInfo.processInfo.environment["KOPILKA_LONG"] == "1" ? long : short
    }
}
