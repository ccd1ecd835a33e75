/// Some of a receipt's lines, by index (from 0), in order: a bit per line on receipts of up to 64 lines, an array on
/// longer ones. A promotion's lines are one per candidate per receipt, and an array apiece was a fifth of a receipt's
/// allocations against the benchmark's 50 promotions.
struct LineSet: Sequence {
    private let small: Bool
    private var bits: UInt64 = 0
    private var list: [Int] = []

    /// An empty set for a receipt of `lineCount` lines.
    init(lineCount: Int) {
        small = lineCount <= 64
    }

    /// Adds line `index`; lines are added in ascending order.
    mutating func insert(_ index: Int) {
        if small {
            bits |= 1 << UInt64(index)
        } else {
            list.append(index)
        }
    }

    var isEmpty: Bool { small ? bits == 0 : list.isEmpty }
    var count: Int { small ? bits.nonzeroBitCount : list.count }

    func makeIterator() -> Iterator { Iterator(small: small, bits: bits, list: list) }

    struct Iterator: IteratorProtocol {
        let small: Bool
        var bits: UInt64
        let list: [Int]
        var position = 0

        init(small: Bool, bits: UInt64, list: [Int]) {
            (self.small, self.bits, self.list) = (small, bits, list)
        }

        mutating func next() -> Int? {
            if small {
                guard bits != 0 else { return nil }
                let index = bits.trailingZeroBitCount
                bits &= bits - 1
                return index
            }
            guard position < list.count else { return nil }
            position += 1
            return list[position - 1]
        }
    }
}
