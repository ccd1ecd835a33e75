/// SplitMix64: a tiny, fast generator whose sequence is fixed by its seed, so demo data, benchmarks
/// and tests are reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator for `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in 0..<1 (for shaping distributions; never for money).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool { unit() < p }

    /// An exponential variate with the given mean.
    public mutating func exponential(mean: Double) -> Double { -mean * log1p(-unit()) }

    /// A Pareto variate (heavy tail) with minimum `scale` and shape `alpha`.
    public mutating func pareto(scale: Double, alpha: Double) -> Double { scale / pow(1 - unit(), 1 / alpha) }

    /// One element chosen with the given weights.
    public mutating func weighted<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var pick = unit() * total
        for (item, weight) in items {
            pick -= weight
            if pick < 0 { return item }
        }
        return items[items.count - 1].0
    }
}

import Foundation
