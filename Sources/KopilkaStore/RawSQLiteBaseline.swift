import Foundation
import GRDB

/// The physical limit Kopilka's commits are measured against: a bare TPC-B-like transaction
/// (update a balance, insert a history row) on SQLite with the same pragmas as the store.
public enum RawSQLiteBaseline {
    /// Runs transactions of `perTransaction` update+insert pairs for `seconds`; returns pairs per second.
    public static func run(path: String, synchronous: SQLStore.Synchronous, perTransaction: Int, seconds: Double) throws -> Double {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous.rawValue)") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try pool.write { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL);
                CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY, account INTEGER NOT NULL, delta INTEGER NOT NULL, at INTEGER NOT NULL);
                WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000)
                INSERT OR IGNORE INTO accounts (id, balance) SELECT x, 0 FROM n;
                """)
        }
        var random = SystemRandomNumberGenerator()
        var pairs = 0
        let started = Date()
        while Date().timeIntervalSince(started) < seconds {
            try pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    for _ in 0..<perTransaction {
                        let account = Int64(random.next(upperBound: UInt64(100_000))) + 1
                        try db.cachedStatement(sql: "UPDATE accounts SET balance = balance + ? WHERE id = ?").execute(arguments: [1, account])
                        try db.cachedStatement(sql: "INSERT INTO history (account, delta, at) VALUES (?, ?, ?)").execute(arguments: [account, 1, 0])
                    }
                    return .commit
                }
            }
            pairs += perTransaction
        }
        return Double(pairs) / Date().timeIntervalSince(started)
    }
}
