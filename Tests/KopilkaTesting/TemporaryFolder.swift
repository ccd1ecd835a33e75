import Foundation

/// A fresh folder under the system's temporary directory, removed with its contents when released.
public final class TemporaryFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates a folder named `prefix-<uuid>`.
    public init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
