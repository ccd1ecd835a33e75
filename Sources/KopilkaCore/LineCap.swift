/// "Points pay at most 30 % of each dish", "at most 50 % of a procedure, goods in full": the most of a line points may
/// pay, as a share of the line after discounts, for the lines in `lines` (every line when absent). A line under several
/// caps takes the smallest; the receipt's own cap (`maxRedeemShareBp`) still holds over all of them.
public struct LineCap: Codable, Sendable, Equatable {
    /// The lines capped; absent for every line.
    public var lines: LineScope?
    /// The share of each such line points may pay, in basis points.
    public var maxShareBp: BasisPoints

    public init(lines: LineScope? = nil, maxShareBp: BasisPoints) {
        self.lines = lines
        self.maxShareBp = maxShareBp
    }

    func violations(path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if !(0...10_000).contains(maxShareBp) {
            errors.append(.init(field: "\(path).maxShareBp", message: "must be 0…10000 basis points (0–100 %)"))
        }
        if let lines { errors += lines.violations(path: "\(path).lines") }
        return errors
    }
}
