import Foundation
import KopilkaTesting
import Testing

@testable import KopilkaStore

/// The writer does not checkpoint after its commits; the checkpointer copies the log back beside it and has the writer
/// restart it, so the log stays bounded under writes that hardly pause.
@Suite struct WALCheckpointerTests {
    static func logBytes(after writes: Int, checkpointEvery: DispatchTimeInterval) async throws -> Int {
        let folder = try TemporaryFolder("kopilka-wal")
        let path = folder.url.appendingPathComponent("wal.sqlite").path
        let backend = try SQLiteBackend(
            path: path, synchronous: .normal, busyTimeoutSeconds: 10, checkpointEvery: checkpointEvery, restartFrames: 100)
        _ = try await backend.write { db in try db.run("CREATE TABLE filler (id INTEGER PRIMARY KEY, text TEXT NOT NULL)", []) }
        // Eight writers at a time, each write a page of its own: the log never pauses long.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for index in 0..<(writes / 8) {
                        _ = try await backend.write { db in
                            try db.run("INSERT INTO filler (id, text) VALUES (?, ?)", [Int64(writer * 1_000_000 + index), String(repeating: "x", count: 3000)])
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let bytes = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        let rows = try await backend.read { db in try db.row("SELECT COUNT(*) AS n FROM filler", [])!["n"] as Int64 }
        #expect(rows == Int64(writes / 8 * 8), "every write is in the database")
        try await backend.close()
        return bytes
    }

    @Test func theLogStaysBoundedUnderConstantWrites() async throws {
        let bounded = try await Self.logBytes(after: 2_000, checkpointEvery: .milliseconds(2))
        // The broken variant: the writer does not checkpoint, and no checkpointer does either.
        let unbounded = try await Self.logBytes(after: 2_000, checkpointEvery: .seconds(3_600))
        // 2,000 writes of a page each: about 8 MB of log if nothing copies it back.
        #expect(unbounded > 6_000_000, "without checkpoints the log holds every write (\(unbounded) bytes)")
        #expect(bounded < unbounded / 4, "checkpointed and restarted, the log stays a fraction of that (\(bounded) against \(unbounded) bytes)")
    }
}
