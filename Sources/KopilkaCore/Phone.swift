/// Phone numbers in E.164 (`+79123456789`).
public enum Phone {
    /// Normalises a phone number written any common way to E.164, or nil if it is not one.
    ///
    /// Russian numbers are recognised in every usual form: `8 (912) 345-67-89`, `+7 912 3456789`,
    /// `89123456789`, `9123456789`. Other countries need the leading `+`.
    public static func normalize(_ text: String) -> String? {
        guard text.count <= 40 else { return nil }
        var digits = ""
        var hasPlus = false
        for (index, character) in text.enumerated() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == "+", index == text.prefix(while: { $0 == " " }).count, digits.isEmpty {
                hasPlus = true
            } else if !" ()-.\u{00A0}".contains(character) {
                return nil
            }
        }
        if !hasPlus {
            if digits.count == 11, digits.first == "8" || digits.first == "7" {
                digits = "7" + digits.dropFirst()
            } else if digits.count == 10, digits.first == "9" {
                digits = "7" + digits
            } else {
                return nil
            }
        }
        guard (8...15).contains(digits.count), digits.first != "0" else { return nil }
        if digits.first == "7", digits.count != 11 { return nil }
        return "+" + digits
    }

    /// The number with its middle hidden, for screens and receipts: `+7 912 ***-**-89`.
    public static func masked(_ e164: String) -> String {
        guard e164.count >= 6 else { return "***" }
        return String(e164.prefix(5)) + "***" + String(e164.suffix(2))
    }
}

/// Loyalty card numbers: 13 digits (EAN-13, in-store prefix `2`) whose last digit checks the rest.
public enum CardNumber {
    /// The EAN-13 check digit of 12 digits.
    public static func checkDigit(_ twelveDigits: [Int]) -> Int {
        precondition(twelveDigits.count == 12)
        var sum = 0
        for (index, digit) in twelveDigits.enumerated() { sum += digit * (index % 2 == 0 ? 1 : 3) }
        return (10 - sum % 10) % 10
    }

    /// A card number from 11 random digits after the prefix `2`.
    public static func make(body: [Int]) -> String {
        precondition(body.count == 11 && body.allSatisfy { (0...9).contains($0) })
        let twelve = [2] + body
        return (twelve + [checkDigit(twelve)]).map(String.init).joined()
    }

    /// Whether `text` is 13 digits with a right check digit.
    public static func isValid(_ text: String) -> Bool {
        let digits = text.compactMap(\.wholeNumberValue)
        guard text.count == 13, digits.count == 13, text.allSatisfy(\.isASCII) else { return false }
        return checkDigit(Array(digits.prefix(12))) == digits[12]
    }
}

/// Names shown to a cashier: first name and the initial of the last ("Анна П."), never the whole name.
public func maskName(_ name: String?) -> String? {
    guard let name, !name.isEmpty else { return nil }
    let parts = name.split(separator: " ")
    guard let first = parts.first else { return nil }
    if parts.count > 1, let initial = parts[1].first { return "\(first) \(initial)." }
    return String(first)
}
