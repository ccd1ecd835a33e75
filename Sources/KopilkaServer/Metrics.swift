import KopilkaStore
import Synchronization

/// Counters served at `/metrics` in the Prometheus text format.
final class Metrics: Sendable {
    /// One monotonically increasing counter.
    final class Counter: Sendable {
        let name: String
        let help: String
        private let value = Atomic<Int>(0)

        init(_ name: String, _ help: String) {
            self.name = name
            self.help = help
        }

        func add(_ amount: Int) { value.add(amount, ordering: .relaxed) }
        var current: Int { value.load(ordering: .relaxed) }
    }

    let requests = Counter("kopilka_http_requests_total", "HTTP requests answered")
    let clientErrors = Counter("kopilka_http_client_errors_total", "HTTP requests answered with a 4xx")
    let serverErrors = Counter("kopilka_http_server_errors_total", "HTTP requests answered with a 5xx")
    let calculations = Counter("kopilka_calculations_total", "receipts calculated")
    let commits = Counter("kopilka_receipt_commits_total", "receipt commits requested (including replays and refusals)")
    let maintenanceRuns = Counter("kopilka_maintenance_runs_total", "expiry/activation/hold-release runs")
    let spendCodes = Counter("kopilka_spend_codes_sent_total", "spending confirmation codes sent by SMS")
    let expiryReminders = Counter("kopilka_expiry_reminders_sent_total", "texts sent to members before their points burn")

    var all: [Counter] { [requests, clientErrors, serverErrors, calculations, commits, maintenanceRuns, spendCodes, expiryReminders] }

    /// The exposition text, with the store's own counters.
    func render(store: any LoyaltyStore) -> String {
        let conflicts = ("kopilka_write_conflicts_total", "write transactions tried again after a conflict (PostgreSQL)", store.writeConflicts)
        return (all.map { ($0.name, $0.help, $0.current) } + [conflicts]).map { name, help, value in "# HELP \(name) \(help)\n# TYPE \(name) counter\n\(name) \(value)\n" }.joined()
    }
}
