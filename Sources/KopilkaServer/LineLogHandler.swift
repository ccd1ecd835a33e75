import Foundation
import Logging

/// Writes one line per message to standard error, as text (`time level label: key=value … message`, like swift-log's
/// `StreamLogHandler`) or as a JSON object (`{"time":…,"level":…,"label":…,"message":…, …metadata}`, for log
/// collectors). What goes in is the caller's business: Kopilka logs no personal data or keys.
///
/// Metadata is formatted only for a line that is written. `StreamLogHandler` formats it whenever it is set, and the web
/// framework sets a request id on every request's logger: 3 % of a lookup's request threads (perf).
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let format: Format

    /// A handler for `label`, writing `format`.
    public init(label: String, format: Format) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        let time = Date().formatted(.iso8601)
        switch format {
        case .text:
            let pairs = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            let line = "\(time) \(event.level) \(label):\(pairs.isEmpty ? "" : " " + pairs) \(event.message)\n"
            FileHandle.standardError.write(Data(line.utf8))
        case .json:
            var object: [String: String] = ["time": time, "level": event.level.rawValue, "label": label, "message": event.message.description]
            for (key, value) in fields where object[key] == nil { object[key] = value.description }
            guard var line = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
            line.append(0x0A)
            FileHandle.standardError.write(line)
        }
    }
}
