import Foundation
import Logging

/// Writes one line per message to standard error, as swift-log's `StreamLogHandler` does:
/// `time level label: key=value … message`.
///
/// `StreamLogHandler` formats its metadata whenever metadata is set, and the web framework sets a request id on every
/// request's logger: 3 % of a lookup's request threads (perf). This handler formats metadata only for a line it writes.
public struct TextLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    /// A handler for `label`.
    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line = "\(Date().formatted(.iso8601)) \(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) \(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
