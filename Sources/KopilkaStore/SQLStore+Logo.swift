import Foundation
import KopilkaCore

/// The shop's logo as the owner uploaded it.
public struct MerchantLogo: Sendable, Equatable {
    /// `image/png`, `image/jpeg` or `image/webp`.
    public var contentType: String
    public var image: [UInt8]
    /// When it was uploaded: pages add it to the logo's address, so a new one is never taken from a cache.
    public var updatedAt: UnixSeconds

    public init(contentType: String, image: [UInt8], updatedAt: UnixSeconds) {
        (self.contentType, self.image, self.updatedAt) = (contentType, image, updatedAt)
    }

    /// The largest logo taken, in bytes.
    public static let largest = 256 * 1024

    /// The image type of `bytes` by its first bytes (never by what the browser says), or nil for anything but PNG, JPEG
    /// and WebP: an SVG could carry a script.
    public static func contentType(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }
}

extension SQLStore {
    /// The merchant's logo, or nil.
    public func logo(merchantId: Int64) async throws -> MerchantLogo? {
        try await backend.read { db in
            try db.row("SELECT content_type, image, updated_at FROM merchant_logos WHERE merchant_id = ?", [merchantId]).map {
                MerchantLogo(contentType: $0["content_type"], image: [UInt8]($0["image"] as Data), updatedAt: $0["updated_at"])
            }
        }
    }

    /// Sets the merchant's logo (nil removes it); the caller has checked its type and size. Audited, without the image.
    public func setLogo(merchantId: Int64, _ logo: MerchantLogo?, actor: AuditActor, now: UnixSeconds) async throws {
        try await backend.write { db in
            if let logo {
                try db.run(
                    """
                    INSERT INTO merchant_logos (merchant_id, content_type, image, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (merchant_id) DO UPDATE SET
                        content_type = excluded.content_type, image = excluded.image, updated_at = excluded.updated_at
                    """, [merchantId, logo.contentType, Data(logo.image), now])
            } else {
                try db.run("DELETE FROM merchant_logos WHERE merchant_id = ?", [merchantId])
            }
            try self.audit(
                db, merchantId: merchantId, actor: actor, "merchant.logo", subject: String(merchantId),
                after: ["contentType": logo?.contentType ?? "", "bytes": String(logo?.image.count ?? 0)], now: now)
        }
    }
}
