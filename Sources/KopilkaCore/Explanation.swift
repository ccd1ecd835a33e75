/// One reason in a calculation's explanation: which rule gave what, or why a rule did not apply.
public struct Reason: Codable, Sendable, Equatable {
    /// A stable machine code, e.g. `accrual_excluded_category`.
    public var code: String
    /// The 1-based line the reason is about, or nil for the whole receipt.
    public var line: Int?
    /// The reason in a sentence.
    public var message: String

    public init(code: String, line: Int? = nil, message: String) {
        self.code = code
        self.line = line
        self.message = message
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
