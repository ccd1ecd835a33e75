import Foundation
import Synchronization

/// Runs the benchmark's helper programs (pgbench, wrk) to their end.
enum ChildProcess {
    /// Runs `executable` with `arguments` on a thread of its own with every signal unblocked, and returns its exit status
    /// and its output (stdout and stderr). A child inherits its parent thread's signal mask, Swift's worker threads
    /// block SIGALRM, and pgbench's `-T` needs it (without this it never stops).
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let result = Mutex<Result<(Int32, String), any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_UNBLOCK, &all, nil)
            result.withLock { $0 = Result { try spawn(executable, arguments) } }
            done.signal()
        }
        thread.start()
        done.wait()
        return try result.withLock { $0! }.get()
    }

    private static func spawn(_ executable: URL, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
