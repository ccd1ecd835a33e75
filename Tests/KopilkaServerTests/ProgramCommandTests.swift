import Foundation
import KopilkaCore
import KopilkaTesting
import Testing

/// `kopilka program apply` loads a catalogue file as the merchant's program; a bad file changes nothing.
@Suite struct ProgramCommandTests {
    static let catalogue = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/programs")

    @Test func aCatalogueProgramIsAppliedAndABadOneRefused() throws {
        guard KopilkaProcess.isBuilt() else { return }
        let folder = try TemporaryFolder("kopilka-program")
        let database = folder.url.appendingPathComponent("k.sqlite").path
        let created = try KopilkaProcess.run(["merchant", "create", "--name", "Торты", "--json", "--database", database])
        let merchant = try #require((try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any])?["merchantId"] as? String)
        func shown() throws -> ProgramRules {
            let show = try KopilkaProcess.run(["program", "show", "--merchant", merchant, "--database", database])
            #expect(show.status == 0)
            return try JSONDecoder().decode(ProgramRules.self, from: Data(show.output.utf8))
        }

        let cakes = Self.catalogue.appendingPathComponent("cake-shop.json").path
        #expect(try KopilkaProcess.run(["program", "apply", cakes, "--check"]).status == 0)
        #expect(try shown() == ProgramRules(), "--check changes nothing")
        let applied = try KopilkaProcess.run(["program", "apply", cakes, "--merchant", merchant, "--database", database])
        #expect(applied.status == 0 && applied.output.contains("program version 2"), "\(applied.output)")
        let rules = try shown()
        #expect(rules.earnOrSpend && rules.accrualRateBp == 1000 && rules.maxRedeemShareBp == 10_000)

        // Out of range, and not a program at all: refused, the program stays.
        let bad = folder.url.appendingPathComponent("bad.json")
        try #"{"maxRedeemShareBp": 20000}"#.write(to: bad, atomically: true, encoding: .utf8)
        #expect(try KopilkaProcess.run(["program", "apply", bad.path, "--merchant", merchant, "--database", database]).status != 0)
        try #"{"promotions": [{"id": "x"}]}"#.write(to: bad, atomically: true, encoding: .utf8)
        #expect(try KopilkaProcess.run(["program", "apply", bad.path, "--merchant", merchant, "--database", database]).status != 0)
        #expect(try shown() == rules)
    }
}
