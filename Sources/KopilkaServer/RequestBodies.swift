import Foundation
import KopilkaCore
import KopilkaStore

/// How a request names a customer: exactly one of id, card or phone.
struct CustomerRef: Decodable {
    var id: String?
    var card: String?
    var phone: String?

    /// The key, or a problem naming the field under `field` (empty for query parameters).
    func key(field: String) throws -> CustomerKey {
        func name(_ part: String) -> String { field.isEmpty ? part : "\(field).\(part)" }
        switch (id, card, phone) {
        case (let id?, nil, nil):
            guard let value = parseID(id) else { throw Problem.invalid(name("id"), "is not a customer id") }
            return .id(value)
        case (nil, let card?, nil):
            guard CardNumber.isValid(card) else { throw Problem.invalid(name("card"), "must be 13 digits with a valid check digit") }
            return .card(card)
        case (nil, nil, let phone?):
            guard let e164 = Phone.normalize(phone) else { throw Problem.invalid(name("phone"), "is not a phone number") }
            return .phone(e164)
        default:
            throw Problem.invalid(field.isEmpty ? "query" : field, "give exactly one of id, card or phone")
        }
    }
}

/// The receipt body of calculate and commit.
struct ReceiptBody: Decodable {
    var customer: CustomerRef?
    /// Required with an admin key; a register key acts for its own store.
    var storeId: String?
    /// The fiscal receipt number within the store: required to commit.
    var externalId: String?
    var lines: [ReceiptLine]
    var redeem: RedeemRequest?
    var promoCodes: [String]?
    /// The till's cashier (their number or login), for the velocity rule.
    var cashier: String?
    /// The code sent to the customer's phone, when the program asks to confirm spending.
    var confirmationCode: String?
    /// How the money part is paid (cash, card, online, credit, certificate, other).
    var payments: [Payment]?

    func validPayments() throws -> [Payment] {
        let payments = payments ?? []
        let errors = Payment.violations(payments, path: "payments")
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return payments
    }

    func validLines() throws -> [ReceiptLine] {
        try Self.validate(lines)
    }

    static func validate(_ lines: [ReceiptLine], path: String = "lines") throws -> [ReceiptLine] {
        let errors = ReceiptLine.violations(of: lines, path: path)
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return lines
    }

    /// The presented promo codes: at most 10, each 1…64 characters.
    func validCodes() throws -> [String] {
        let codes = promoCodes ?? []
        if let error = ReceiptCommand.codesViolation(codes) { throw Problem.invalid([error]) }
        return codes
    }

    func validRedeem() throws -> RedeemRequest {
        let redeem = redeem ?? .points(0)
        if let error = ReceiptCommand.redeemViolation(redeem) { throw Problem.invalid([error]) }
        return redeem
    }

    func validExternalId() throws -> String {
        guard let externalId else { throw Problem.invalid("externalId", "is required to commit a receipt") }
        return try Self.validExternalId(externalId)
    }

    static func validExternalId(_ text: String, field: String = "externalId") throws -> String {
        if let error = ReceiptCommand.externalIdViolation(text, field: field) { throw Problem.invalid([error]) }
        return text
    }

    func validCashier() throws -> String? {
        if let error = ReceiptCommand.cashierViolation(cashier) { throw Problem.invalid([error]) }
        return cashier
    }

    static func validConfirmationCode(_ code: String?) throws -> String? {
        if let error = ReceiptCommand.confirmationCodeViolation(code) { throw Problem.invalid([error]) }
        return code
    }

    func command(principal: Principal, offline: Bool = false) throws -> ReceiptCommand {
        ReceiptCommand(
            storeId: try principal.store(storeId), registerId: principal.registerId, customer: try customer?.key(field: "customer"),
            externalId: try validExternalId(), lines: try validLines(), redeem: try validRedeem(), offline: offline, codes: try validCodes(),
            cashier: try validCashier(), confirmationCode: try Self.validConfirmationCode(confirmationCode), payments: try validPayments())
    }
}

/// Registration of a customer.
struct RegisterCustomerBody: Decodable {
    struct ConsentsBody: Decodable {
        var personalData: Bool
        var marketing: Bool?
    }

    var phone: String
    var name: String?
    var email: String?
    /// `YYYY-MM-DD`.
    var birthday: String?
    var consents: ConsentsBody
    /// The anonymous receipt that earned the card, for programs with a card from a purchase.
    var purchaseReceiptId: String?
    /// The member who brought the customer: their phone or card number.
    var referrer: String?

    func customer() throws -> NewCustomer {
        var errors: [FieldError] = []
        let e164 = Phone.normalize(phone)
        if e164 == nil { errors.append(.init(field: "phone", message: "is not a phone number (e.g. +7 912 345-67-89)")) }
        if let name, name.count > 200 { errors.append(.init(field: "name", message: "must be at most 200 characters")) }
        if let email, email.count > 254 || !email.contains("@") || email.hasPrefix("@") || email.hasSuffix("@") {
            errors.append(.init(field: "email", message: "is not an email address"))
        }
        if let birthday, !Self.isDate(birthday) { errors.append(.init(field: "birthday", message: "must be a date as YYYY-MM-DD")) }
        if !consents.personalData {
            errors.append(.init(field: "consents.personalData", message: "must be true: personal data is processed only with consent"))
        }
        let purchase = purchaseReceiptId.flatMap(parseID)
        if purchaseReceiptId != nil, purchase == nil { errors.append(.init(field: "purchaseReceiptId", message: "is not a receipt id")) }
        var referrerKey: CustomerKey?
        if let referrer {
            let digits = referrer.filter(\.isNumber)
            if digits.count == 13, digits.count == referrer.count, CardNumber.isValid(digits) {
                referrerKey = .card(digits)
            } else if let phone = Phone.normalize(referrer) {
                referrerKey = .phone(phone)
            } else {
                errors.append(.init(field: "referrer", message: "is not a phone or card number"))
            }
        }
        guard errors.isEmpty, let e164 else { throw Problem.invalid(errors) }
        return NewCustomer(
            phone: e164, name: name?.trimmingCharacters(in: .whitespaces), email: email?.lowercased(), birthday: birthday,
            personalDataConsent: consents.personalData, marketingConsent: consents.marketing ?? false,
            purchaseReceiptId: purchase, referrer: referrerKey)
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1900...2100).contains(year), (1...12).contains(month)
        else { return false }
        let days = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...days[month - 1]).contains(day)
    }
}

/// A return: the lines and quantities, or nothing for a full return.
struct ReturnBody: Decodable {
    struct Line: Decodable {
        var line: Int
        var quantity: Thousandths
    }

    var lines: [Line]?

    func requests() throws -> [ReturnCalculator.Request]? {
        guard let lines else { return nil }
        guard (1...ReceiptLine.Limits.maxLines).contains(lines.count) else {
            throw Problem.invalid("lines", "must hold 1…\(ReceiptLine.Limits.maxLines) lines, or be left out for a full return")
        }
        return lines.map { ReturnCalculator.Request(line: $0.line, quantity: $0.quantity) }
    }
}

/// An online order to hold points for.
struct OrderBody: Decodable {
    var customer: CustomerRef
    var storeId: String?
    /// The shop's order number, unique within the store.
    var externalId: String
    var lines: [ReceiptLine]
    var redeem: RedeemRequest?
    var ttlSeconds: Int?
    /// The code sent to the customer's phone, when the program asks to confirm spending.
    var confirmationCode: String?

    func command(principal: Principal) throws -> HoldCommand {
        if let ttlSeconds, !(60...30 * 86_400).contains(ttlSeconds) {
            throw Problem.invalid("ttlSeconds", "must be 60…2592000 seconds")
        }
        let receipt = ReceiptBody(customer: customer, storeId: storeId, externalId: externalId, lines: lines, redeem: redeem)
        return HoldCommand(
            storeId: try principal.store(storeId), registerId: principal.registerId, customer: try customer.key(field: "customer"),
            externalId: try receipt.validExternalId(), lines: try receipt.validLines(), redeem: try receipt.validRedeem(),
            ttlSeconds: ttlSeconds, confirmationCode: try ReceiptBody.validConfirmationCode(confirmationCode))
    }
}

/// Confirmation of an order: the fiscal receipt number, if it differs from the order number.
struct ConfirmBody: Decodable {
    var externalId: String?
}

/// Receipts a till collected while offline.
struct BatchBody: Decodable {
    struct Item: Decodable {
        var idempotencyKey: String
        var receipt: ReceiptBody
    }

    var receipts: [Item]
}

/// A new store.
struct LanguageBody: Decodable {
    var language: String
}

struct StoreBody: Decodable {
    var name: String
    /// IANA time zone, e.g. `Europe/Moscow` (the default).
    var timeZone: String?

    func validated() throws -> (name: String, timeZone: String) {
        var errors: [FieldError] = []
        if !(1...200).contains(name.count) { errors.append(.init(field: "name", message: "must be 1…200 characters")) }
        let zone = timeZone ?? "Europe/Moscow"
        if TimeZone(identifier: zone) == nil { errors.append(.init(field: "timeZone", message: "is not an IANA time zone (e.g. Europe/Moscow)")) }
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return (name, zone)
    }
}

/// A named thing to create: a register or a key.
struct NameBody: Decodable {
    var name: String

    func validated() throws -> String {
        guard (1...200).contains(name.count) else { throw Problem.invalid("name", "must be 1…200 characters") }
        return name
    }
}

/// A batch of promo codes to create.
struct CodeBatchBody: Decodable {
    var name: String
    var promotionId: String?
    var points: Points?
    var count: Int?
    var code: String?
    var prefix: String?
    var validFrom: Instant?
    var validUntil: Instant?
    /// Uses of each code: 1 (single-use, the default for generated codes); absent with `code` for any number.
    var usesPerCode: Int64?
    var usesPerCustomer: Int64?

    func validated() throws -> NewCodeBatch {
        var errors: [FieldError] = []
        if !(1...200).contains(name.count) { errors.append(.init(field: "name", message: "must be 1…200 characters")) }
        if promotionId == nil, (points ?? 0) == 0 {
            errors.append(.init(field: "promotionId", message: "a batch gives a promotion (promotionId), points, or both"))
        }
        if let points, !(0...100_000_000).contains(points) { errors.append(.init(field: "points", message: "must be 0…100000000 hundredths")) }
        switch (count, code) {
        case (nil, nil): errors.append(.init(field: "count", message: "give the number of codes to generate, or one `code`"))
        case (.some, .some): errors.append(.init(field: "code", message: "give either count or code, not both"))
        case (let count?, nil) where !(1...100_000).contains(count):
            errors.append(.init(field: "count", message: "must be 1…100000 codes"))
        case (nil, let code?) where !(4...64).contains(PromoCode.normalize(code).count) || !PromoCode.normalize(code).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }):
            errors.append(.init(field: "code", message: "must be 4…64 Latin letters and digits (hyphens and spaces are ignored)"))
        default: break
        }
        let prefix = PromoCode.normalize(prefix ?? "")
        if prefix.count > 10 || !prefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
            errors.append(.init(field: "prefix", message: "must be at most 10 Latin letters and digits"))
        }
        if let validFrom, let validUntil, validUntil < validFrom {
            errors.append(.init(field: "validUntil", message: "ends before it starts (validFrom)"))
        }
        if let usesPerCode, usesPerCode < 1 { errors.append(.init(field: "usesPerCode", message: "must be positive (leave it out for any number with `code`)")) }
        if let usesPerCustomer, usesPerCustomer < 1 { errors.append(.init(field: "usesPerCustomer", message: "must be positive")) }
        guard errors.isEmpty else { throw Problem.invalid(errors) }
        return NewCodeBatch(
            name: name, promotionId: promotionId, points: points ?? 0, count: count, code: code, prefix: prefix,
            validFrom: validFrom?.seconds, validUntil: validUntil?.seconds, usesPerCode: usesPerCode ?? (code == nil ? 1 : nil),
            usesPerCustomer: usesPerCustomer)
    }
}

/// The groups a customer is in.
struct GroupsBody: Decodable {
    var groups: [String]

    func validated() throws -> [String] {
        guard groups.count <= 20 else { throw Problem.invalid("groups", "at most 20 groups") }
        for (index, group) in groups.enumerated()
        where !(1...64).contains(group.count) || !group.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            throw Problem.invalid("groups[\(index)]", "must be 1…64 letters, digits, `-` or `_`")
        }
        return groups
    }
}
