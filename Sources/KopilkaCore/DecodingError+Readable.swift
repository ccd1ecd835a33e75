/// A JSON document's decoding failure as people read it, for CLI messages and pages.
extension DecodingError {
    /// Where and what, in one line: `promotions[0].reward: is required`.
    public var readable: String {
        let (path, what): ([any CodingKey], String) = switch self {
        case .dataCorrupted(let context): (context.codingPath, context.debugDescription)
        case .keyNotFound(let key, let context): (context.codingPath + [key], "is required")
        case .typeMismatch(_, let context), .valueNotFound(_, let context): (context.codingPath, context.debugDescription)
        @unknown default: ([], "\(self)")
        }
        let field = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingPrefix(".")
        return field.isEmpty ? what : "\(field): \(what)"
    }
}
