/// Money in kopecks (hundredths of the currency unit): `12990` is 129.90 ₽.
public typealias Kopecks = Int64
/// Points in hundredths of a point: `1050` is 10.50 points.
public typealias Points = Int64
/// Quantities in thousandths: `1500` is 1.5 kg or one and a half units.
public typealias Thousandths = Int64
/// Rates in basis points (hundredths of a percent): `500` is 5 %.
public typealias BasisPoints = Int64
/// An instant as whole seconds since 1970-01-01 UTC.
public typealias UnixSeconds = Int64

/// How a fraction is turned into a whole number of the smallest unit.
public enum RoundingMode: String, Codable, Sendable, CaseIterable {
    /// Towards zero (the customer never gets a fraction more than the rule says).
    case down
    /// Half a unit and more goes up.
    case halfUp
    /// Any fraction goes up.
    case up
}

/// Exact integer arithmetic for money: products are taken at 128-bit width, so
/// `a * b / c` never overflows while the result itself fits in 64 bits.
public enum Arithmetic {
    /// `a * b / c` for non-negative `a`, `b` and positive `c`, rounded by `mode`.
    public static func mulDiv(_ a: Int64, _ b: Int64, _ c: Int64, _ mode: RoundingMode = .down) -> Int64 {
        precondition(a >= 0 && b >= 0 && c > 0, "mulDiv takes non-negative operands and a positive divisor")
        let (quotient, remainder) = divide(UInt64(a), times: UInt64(b), by: UInt64(c))
        var result = quotient
        switch mode {
        case .down: break
        case .up: if remainder > 0 { result += 1 }
        case .halfUp: if remainder >= UInt64(c) - remainder { result += 1 }
        }
        return Int64(result)
    }

    /// `a * b / c` and its remainder. A product that fits in 64 bits (almost every one: sums of money times rates) is
    /// divided in one machine division; a wider one at 128 bits, which Swift does in a library call many times slower.
    @inline(__always)
    static func divide(_ a: UInt64, times b: UInt64, by c: UInt64) -> (quotient: UInt64, remainder: UInt64) {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        if !overflow { return product.quotientAndRemainder(dividingBy: c) }
        return c.dividingFullWidth(a.multipliedFullWidth(by: b))
    }

    /// Splits `total` over `weights` in proportion, to the last unit: shares are floored, and the
    /// units left over go one each to the largest remainders (ties to the earlier index).
    /// The shares always add up to `total`, and no share exceeds its exact proportion by a unit or more.
    public static func distribute(_ total: Int64, over weights: [Int64]) -> [Int64] {
        var shares = [Int64](repeating: 0, count: weights.count)
        distribute(total, over: weights, into: &shares)
        return shares
    }

    /// `distribute(_:over:)` into an array of the weights' size the caller keeps (the receipt engine reuses one).
    public static func distribute(_ total: Int64, over weights: [Int64], into shares: inout [Int64]) {
        precondition(total >= 0 && weights.allSatisfy { $0 >= 0 } && shares.count == weights.count)
        for index in shares.indices { shares[index] = 0 }
        let weightSum = weights.reduce(0, +)
        guard total > 0, weightSum > 0 else { return }
        // The remainders and the order they are served in live on the stack: an array of (remainder, index) pairs cost
        // every call an allocation and a lookup of the tuple array's type at run time (perf: a tenth of a 5-line receipt).
        let left = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: weights.count) { remainders in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: weights.count) { order in
                var left = total
                var served = 0
                for index in weights.indices {
                    let (quotient, remainder) = divide(UInt64(total), times: UInt64(weights[index]), by: UInt64(weightSum))
                    shares[index] = Int64(quotient)
                    left -= Int64(quotient)
                    remainders[index] = remainder
                    if remainder > 0 {
                        order[served] = index
                        served += 1
                    }
                }
                guard left > 0 else { return left }
                var queue = UnsafeMutableBufferPointer(rebasing: order[0..<served])
                queue.sort { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }
                for index in queue where left > 0 {
                    shares[index] += 1
                    left -= 1
                }
                return left
            }
        }
        assert(left == 0, "largest-remainder distribution must place every unit")
    }

    /// `distribute(_:over:into:)` in whole steps: when `total` is a multiple of `step`, so is every share (the steps
    /// go to the largest remainders). Points split over a receipt's lines this way stay on the program's step when a
    /// line is returned. A total off the step is split to the unit, as before.
    public static func distribute(_ total: Int64, over weights: [Int64], step: Int64, into shares: inout [Int64]) {
        guard step > 1, total % step == 0 else { return distribute(total, over: weights, into: &shares) }
        distribute(total / step, over: weights, into: &shares)
        for index in shares.indices { shares[index] *= step }
    }

    /// The part of `total` that belongs to `part` of `whole`, floored: `total * part / whole`.
    /// Cumulative use (`share(after) - share(before)`) splits a total over successive parts exactly.
    public static func share(of total: Int64, part: Int64, whole: Int64) -> Int64 {
        guard whole > 0 else { return 0 }
        return mulDiv(total, part, whole)
    }

    /// `share(of:part:whole:)` floored to whole steps when `total` is on the step: cumulative parts of a line's points
    /// are then whole steps too, and the last part still takes what is left.
    public static func share(of total: Int64, part: Int64, whole: Int64, step: Int64) -> Int64 {
        guard step > 1, total % step == 0 else { return share(of: total, part: part, whole: whole) }
        return share(of: total / step, part: part, whole: whole) * step
    }
}
