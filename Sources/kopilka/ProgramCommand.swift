import ArgumentParser
import Foundation
import KopilkaCore
import KopilkaServer
import KopilkaStore

/// `kopilka program …`
struct ProgramCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program", abstract: "Load a merchant's program from a file, or print it, or print what its keys mean.",
        subcommands: [Apply.self, Show.self, Reference.self])

    /// `kopilka program apply FILE --merchant …`
    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a program file (the JSON document PUT /v1/program takes; see examples/programs) and make it the merchant's new version.")

        @OptionGroup var db: DatabaseOptions

        @Argument(help: "The program as JSON.")
        var file: String

        @Option(help: "The merchant's id (not needed with --check).")
        var merchant: Int64?

        @Flag(help: "Only check the file; change nothing.")
        var check = false

        func validate() throws {
            if merchant == nil, !check { throw ValidationError("name the merchant: --merchant ID") }
        }

        func run() async throws {
            let rules = try Self.load(file)
            if check {
                print("\(file): a valid program")
                return
            }
            guard let merchant else { return }
            let program = try await db.open().updateProgram(
                merchantId: merchant, rules: rules, expectedVersion: nil, now: Int64(Date().timeIntervalSince1970), actor: .operator)
            print("merchant \(merchant): program version \(program.version) from \(file)")
        }

        /// The rules in `path`, or an error naming each field at fault.
        static func load(_ path: String) throws -> ProgramRules {
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
            let rules: ProgramRules
            do {
                rules = try JSONDecoder().decode(ProgramRules.self, from: data)
            } catch let error as DecodingError {
                throw ValidationError("\(path) is not a program: \(error.readable)")
            }
            let problems = rules.violationsWithTimeZones()
            guard problems.isEmpty else {
                throw ValidationError("\(path):\n" + problems.map { "  \($0.field): \($0.message)" }.joined(separator: "\n"))
            }
            return rules
        }
    }

    /// `kopilka program show --merchant …`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the merchant's program as JSON (every field, defaults filled in).")

        @OptionGroup var db: DatabaseOptions

        @Option(help: "The merchant's id.")
        var merchant: Int64

        func run() async throws {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(try await db.open().program(merchantId: merchant).rules), as: UTF8.self))
        }
    }

    /// `kopilka program reference`
    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every key of a program with its default and meaning, as a Markdown table (the README's, made from the OpenAPI document).")

        func run() { print(ProgramReference.markdown(), terminator: "") }
    }
}
