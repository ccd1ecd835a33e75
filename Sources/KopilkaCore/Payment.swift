/// How the money part of a receipt was paid ("no points on the part paid on credit or by gift certificate").
public struct Payment: Codable, Sendable, Equatable {
    public enum Method: String, Codable, Sendable, CaseIterable {
        case cash, card, online, credit, certificate, other
    }

    public var method: Method
    /// The sum paid this way, in kopecks.
    public var amountKopecks: Kopecks

    public init(method: Method, amountKopecks: Kopecks) {
        self.method = method
        self.amountKopecks = amountKopecks
    }

    /// At most 10 payments, each of 0 … the largest receipt.
    public static func violations(_ payments: [Payment], path: String) -> [FieldError] {
        var errors: [FieldError] = []
        if payments.count > 10 { errors.append(.init(field: path, message: "at most 10 payments")) }
        for (index, payment) in payments.enumerated() where !(0...ReceiptLine.Limits.maxAmount).contains(payment.amountKopecks) {
            errors.append(.init(field: "\(path)[\(index)].amountKopecks", message: "must be 0 or a positive sum"))
        }
        return errors
    }
}
