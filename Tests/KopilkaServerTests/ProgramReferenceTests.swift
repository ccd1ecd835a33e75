import Foundation
import KopilkaCore
import KopilkaServer
import Testing

/// The README's table of program keys is made from the OpenAPI document (`kopilka program reference`), and the
/// document names every key the program has: a new setting without its reference fails here.
@Suite struct ProgramReferenceTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")

    @Test func theReadmeShowsTheReferenceAsMade() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let begin = try #require(text.range(of: "from the OpenAPI document; a test holds this table to it -->\n"))
        let end = try #require(text.range(of: "<!-- end of program keys -->", range: begin.upperBound..<text.endIndex))
        #expect(
            String(text[begin.upperBound..<end.lowerBound]) == ProgramReference.markdown(),
            "README.md's table of program keys is out of date: replace it with the output of `kopilka program reference`")
    }

    @Test func everyKeyOfTheProgramIsInTheReference() throws {
        // Every optional part set, so that every key is encoded.
        var rules = ProgramRules()
        rules.tiers = TierRules(tiers: [Tier(name: "Base", threshold: 0, accrualRateBp: 500)])
        rules.wholesale = WholesaleRules(steps: [WholesaleStep(minQuantity: 1000, discountBp: 100)])
        rules.referral = ReferralRules()
        rules.accrualScope = Restriction()
        rules.redemptionScope = Restriction()
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(rules)) as? [String: Any])
        let documented = Set(ProgramReference.keys().map(\.name))
        #expect(
            Set(encoded.keys).subtracting(documented).isEmpty,
            "keys without a reference: \(Set(encoded.keys).subtracting(documented).sorted())")
        #expect(
            documented.subtracting(encoded.keys).isEmpty,
            "referenced keys the program does not have: \(documented.subtracting(encoded.keys).sorted())")
        for key in ProgramReference.keys() { #expect(!key.meaning.isEmpty, "\(key.name) has no meaning in the reference") }
    }
}
