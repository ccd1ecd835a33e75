import Foundation

/// The reference of the program's keys (key, default, meaning) made from one source, the OpenAPI document's
/// `ProgramRulesInput`, so the README's table cannot fall behind the API: `kopilka program reference` prints it and a
/// test holds the README to it.
public enum ProgramReference {
    /// One key of the program.
    public struct Key: Equatable, Sendable {
        public var name: String
        public var defaultValue: String?
        public var meaning: String
    }

    /// The keys in the document's order.
    public static func keys() -> [Key] {
        let lines = String(decoding: OpenAPIDocument.yaml, as: UTF8.self).components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "    ProgramRulesInput:"),
            let properties = lines[start...].firstIndex(of: "      properties:")
        else { return [] }
        var keys: [Key] = []
        var index = properties + 1
        // A property is a line of 8 spaces and a name; its fields are indented further; the schema ends at a line
        // indented less.
        while index < lines.count, lines[index].hasPrefix("        ") || lines[index].isEmpty {
            let line = lines[index]
            index += 1
            guard !line.hasPrefix("         "), line.hasSuffix(":") else { continue }
            var key = Key(name: String(line.dropFirst(8).dropLast()), defaultValue: nil, meaning: "")
            while index < lines.count, lines[index].hasPrefix("          ") {
                let field = lines[index].dropFirst(10)
                index += 1
                if field.hasPrefix("default: ") {
                    key.defaultValue = String(field.dropFirst("default: ".count))
                } else if field.hasPrefix("description: ") {
                    var text = String(field.dropFirst("description: ".count))
                    if text == "|" {
                        // A block: the lines indented deeper than the field.
                        var block: [String] = []
                        while index < lines.count, lines[index].hasPrefix("            ") {
                            block.append(lines[index].trimmingCharacters(in: .whitespaces))
                            index += 1
                        }
                        text = block.joined(separator: " ")
                    } else if text.hasPrefix("'"), text.hasSuffix("'") {
                        text = String(text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
                    }
                    key.meaning = text
                }
            }
            keys.append(key)
        }
        return keys
    }

    /// The keys as a Markdown table.
    public static func markdown() -> String {
        var out = "| key | default | meaning |\n|---|---|---|\n"
        for key in keys() {
            let value = key.defaultValue.map { $0 == "[]" || $0 == "null" ? $0 : "`\($0)`" } ?? "none"
            out += "| `\(key.name)` | \(value) | \(key.meaning.replacingOccurrences(of: "|", with: "\\|")) |\n"
        }
        return out
    }
}
