import Foundation
import GRDB
import Synchronization

/// Copies the write-ahead log back into the database file beside the writer, instead of inside it.
///
/// SQLite's automatic checkpoint runs in the committing thread: every thousand pages one commit copies them back and
/// waits for the disk, and with a single writer every commit queued behind it waits too (`docs/benchmarks.md`). Here the
/// writer never checkpoints on its own: this checkpointer's own connection copies what has committed (a passive
/// checkpoint, which takes no write lock) every `interval`. A log under constant writes never empties that way — new
/// frames arrive while the old ones are copied — so once it holds `restartFrames` the checkpointer asks the writer to
/// restart it between two batches; by then almost every frame is copied, and the restart costs the writer little.
// Unchecked: the timer is only resumed once and cancelled, both thread-safe; the connection is a serial queue.
final class WALCheckpointer: @unchecked Sendable {
    /// Set when the log should start again from its beginning; the writer takes it between batches.
    let restartRequested = Atomic<Bool>(false)
    private let connection: DatabaseQueue
    private let timer: any DispatchSourceTimer
    private let restartFrames: Int

    init(path: String, interval: DispatchTimeInterval, restartFrames: Int) throws {
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        connection = try DatabaseQueue(path: path, configuration: configuration)
        self.restartFrames = restartFrames
        // Not a background priority: under load a starved checkpointer would let the log grow.
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "kopilka.checkpoint"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        // Weak: a store that is let go stops its checkpointer.
        timer.setEventHandler { [weak self] in self?.checkpoint() }
        timer.resume()
    }

    deinit { timer.cancel() }

    /// One passive checkpoint; asks for a restart when the log has grown past its bound.
    private func checkpoint() {
        // Busy (the writer is restarting the log, or the file is gone): the next tick tries again.
        guard let (frames, _) = try? connection.inDatabase({ try $0.checkpoint(.passive) }) else { return }
        if frames >= restartFrames { restartRequested.store(true, ordering: .relaxed) }
    }

    /// Stops checkpointing and closes the connection.
    func close() throws {
        timer.cancel()
        try connection.close()
    }
}
