/// One band of "the rate follows the receipt's own sum": from `fromKopecks` (after discounts) the receipt earns
/// `rateBp` ("100–999 ₽ → 1 %, 1,000–9,999 ₽ → 3 %, from 10,000 ₽ → 5 %").
public struct AccrualBand: Codable, Sendable, Equatable {
    /// The smallest receipt sum of the band, in kopecks.
    public var fromKopecks: Kopecks
    /// The band's accrual rate, in basis points.
    public var rateBp: BasisPoints

    public init(fromKopecks: Kopecks, rateBp: BasisPoints) {
        self.fromKopecks = fromKopecks
        self.rateBp = rateBp
    }

    /// The rate of the highest band `sum` reaches; nil below the first band (such a receipt earns nothing).
    static func rate(for sum: Kopecks, in bands: [AccrualBand]) -> BasisPoints? {
        bands.last { sum >= $0.fromKopecks }?.rateBp
    }

    static func violations(_ bands: [AccrualBand], path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if bands.count > 50 { errors.append(.init(field: path, message: "at most 50 bands")) }
        for (index, band) in bands.enumerated() {
            if !(0...ReceiptLine.Limits.maxAmount).contains(band.fromKopecks) {
                errors.append(.init(field: "\(path)[\(index)].fromKopecks", message: "must be 0 or a positive sum"))
            } else if index > 0, band.fromKopecks <= bands[index - 1].fromKopecks {
                errors.append(.init(field: "\(path)[\(index)].fromKopecks", message: "must be above the previous band's (\(bands[index - 1].fromKopecks))"))
            }
            if !(0...10_000).contains(band.rateBp) {
                errors.append(.init(field: "\(path)[\(index)].rateBp", message: "must be 0…10000 basis points (0–100 %)"))
            }
        }
        return errors
    }
}
