/// Promo codes as people type them: short, upper case, without look-alike characters.
public enum PromoCode {
    /// 32 characters without 0/O and 1/I, so a code read aloud or off paper is typed right: 5 bits each.
    public static let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// The stored form of a code as typed: upper case, without spaces and hyphens.
    public static func normalize(_ text: String) -> String {
        String(text.uppercased().filter { $0 != "-" && $0 != " " })
    }

    /// A fresh random code: `prefix` and 12 characters (60 bits), from a cryptographic generator.
    public static func generate<R: RandomNumberGenerator>(prefix: String = "", using random: inout R) -> String {
        prefix + String((0..<12).map { _ in alphabet[Int(random.next() % 32)] })
    }

    /// How a code is shown: groups of four after the prefix, `SALE-7KQ2-M9XD-PW4R`.
    public static func display(_ code: String, prefixLength: Int = 0) -> String {
        let prefix = String(code.prefix(prefixLength)), body = Array(code.dropFirst(prefixLength))
        let groups = stride(from: 0, to: body.count, by: 4).map { String(body[$0..<min($0 + 4, body.count)]) }
        return ([prefix].filter { !$0.isEmpty } + groups).joined(separator: "-")
    }
}
