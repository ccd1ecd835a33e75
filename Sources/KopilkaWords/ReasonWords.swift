import KopilkaCore

/// The engine's reasons as sentences, in a language: each reason's sentence is looked up by its code (and variant) in
/// the language's table, and its values are written the language's way.
///
/// A sentence names values as `{1}`, `{2}`… in the reason's order, and the reason's line as `{0}`.
public enum ReasonWords {
    /// The reason's sentence in `language`: from the table when the reason has the values it names, else the sentence
    /// it was stored with (a receipt from before reasons had values), else its code.
    public static func sentence(_ reason: Reason, in language: Language) -> String {
        guard let template = templates(language)[reason.sentenceKey], fits(template, reason) else { return reason.storedMessage ?? reason.code }
        var text = ""
        text.reserveCapacity(80)
        for segment in template {
            switch segment {
            case .text(let literal): text += literal
            case .line: text += reason.line.map(String.init) ?? ""
            case .value(let index): text += index < reason.values.count ? write(reason.values[index], language) : ""
            }
        }
        return text
    }

    /// What an answer in `language` words its reasons with.
    public static func wording(_ language: Language) -> Wording {
        switch language {
        case .en: englishWording
        case .ru: russianWording
        }
    }

    private static let englishWording = Wording { sentence($0, in: .en) }
    private static let russianWording = Wording { sentence($0, in: .ru) }

    /// Whether `language` has a sentence for the reason that names each of its values, and no value it lacks.
    public static func hasSentence(_ reason: Reason, in language: Language) -> Bool {
        guard let template = templates(language)[reason.sentenceKey], fits(template, reason) else { return false }
        let named = Set(template.compactMap { if case .value(let index) = $0 { index } else { nil } })
        return named == Set(reason.values.indices)
    }

    private static func fits(_ template: [Segment], _ reason: Reason) -> Bool {
        template.allSatisfy { segment in
            switch segment {
            case .text: true
            case .line: reason.line != nil
            case .value(let index): index < reason.values.count
            }
        }
    }

    /// The sentence keys of `language`'s table.
    public static func keys(_ language: Language) -> Set<String> { Set(templates(language).keys) }

    private static func templates(_ language: Language) -> [String: [Segment]] {
        switch language {
        case .en: english
        case .ru: russian
        }
    }

    private static let english = english_.mapValues(Segment.parse)
    private static let russian = russian_.mapValues(Segment.parse)

    /// A piece of a sentence: literal text, the reason's line, or one of its values.
    enum Segment: Equatable {
        case text(String)
        case line
        case value(Int)

        static func parse(_ template: String) -> [Segment] {
            var segments: [Segment] = [], literal = ""
            var rest = Substring(template)
            while let open = rest.firstIndex(of: "{") {
                literal += rest[..<open]
                let afterOpen = rest.index(after: open)
                guard let close = rest[afterOpen...].firstIndex(of: "}"), let number = Int(rest[afterOpen..<close]) else {
                    literal += "{"
                    rest = rest[afterOpen...]
                    continue
                }
                if !literal.isEmpty { segments.append(.text(literal)) }
                literal = ""
                segments.append(number == 0 ? .line : .value(number - 1))
                rest = rest[rest.index(after: close)...]
            }
            literal += rest
            if !literal.isEmpty { segments.append(.text(literal)) }
            return segments
        }
    }

    /// A value as `language` writes it in a sentence.
    static func write(_ value: ReasonValue, _ language: Language) -> String {
        switch language {
        case .en: english(value)
        case .ru: russian(value)
        }
    }
}
