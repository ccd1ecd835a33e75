import Synchronization

/// A value shared by concurrent tasks of a test.
final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}

/// What a reliability harness found wrong, as sentences; empty when the server held. The real test expects it empty,
/// the bite (against an `UnsafeVariants` server) expects the sentence its broken behaviour causes.
final class ProblemList: Sendable {
    private let found = Mutex<[String]>([])
    /// Notes `problem` unless `ok`.
    func check(_ ok: Bool, _ problem: @autoclosure () -> String) { if !ok { found.withLock { $0.append(problem()) } } }
    var all: [String] { found.withLock { $0 } }
}
