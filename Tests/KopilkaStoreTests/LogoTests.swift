import Foundation
import KopilkaCore
import KopilkaStore
import KopilkaTesting
import Testing

/// The shop's logo: kept byte for byte on both databases, replaced and removed; only PNG, JPEG and WebP are taken, by
/// their first bytes.
@Suite struct LogoTests {
    @Test(arguments: TestDatabase.allCases) func aLogoIsKeptReplacedAndRemoved(_ database: TestDatabase) async throws {
        let f = try await StoreFixture(database)
        let t0 = StoreFixture.t0
        #expect(try await f.store.logo(merchantId: f.merchantId) == nil)
        // Every byte value, NUL included, comes back as it went in.
        let png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + (0...255).map(UInt8.init)
        try await f.store.setLogo(merchantId: f.merchantId, MerchantLogo(contentType: "image/png", image: png, updatedAt: t0), actor: .operator, now: t0)
        #expect(try await f.store.logo(merchantId: f.merchantId) == MerchantLogo(contentType: "image/png", image: png, updatedAt: t0))
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]
        try await f.store.setLogo(merchantId: f.merchantId, MerchantLogo(contentType: "image/jpeg", image: jpeg, updatedAt: t0), actor: .operator, now: t0 + 60)
        #expect(try await f.store.logo(merchantId: f.merchantId).map { [$0.image == jpeg, $0.updatedAt == t0 + 60] } == [true, true])
        try await f.store.setLogo(merchantId: f.merchantId, nil, actor: .operator, now: t0 + 120)
        #expect(try await f.store.logo(merchantId: f.merchantId) == nil)
    }

    @Test func onlyImagesThatCarryNoScriptAreTaken() {
        #expect(MerchantLogo.contentType(of: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == "image/png")
        #expect(MerchantLogo.contentType(of: [0xFF, 0xD8, 0xFF, 0xDB]) == "image/jpeg")
        #expect(MerchantLogo.contentType(of: Array("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == "image/webp")
        #expect(MerchantLogo.contentType(of: Array("<svg xmlns=\"http://www.w3.org/2000/svg\"><script/></svg>".utf8)) == nil)
        #expect(MerchantLogo.contentType(of: Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8)) == nil)
        #expect(MerchantLogo.contentType(of: []) == nil)
    }
}
