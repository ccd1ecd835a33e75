/// One of the two databases under `SQLStore`: how to read in a snapshot and how to write in a transaction.
protocol SQLBackend: Sendable {
    /// Runs `body` on one consistent snapshot.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// Runs `body` in one transaction and returns once it is durable. PostgreSQL may run `body` again after a
    /// write conflict, so it must depend on nothing but the database and its captures.
    ///
    /// `serializing` names hot rows the transaction writes (a promotion's budget, a code batch's counters) that many
    /// concurrent transactions write too: on PostgreSQL, transactions naming the same key run one after another
    /// instead of failing on each other's writes until their retries run out; the single writer of SQLite runs them
    /// one after another anyway.
    func write<T: Sendable>(serializing keys: [String], _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// The migrations applied so far, oldest first.
    func appliedMigrations() async throws -> [String]
    /// Structural problems the database itself reports; empty when sound.
    func integrityCheck() async throws -> [String]
    /// Closes every connection.
    func close() async throws
    /// Whether this process holds the lease `name` (taking it if no process does): held until the process ends or
    /// loses its database connection, so that one process at a time does the work it guards and others stand by.
    func holdsLease(_ name: String) async throws -> Bool
}

extension SQLBackend {
    /// Runs `body` in one transaction that names no hot rows.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await write(serializing: [], body)
    }
}
