import Crypto
import Foundation

/// API keys: `kpk_<role>_<32 random base62>_<6-char checksum>`.
///
/// The prefix says what a key is when it turns up in a config file or a leak scanner; the checksum
/// lets a typo be refused without a database lookup; only the SHA-256 of the key is stored.
public enum ApiKeys {
    static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// A new random key for `role`.
    public static func generate(role: Principal.Role) -> String {
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        let head = "kpk_\(role == .admin ? "adm" : "reg")_\(body)"
        return "\(head)_\(checksum(head))"
    }

    /// Whether `key` is well formed with a right checksum (says nothing of whether it exists).
    public static func isWellFormed(_ key: String) -> Bool {
        guard key.count == 47, key.hasPrefix("kpk_"), key.allSatisfy({ $0.isASCII }) else { return false }
        let head = String(key.prefix(40))
        return key.suffix(7) == "_" + checksum(head)
    }

    /// The SHA-256 of a key: what the database holds.
    public static func hash(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Data(key.utf8)))
    }

    /// The part of a key safe to show in lists and logs: `kpk_adm_AbCd`.
    public static func displayPrefix(_ key: String) -> String { String(key.prefix(12)) }

    static func checksum(_ text: String) -> String {
        let digest = Array(SHA256.hash(data: Data(text.utf8)))
        var value = digest.prefix(5).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        var out = ""
        for _ in 0..<6 {
            out.append(alphabet[Int(value % 62)])
            value /= 62
        }
        return out
    }
}
