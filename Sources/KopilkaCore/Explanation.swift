/// One reason in a calculation's explanation: which rule gave what, or why a rule did not apply.
public struct Reason: Codable, Sendable, Equatable {
    /// A stable machine code, e.g. `accrual_excluded_category`.
    public var code: String
    /// The 1-based line the reason is about, or nil for the whole receipt.
    public var line: Int?
    /// The reason in a sentence.
    public var message: String
    /// The promotion the reason is about, if any.
    public var promotion: String?

    public init(code: String, line: Int? = nil, message: String, promotion: String? = nil) {
        self.code = code
        self.line = line
        self.message = message
        self.promotion = promotion
    }
}

/// Formats amounts in hundredths for messages: `12990` → `129.90`.
public func formatHundredths(_ value: Int64) -> String {
    let sign = value < 0 ? "-" : ""
    let magnitude = value.magnitude
    let fraction = magnitude % 100
    return "\(sign)\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
}

/// Formats basis points for messages: `3000` → `30 %`, `550` → `5.5 %`.
public func formatPercent(_ bp: BasisPoints) -> String {
    bp % 100 == 0 ? "\(bp / 100) %" : "\(formatHundredths(bp)) %".replacingZeroTail()
}

extension String {
    fileprivate func replacingZeroTail() -> String {
        // "5.50 %" reads better as "5.5 %".
        hasSuffix("0 %") ? String(dropLast(3)) + " %" : self
    }
}

/// Formats 1-based line numbers for messages: `[1, 2, 5]` → `lines 1, 2, 5`.
func formatLines(_ numbers: [Int]) -> String {
    numbers.count == 1 ? "line \(numbers[0])" : "lines " + numbers.map(String.init).joined(separator: ", ")
}

/// Formats thousandths as a quantity: `1500` → `1.5`, `10000` → `10`.
func formatQuantity(_ value: Thousandths) -> String {
    let whole = value / 1000, fraction = value % 1000
    guard fraction != 0 else { return "\(whole)" }
    var digits = String(fraction + 1000).dropFirst()
    while digits.hasSuffix("0") { digits = digits.dropLast() }
    return "\(whole).\(digits)"
}
