import Synchronization

/// Time-ordered 63-bit ids: milliseconds since 2020 in the high bits, then a per-process tag, then a counter.
///
/// Ordered ids keep B-tree inserts at the right edge (fast on SQLite); the random tag keeps two processes
/// from handing out the same id in the same millisecond; a counter that runs out borrows the next millisecond.
public final class IDGenerator: Sendable {
    private static let epochMillis: Int64 = 1_577_836_800_000  // 2020-01-01
    private let tag: Int64
    private let state = Mutex<(millis: Int64, counter: Int64)>((0, 0))

    /// A generator with a process tag: random by default (one SQLite writer), handed out by the database when
    /// several processes share it.
    public init(tag: Int64 = Int64.random(in: 0..<1024)) { self.tag = tag & 1023 }

    /// The smallest id any process can hand out at `millis` (ms since 1970): every id made earlier is below it.
    public static func firstID(atMillis millis: Int64) -> Int64 { max(0, millis - epochMillis) << 22 }

    /// The moment (seconds since 1970) an id was made.
    public static func seconds(of id: Int64) -> Int64 { ((id >> 22) + epochMillis) / 1000 }

    /// The next id.
    public func next(nowMillis: Int64) -> Int64 {
        let millis = max(0, nowMillis - Self.epochMillis)
        let (m, c) = state.withLock { state -> (Int64, Int64) in
            if millis > state.millis {
                state = (millis, 0)
            } else {
                state.counter += 1
                if state.counter >= 4096 { state = (state.millis + 1, 0) }
            }
            return (state.millis, state.counter)
        }
        return (m << 22) | (tag << 12) | c
    }
}
