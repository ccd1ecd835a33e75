import KopilkaCore

/// What a receipt may hold, field by field: one set of rules for the till's API (which words each as problem+json) and
/// for the commit use case (which refuses any command that breaks them, whoever built it: the web cashier, the demo).
extension ReceiptCommand {
    /// The first field at fault, in the order the till's API checks them; nil when the receipt may be committed.
    public var violations: [FieldError]? {
        if let error = Self.externalIdViolation(externalId) { return [error] }
        let lines = ReceiptLine.violations(of: lines)
        if !lines.isEmpty { return lines }
        if let error = Self.redeemViolation(redeem) ?? Self.codesViolation(codes) ?? Self.cashierViolation(cashier)
            ?? Self.confirmationCodeViolation(confirmationCode)
        {
            return [error]
        }
        let payments = Payment.violations(payments, path: "payments")
        return payments.isEmpty ? nil : payments
    }

    /// The fiscal number: 1…128 characters.
    public static func externalIdViolation(_ text: String, field: String = "externalId") -> FieldError? {
        (1...128).contains(text.count) ? nil : FieldError(field: field, message: "must be 1…128 characters")
    }

    /// Points to spend: 0…10¹⁴ hundredths, or as many as allowed.
    public static func redeemViolation(_ redeem: RedeemRequest) -> FieldError? {
        guard case .points(let points) = redeem, points < 0 || points > 100_000_000_000_000 else { return nil }
        return FieldError(field: "redeem", message: "must be 0…100000000000000 points (hundredths) or \"max\"")
    }

    /// Presented promo codes: at most 10, each 1…64 characters.
    public static func codesViolation(_ codes: [String]) -> FieldError? {
        guard codes.count <= 10 else { return FieldError(field: "promoCodes", message: "at most 10 codes on a receipt") }
        guard let index = codes.firstIndex(where: { !(1...64).contains(PromoCode.normalize($0).count) }) else { return nil }
        return FieldError(field: "promoCodes[\(index)]", message: "must be 1…64 characters")
    }

    /// The till's cashier: 1…64 characters.
    public static func cashierViolation(_ cashier: String?) -> FieldError? {
        guard let cashier, !(1...64).contains(cashier.count) else { return nil }
        return FieldError(field: "cashier", message: "must be 1…64 characters")
    }

    /// The code sent to the customer's phone: 6 digits.
    public static func confirmationCodeViolation(_ code: String?) -> FieldError? {
        guard let code, code.utf8.count != 6 || !code.utf8.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return FieldError(field: "confirmationCode", message: "must be the 6 digits sent to the customer's phone")
    }
}
