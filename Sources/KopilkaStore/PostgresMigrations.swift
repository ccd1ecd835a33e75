/// Brings a PostgreSQL schema up to date with `Migrations.all`, in one transaction, one process at a time.
enum PostgresMigrations {
    static func migrate(_ session: PostgresSession) throws {
        try session.execute("BEGIN")
        do {
            // Two processes starting together: the second waits here, then finds the work done.
            try session.execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")
            try session.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
                -- Process tags for ids (IDGenerator), so that processes sharing the database never make the same id.
                CREATE SEQUENCE IF NOT EXISTS process_tags;
                """)
            let applied = Set(try session.column("SELECT name FROM schema_migrations", [], as: String.self))
            for migration in Migrations.all where !applied.contains(migration.name) {
                try session.executeScript(Migrations.postgres(migration.sql) + "\n")
                try session.run("INSERT INTO schema_migrations (name) VALUES (?)", [migration.name])
            }
            try session.execute("COMMIT")
        } catch {
            session.rollback()
            throw error
        }
    }
}
