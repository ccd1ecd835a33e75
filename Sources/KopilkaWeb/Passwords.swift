import Crypto
import _CryptoExtras
import Foundation
import KopilkaStore

/// Staff passwords: scrypt with a salt of their own, slow on purpose (N = 2^15, r = 8, p = 1: about a tenth of a second
/// and 32 MiB per guess), so a stolen database does not give the passwords away.
public enum Passwords {
    /// The shortest password accepted.
    public static let minimumLength = 10

    /// A new hash of `password` with a fresh salt.
    public static func hash(_ password: String) throws -> PasswordHash {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let (n, r, p) = (32_768, 8, 1)
        return PasswordHash(hash: try derive(password, salt: salt, n: n, r: r, p: p), salt: salt, params: "scrypt:\(n):\(r):\(p)")
    }

    /// Whether `password` is the one `stored` was made from (compared in constant time).
    public static func verify(_ password: String, against stored: PasswordHash) -> Bool {
        let parts = stored.params.split(separator: ":")
        guard parts.count == 4, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
            let derived = try? derive(password, salt: stored.salt, n: n, r: r, p: p), derived.count == stored.hash.count
        else { return false }
        return zip(derived, stored.hash).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// What a sign-in with an unknown email is checked against, at the cost of a real one; no password matches it.
    static let unknownAccount = PasswordHash(
        hash: [UInt8](repeating: 0, count: 32), salt: [UInt8](repeating: 0, count: 16), params: "scrypt:32768:8:1")

    /// What is wrong with a new password, or nil.
    public static func problem(with password: String) -> String? {
        password.count < minimumLength ? "at least \(minimumLength) characters" : nil
    }

    private static func derive(_ password: String, salt: [UInt8], n: Int, r: Int, p: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: n, blockSize: r, parallelism: p)
        return key.withUnsafeBytes { Array($0) }
    }
}
