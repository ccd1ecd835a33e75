/// A committed receipt line as far as returns are concerned.
public struct ReturnableLine: Sendable, Equatable {
    /// Quantity bought, in thousandths.
    public var quantity: Thousandths
    /// Quantity already returned, in thousandths.
    public var returnedQuantity: Thousandths
    /// What the customer paid in money for the whole line, in kopecks.
    public var payable: Kopecks
    /// Points spent on the whole line.
    public var redeemedPoints: Points
    /// Points the whole line earned.
    public var earnedPoints: Points

    public init(quantity: Thousandths, returnedQuantity: Thousandths, payable: Kopecks, redeemedPoints: Points, earnedPoints: Points) {
        self.quantity = quantity
        self.returnedQuantity = returnedQuantity
        self.payable = payable
        self.redeemedPoints = redeemedPoints
        self.earnedPoints = earnedPoints
    }
}

/// What returning part of one line gives back.
public struct LineReturn: Codable, Sendable, Equatable {
    /// 1-based line number on the original receipt.
    public var line: Int
    /// Quantity returned now, in thousandths.
    public var quantity: Thousandths
    /// Money refunded to the customer, in kopecks.
    public var refundKopecks: Kopecks
    /// Earned points taken back.
    public var reversedPoints: Points
    /// Spent points given back.
    public var restoredPoints: Points
}

/// Returns reverse what a receipt earned and restore what it spent, in proportion to the quantity.
public enum ReturnCalculator {
    /// The quantity of one line being returned.
    public struct Request: Sendable, Equatable {
        /// 1-based line number.
        public var line: Int
        /// Quantity returned, in thousandths.
        public var quantity: Thousandths

        public init(line: Int, quantity: Thousandths) {
            self.line = line
            self.quantity = quantity
        }
    }

    /// Why a return cannot be made.
    public enum Refusal: Error, Equatable, Sendable {
        /// The line number is not on the receipt.
        case noSuchLine(index: Int, line: Int)
        /// More than what is left of the line would be returned (already returned, or never bought).
        case exceedsPurchase(index: Int, line: Int, left: Thousandths)
        /// The same line appears twice in one request.
        case duplicateLine(index: Int, line: Int)
        /// Everything on the receipt is returned already (a return of "the rest" with nothing left).
        case nothingLeft

        /// The request's field at fault.
        public var field: String {
            switch self {
            case .noSuchLine(let index, _), .duplicateLine(let index, _): "lines[\(index)].line"
            case .exceedsPurchase(let index, _, _): "lines[\(index)].quantity"
            case .nothingLeft: "lines"
            }
        }

        /// What is wrong, in English (pages word it in their language from the case).
        public var message: String {
            switch self {
            case .noSuchLine(_, let line): "the receipt has no line \(line)"
            case .duplicateLine(_, let line): "line \(line) is named twice"
            case .exceedsPurchase(_, let line, let left): "line \(line) has \(left) thousandths left to return"
            case .nothingLeft: "everything on this receipt is returned already"
            }
        }
    }

    /// Computes a return. Shares are cumulative (`share(returned after) - share(returned before)`), so
    /// partial returns that together return a whole line give back exactly what the line earned and spent; points
    /// go back in whole `pointsStep`s (`ProgramRules.linePointsStep`), so a balance on the step stays on it.
    public static func compute(lines: [ReturnableLine], requests: [Request], pointsStep: Points = 1) throws(Refusal) -> [LineReturn] {
        var seen = Set<Int>()
        var results: [LineReturn] = []
        for (index, request) in requests.enumerated() {
            guard request.line >= 1, request.line <= lines.count else { throw .noSuchLine(index: index, line: request.line) }
            guard seen.insert(request.line).inserted else { throw .duplicateLine(index: index, line: request.line) }
            let line = lines[request.line - 1]
            let left = line.quantity - line.returnedQuantity
            guard request.quantity >= 1, request.quantity <= left else {
                throw .exceedsPurchase(index: index, line: request.line, left: left)
            }
            let before = line.returnedQuantity
            let after = before + request.quantity
            func part(_ total: Int64, step: Int64) -> Int64 {
                Arithmetic.share(of: total, part: after, whole: line.quantity, step: step)
                    - Arithmetic.share(of: total, part: before, whole: line.quantity, step: step)
            }
            results.append(LineReturn(
                line: request.line, quantity: request.quantity, refundKopecks: part(line.payable, step: 1),
                reversedPoints: part(line.earnedPoints, step: pointsStep), restoredPoints: part(line.redeemedPoints, step: pointsStep)))
        }
        return results
    }
}
