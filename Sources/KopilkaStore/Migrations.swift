import GRDB

/// The schema, as numbered, append-only migrations, written once in SQLite's words and translated for PostgreSQL;
/// recorded in `grdb_migrations` on SQLite and `schema_migrations` on PostgreSQL.
///
/// Every table carries `merchant_id`, and every primary key and index leads with it, so tenants stay
/// apart and the schema can be distributed by tenant (docs/scaling.md).
enum Migrations {
    /// Every migration, oldest first.
    static let all: [(name: String, sql: String)] = [
        ("001_core", schema001), ("002_promotions", schema002), ("003_audit", schema003), ("004_protection", schema004),
        ("005_standing_index", schema005), ("006_console", schema006),
        ("007_stamps", schema007), ("008_referral", schema008),
        ("009_store_lots", schema009), ("010_expiry_reminders", schema010),
        ("011_customer_version", schema011), ("012_merchant_language", schema012),
        ("013_rules", schema013), ("014_join_codes", schema014),
        ("015_manual_adjustments", schema015), ("016_catalogue", schema016),
        ("017_catalogue_prices", schema017), ("018_merchant_logos", schema018),
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    /// The DDL in PostgreSQL's words: 64-bit integers, `BYTEA`, and no `WITHOUT ROWID` (every PostgreSQL table is a heap
    /// with its primary key as an index).
    static func postgres(_ sql: String) -> String {
        sql.replacingOccurrences(of: " WITHOUT ROWID", with: "")
            .replacingOccurrences(of: " INTEGER", with: " BIGINT")
            .replacingOccurrences(of: " BLOB", with: " BYTEA")
    }

    static let schema001 = """
        CREATE TABLE merchants (
            merchant_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            currency TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE stores (
            merchant_id INTEGER NOT NULL REFERENCES merchants(merchant_id),
            id INTEGER NOT NULL,
            name TEXT NOT NULL,
            time_zone TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE TABLE registers (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            store_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id),
            FOREIGN KEY (merchant_id, store_id) REFERENCES stores(merchant_id, id)
        ) WITHOUT ROWID;
        -- Keys are found by their hash (the only thing a request carries), so the hash is unique
        -- across merchants; the plaintext is never stored.
        CREATE TABLE api_keys (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            hash BLOB NOT NULL UNIQUE,
            prefix TEXT NOT NULL,
            role TEXT NOT NULL,
            name TEXT NOT NULL,
            store_id INTEGER,
            register_id INTEGER,
            created_at INTEGER NOT NULL,
            revoked_at INTEGER,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE TABLE programs (
            merchant_id INTEGER NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            rules TEXT NOT NULL,
            updated_at INTEGER NOT NULL
        );
        -- Every version of every program, so a receipt's rules can be shown months later.
        CREATE TABLE program_versions (
            merchant_id INTEGER NOT NULL,
            version INTEGER NOT NULL,
            rules TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, version)
        ) WITHOUT ROWID;
        CREATE TABLE customers (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            phone TEXT,
            card TEXT NOT NULL,
            name TEXT,
            email TEXT,
            birthday TEXT,
            personal_data_consent_at INTEGER,
            marketing_consent INTEGER NOT NULL DEFAULT 0,
            marketing_consent_at INTEGER,
            balance INTEGER NOT NULL DEFAULT 0,
            debt INTEGER NOT NULL DEFAULT 0,
            -- The highest level reached, for programs that keep a level once reached.
            tier_reached INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX customers_phone ON customers(merchant_id, phone);
        CREATE UNIQUE INDEX customers_card ON customers(merchant_id, card);
        CREATE TABLE lots (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            earned INTEGER NOT NULL,
            remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= earned),
            activates_at INTEGER NOT NULL,
            expires_at INTEGER,
            activated_at INTEGER,
            entry_id INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        -- Not a partial index: SQLite 3.40 prefers the primary key over a partial index here.
        CREATE INDEX lots_by_customer ON lots(merchant_id, customer_id, remaining);
        CREATE INDEX lots_expiring ON lots(merchant_id, expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
        CREATE INDEX lots_pending ON lots(merchant_id, activates_at) WHERE activated_at IS NULL;
        CREATE TABLE ledger_entries (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL,
            receipt_id INTEGER,
            return_id INTEGER,
            hold_id INTEGER,
            lot_id INTEGER,
            note TEXT,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX ledger_by_customer ON ledger_entries(merchant_id, customer_id, id);
        -- Every change to a lot's remaining points, so each lot can be audited (invariant I9).
        CREATE TABLE lot_movements (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            lot_id INTEGER NOT NULL,
            entry_id INTEGER,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX lot_movements_by_entry ON lot_movements(merchant_id, entry_id);
        CREATE TABLE receipts (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            store_id INTEGER NOT NULL,
            register_id INTEGER,
            customer_id INTEGER,
            external_id TEXT NOT NULL,
            program_version INTEGER NOT NULL,
            amount INTEGER NOT NULL,
            discount INTEGER NOT NULL,
            redeemed_kopecks INTEGER NOT NULL,
            redeemed_points INTEGER NOT NULL,
            payable INTEGER NOT NULL,
            earned_points INTEGER NOT NULL,
            earn_lot_id INTEGER,
            restore_expires_at INTEGER,
            hold_id INTEGER,
            offline INTEGER NOT NULL DEFAULT 0,
            -- The calculation's reasons as JSON: why the receipt earned and spent what it did.
            explanation TEXT NOT NULL DEFAULT '[]',
            -- What returns gave back: qualifying spend for levels is payable less refunded.
            refunded_kopecks INTEGER NOT NULL DEFAULT 0,
            returned_in_full INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX receipts_external ON receipts(merchant_id, store_id, external_id);
        CREATE INDEX receipts_by_customer ON receipts(merchant_id, customer_id, created_at);
        CREATE TABLE receipt_lines (
            merchant_id INTEGER NOT NULL,
            receipt_id INTEGER NOT NULL,
            line INTEGER NOT NULL,
            sku TEXT NOT NULL,
            name TEXT NOT NULL,
            category TEXT,
            flags TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            price INTEGER NOT NULL,
            amount INTEGER NOT NULL,
            discount INTEGER NOT NULL,
            redeemed_kopecks INTEGER NOT NULL,
            redeemed_points INTEGER NOT NULL,
            payable INTEGER NOT NULL,
            earned_points INTEGER NOT NULL,
            returned_quantity INTEGER NOT NULL DEFAULT 0 CHECK (returned_quantity <= quantity),
            PRIMARY KEY (merchant_id, receipt_id, line)
        ) WITHOUT ROWID;
        CREATE TABLE returns (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            receipt_id INTEGER NOT NULL,
            lines TEXT NOT NULL,
            refund_kopecks INTEGER NOT NULL,
            reversed_points INTEGER NOT NULL,
            restored_points INTEGER NOT NULL,
            unrecovered_points INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX returns_by_receipt ON returns(merchant_id, receipt_id);
        CREATE TABLE holds (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            store_id INTEGER NOT NULL,
            register_id INTEGER,
            customer_id INTEGER NOT NULL,
            external_id TEXT NOT NULL,
            status TEXT NOT NULL,
            points INTEGER NOT NULL,
            request TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            receipt_id INTEGER,
            created_at INTEGER NOT NULL,
            closed_at INTEGER,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX holds_external ON holds(merchant_id, store_id, external_id);
        CREATE INDEX holds_open ON holds(merchant_id, expires_at) WHERE status = 'held';
        CREATE TABLE idempotency_keys (
            merchant_id INTEGER NOT NULL,
            key TEXT NOT NULL,
            request_hash BLOB NOT NULL,
            status INTEGER NOT NULL,
            body BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, key)
        ) WITHOUT ROWID;
        CREATE INDEX idempotency_by_age ON idempotency_keys(merchant_id, created_at);
        """

    /// Plans, customer groups, code batches and codes, and what promotions gave (for limits, budgets and reports).
    static let schema002 = """
        ALTER TABLE merchants ADD COLUMN plan TEXT NOT NULL DEFAULT 'monthly';
        -- The merchant's groups for the customer, comma-separated (`wholesale,staff`).
        ALTER TABLE customers ADD COLUMN groups TEXT NOT NULL DEFAULT '';
        CREATE TABLE code_batches (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            name TEXT NOT NULL,
            promotion_id TEXT,
            points INTEGER NOT NULL DEFAULT 0,
            valid_from INTEGER,
            valid_until INTEGER,
            -- NULL: a code may be used any number of times.
            uses_per_code INTEGER,
            uses_per_customer INTEGER,
            code_count INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        -- Codes are stored normalized: upper case, no separators.
        CREATE TABLE codes (
            merchant_id INTEGER NOT NULL,
            code TEXT NOT NULL,
            batch_id INTEGER NOT NULL,
            uses INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (merchant_id, code)
        ) WITHOUT ROWID;
        CREATE INDEX codes_by_batch ON codes(merchant_id, batch_id);
        CREATE TABLE code_uses (
            merchant_id INTEGER NOT NULL,
            receipt_id INTEGER NOT NULL,
            code TEXT NOT NULL,
            batch_id INTEGER NOT NULL,
            customer_id INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, receipt_id, code)
        ) WITHOUT ROWID;
        CREATE INDEX code_uses_by_customer ON code_uses(merchant_id, batch_id, customer_id);
        -- What each promotion gave on each receipt.
        CREATE TABLE receipt_promotions (
            merchant_id INTEGER NOT NULL,
            receipt_id INTEGER NOT NULL,
            promotion_id TEXT NOT NULL,
            discount INTEGER NOT NULL,
            earned_points INTEGER NOT NULL,
            value_kopecks INTEGER NOT NULL,
            code TEXT,
            PRIMARY KEY (merchant_id, receipt_id, promotion_id)
        ) WITHOUT ROWID;
        -- Running counts for promotion limits: bucket '' is all uses, 'c<id>' a customer's, 'd<day>' a local day's.
        CREATE TABLE promotion_counters (
            merchant_id INTEGER NOT NULL,
            promotion_id TEXT NOT NULL,
            bucket TEXT NOT NULL,
            uses INTEGER NOT NULL,
            value_kopecks INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, promotion_id, bucket)
        ) WITHOUT ROWID;
        """

    /// The hash-chained audit log of privileged changes, and erasure of a customer's personal data.
    static let schema003 = """
        -- The number of the merchant's last audit record: appending bumps it first, so two appends of one merchant
        -- always conflict on this row (PostgreSQL retries one) and the chain never forks.
        ALTER TABLE merchants ADD COLUMN audit_seq INTEGER NOT NULL DEFAULT 0;
        -- Each record's hash covers the previous record's hash and its own fields, so a changed, removed or
        -- reordered record breaks every hash after it (`kopilka verify`, invariant I10).
        CREATE TABLE audit_log (
            merchant_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            subject TEXT NOT NULL,
            before TEXT,
            after TEXT,
            hash BLOB NOT NULL,
            PRIMARY KEY (merchant_id, seq)
        ) WITHOUT ROWID;
        -- Set when the customer's personal data was erased; the ledger stays under the customer's id.
        ALTER TABLE customers ADD COLUMN erased_at INTEGER;
        """

    /// Spending confirmation codes, cashier-limit flags, the cashier on receipts, and running totals of code batches.
    static let schema004 = """
        -- One-time codes sent to a customer's phone to confirm spending; only a salted hash is kept.
        CREATE TABLE spend_codes (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            salt BLOB NOT NULL,
            hash BLOB NOT NULL,
            -- Every check of a code counts, the right one too; at the program's limit the code is void.
            attempts INTEGER NOT NULL DEFAULT 0,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX spend_codes_by_customer ON spend_codes(merchant_id, customer_id, created_at);
        -- Operations that broke a cashier limit the merchant chose to flag rather than block.
        CREATE TABLE fraud_flags (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            rule TEXT NOT NULL,
            customer_id INTEGER NOT NULL,
            register_id INTEGER,
            cashier TEXT,
            receipt_id INTEGER,
            detail TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        -- The till's cashier (their number or login), for the velocity rule.
        ALTER TABLE receipts ADD COLUMN cashier TEXT;
        -- Running totals, so the list of batches does not count every code of every batch.
        ALTER TABLE code_batches ADD COLUMN used_codes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE code_batches ADD COLUMN uses INTEGER NOT NULL DEFAULT 0;
        UPDATE code_batches SET
            used_codes = (SELECT COUNT(*) FROM codes c WHERE c.merchant_id = code_batches.merchant_id AND c.batch_id = code_batches.id AND c.uses > 0),
            uses = (SELECT COALESCE(SUM(c.uses), 0) FROM codes c WHERE c.merchant_id = code_batches.merchant_id AND c.batch_id = code_batches.id);
        """

    /// A level's qualifying spend and purchases are summed over the customer's receipts on every commit: from the index
    /// alone, without reading the receipt rows, whose explanations push the later columns onto overflow pages (the sum
    /// was 23 % of the writer's time, `kopilka bench` under perf).
    static let schema005 = """
        DROP INDEX receipts_by_customer;
        CREATE INDEX receipts_by_customer ON receipts(merchant_id, customer_id, created_at, payable, refunded_kopecks, returned_in_full);
        """

    /// The web console: staff who sign in, their sessions, and the analytics the dashboard reads — totals by day that
    /// maintenance folds in from receipts, returns, ledger entries and customers, so a dashboard never scans the ledger.
    static let schema006 = """
        -- Staff sign in by email across merchants (like keys by hash), so the email is unique on its own.
        CREATE TABLE staff (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            role TEXT NOT NULL,
            -- scrypt (N, r, p in `password_params`) of the password with its own salt; never the password.
            password_hash BLOB NOT NULL,
            password_salt BLOB NOT NULL,
            password_params TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            disabled_at INTEGER,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        -- A signed-in browser: the cookie holds the token, the table its hash. Staff sessions name the staff member,
        -- customer sessions (the cabinet) the customer.
        CREATE TABLE web_sessions (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            token_hash BLOB NOT NULL UNIQUE,
            staff_id INTEGER,
            customer_id INTEGER,
            csrf TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        -- One-time codes a customer signs in to their cabinet with: the code's salted hash, never the code.
        CREATE TABLE login_codes (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            salt BLOB NOT NULL,
            hash BLOB NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX login_codes_by_customer ON login_codes(merchant_id, customer_id, created_at);
        -- How far the analytics have been folded in: every row with an id below `rolled_below` is counted.
        CREATE TABLE analytics_state (
            merchant_id INTEGER NOT NULL PRIMARY KEY,
            rolled_below INTEGER NOT NULL,
            rolled_at INTEGER NOT NULL
        );
        -- Sales by day (the merchant's time zone), store and register (0: none); members' receipts apart.
        CREATE TABLE daily_sales (
            merchant_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            store_id INTEGER NOT NULL,
            register_id INTEGER NOT NULL,
            receipts INTEGER NOT NULL,
            sales INTEGER NOT NULL,
            member_receipts INTEGER NOT NULL,
            member_sales INTEGER NOT NULL,
            discount INTEGER NOT NULL,
            redeemed_kopecks INTEGER NOT NULL,
            returns INTEGER NOT NULL,
            refunds INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, day, store_id, register_id)
        ) WITHOUT ROWID;
        -- Points moved by day and ledger entry kind.
        CREATE TABLE daily_points (
            merchant_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL,
            entries INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, day, kind)
        ) WITHOUT ROWID;
        -- New members by day.
        CREATE TABLE daily_members (
            merchant_id INTEGER NOT NULL,
            day INTEGER NOT NULL,
            members INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, day)
        ) WITHOUT ROWID;
        -- Each buying member's first, second and last purchase and lifetime totals.
        CREATE TABLE customer_activity (
            merchant_id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            joined_month INTEGER NOT NULL,
            first_at INTEGER NOT NULL,
            second_at INTEGER,
            last_at INTEGER NOT NULL,
            receipts INTEGER NOT NULL,
            sales INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, customer_id)
        ) WITHOUT ROWID;
        CREATE INDEX customer_activity_by_last ON customer_activity(merchant_id, last_at);
        CREATE INDEX customer_activity_by_first ON customer_activity(merchant_id, first_at, second_at);
        CREATE INDEX customer_activity_by_sales ON customer_activity(merchant_id, sales);
        -- The months (as year * 12 + month - 1) in which a member bought, and members by month of joining and month of
        -- buying: cohort retention.
        CREATE TABLE customer_months (
            merchant_id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            month INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, customer_id, month)
        ) WITHOUT ROWID;
        CREATE TABLE cohorts (
            merchant_id INTEGER NOT NULL,
            joined_month INTEGER NOT NULL,
            month INTEGER NOT NULL,
            customers INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, joined_month, month)
        ) WITHOUT ROWID;
        """

    static let schema007 = """
        -- Stamps on each customer's stamp cards (`ProgramRules.stampCards`), kept by the card's id.
        CREATE TABLE stamp_balances (
            merchant_id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            stamps INTEGER NOT NULL,
            last_stamp_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, customer_id, card_id)
        ) WITHOUT ROWID;
        -- Every change of a stamp balance: `earn`, `reward` (negative), `expiry`, `reversal`; a balance is the sum of its
        -- entries. A held order's entries carry its hold until it is confirmed.
        CREATE TABLE stamp_entries (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            card_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            stamps INTEGER NOT NULL,
            receipt_id INTEGER,
            hold_id INTEGER,
            return_id INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX stamp_entries_by_customer ON stamp_entries(merchant_id, customer_id, card_id);
        CREATE INDEX stamp_entries_by_receipt ON stamp_entries(merchant_id, receipt_id);
        CREATE INDEX stamp_entries_by_hold ON stamp_entries(merchant_id, hold_id);
        """

    static let schema008 = """
        -- Who brought the customer (`ProgramRules.referral`), named when they joined.
        ALTER TABLE customers ADD COLUMN referrer_id INTEGER;
        CREATE INDEX customers_by_referrer ON customers(merchant_id, referrer_id);
        -- Referral rewards of a purchase: `friend` and `referrer` once (simple), `share` per level (multi-level). They
        -- wait `pending` until `due_at`, then are `paid` (as the ledger entry `entry_id`) or `cancelled` when the
        -- receipt was returned in full.
        CREATE TABLE referral_rewards (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            receipt_id INTEGER NOT NULL,
            buyer_id INTEGER NOT NULL,
            beneficiary_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            level INTEGER NOT NULL,
            points INTEGER NOT NULL,
            status TEXT NOT NULL,
            due_at INTEGER NOT NULL,
            entry_id INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX referral_rewards_due ON referral_rewards(merchant_id, status, due_at);
        CREATE INDEX referral_rewards_by_buyer ON referral_rewards(merchant_id, buyer_id, kind);
        CREATE INDEX referral_rewards_by_beneficiary ON referral_rewards(merchant_id, beneficiary_id, buyer_id);
        """

    static let schema009 = """
        -- The store whose receipts alone may spend a lot (`ProgramRules.balancePerStore`); NULL for any store.
        ALTER TABLE lots ADD COLUMN store_id INTEGER;
        """

    static let schema010 = """
        -- Texts sent before points burn (`ProgramRules.expiryReminderDays`). A reminder covers the lots burning from
        -- `first_expires_at` to `last_expires_at`; later runs remind only of lots burning after that.
        CREATE TABLE expiry_reminders (
            merchant_id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            last_expires_at INTEGER NOT NULL,
            first_expires_at INTEGER NOT NULL,
            points INTEGER NOT NULL,
            sent_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, customer_id, last_expires_at)
        ) WITHOUT ROWID;
        """

    static let schema011 = """
        -- Goes up by one with every write to a customer's points, stamps or receipts: a commit decided on a snapshot is
        -- written only while the customer is still at the version it read (`CommitReceipt`).
        ALTER TABLE customers ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
        """

    static let schema012 = """
        -- The language of the merchant's API answers (`ru` or `en`); a request's `Accept-Language` overrides it.
        ALTER TABLE merchants ADD COLUMN language TEXT NOT NULL DEFAULT 'ru';
        """

    static let schema013 = """
        -- Points the program's rules gave outside receipts (`ProgramRules.rules`). `ref` makes a grant once only: an
        -- action's id, a birthday's year, a level.
        CREATE TABLE rule_grants (
            merchant_id INTEGER NOT NULL,
            rule_id TEXT NOT NULL,
            customer_id INTEGER NOT NULL,
            ref TEXT NOT NULL,
            id INTEGER NOT NULL,
            points INTEGER NOT NULL,
            entry_id INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, rule_id, customer_id, ref)
        ) WITHOUT ROWID;
        -- Caps over everyone count a rule's grants by time.
        CREATE INDEX rule_grants_by_time ON rule_grants(merchant_id, rule_id, created_at);
        -- A customer's ledger names the rule of each `rule` entry.
        CREATE INDEX rule_grants_by_customer ON rule_grants(merchant_id, customer_id, entry_id);
        -- Grants of rules with a cap over everyone, counted: every such grant writes its rule's row, so two grants
        -- decided on the same count cannot both commit (PostgreSQL's snapshot writes; docs/decisions/0006).
        CREATE TABLE rule_counters (
            merchant_id INTEGER NOT NULL,
            rule_id TEXT NOT NULL,
            grants INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, rule_id)
        ) WITHOUT ROWID;
        -- Actions customers did, as reported (`POST /v1/customers/{id}/actions`): an action's `ref` (a review's id) is
        -- recorded, and rewarded, once.
        CREATE TABLE customer_actions (
            merchant_id INTEGER NOT NULL,
            action TEXT NOT NULL,
            ref TEXT NOT NULL,
            id INTEGER NOT NULL,
            customer_id INTEGER NOT NULL,
            attributes TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, action, ref)
        ) WITHOUT ROWID;
        CREATE INDEX customer_actions_by_customer ON customer_actions(merchant_id, customer_id, created_at);
        -- The local day maintenance last looked at the customer for birthday gifts; birthdays found by month and day.
        ALTER TABLE customers ADD COLUMN birthday_checked_day INTEGER;
        CREATE INDEX customers_by_birthday ON customers(merchant_id, substr(birthday, 6));
        -- When the level in `tier_reached` was reached, for levels kept for a time (`TierRules.keepReachedDays`).
        ALTER TABLE customers ADD COLUMN tier_reached_at INTEGER;
        """

    static let schema014 = """
        -- One-time codes that confirm a phone joining the program from the join page (the QR code at the counter):
        -- the code's salted hash, never the code.
        CREATE TABLE join_codes (
            merchant_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            phone TEXT NOT NULL,
            salt BLOB NOT NULL,
            hash BLOB NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX join_codes_by_phone ON join_codes(merchant_id, phone, created_at);
        """

    static let schema015 = """
        -- Manual adjustments over the last 24 hours, summed against the program's daily cap: only manual entries are in
        -- this index, so a receipt's entries do not pay for it.
        CREATE INDEX ledger_manual_by_time ON ledger_entries(merchant_id, created_at) WHERE kind IN ('manual_credit', 'manual_debit');
        """

    static let schema016 = """
        -- Categories and SKUs as the tills send them, learnt from receipts by the analytics fold, with the names the owner
        -- gives them: what settings forms offer, and what a rule naming a category no till sends is checked against.
        CREATE TABLE catalogue (
            merchant_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            code TEXT NOT NULL,
            till_name TEXT,
            category TEXT,
            name TEXT,
            lines INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            PRIMARY KEY (merchant_id, kind, code)
        ) WITHOUT ROWID;
        -- What the fold has passed already, learnt at once; the fold learns the rest as it goes.
        INSERT INTO catalogue (merchant_id, kind, code, till_name, category, lines, last_seen)
        SELECT l.merchant_id, 'category', l.category, NULL, NULL, COUNT(*), MAX(r.created_at)
        FROM receipt_lines l JOIN receipts r ON r.merchant_id = l.merchant_id AND r.id = l.receipt_id
        WHERE l.category IS NOT NULL AND l.category <> ''
          AND r.id < (SELECT a.rolled_below FROM analytics_state a WHERE a.merchant_id = l.merchant_id)
        GROUP BY l.merchant_id, l.category;
        INSERT INTO catalogue (merchant_id, kind, code, till_name, category, lines, last_seen)
        SELECT l.merchant_id, 'sku', l.sku, MAX(l.name), MAX(l.category), COUNT(*), MAX(r.created_at)
        FROM receipt_lines l JOIN receipts r ON r.merchant_id = l.merchant_id AND r.id = l.receipt_id
        WHERE r.id < (SELECT a.rolled_below FROM analytics_state a WHERE a.merchant_id = l.merchant_id)
        GROUP BY l.merchant_id, l.sku;
        """

    static let schema017 = """
        -- What an item costs, for the web cashier to offer: the price on the last receipt that had it (learnt by the fold),
        -- and the owner's, which wins.
        ALTER TABLE catalogue ADD COLUMN till_price INTEGER;
        ALTER TABLE catalogue ADD COLUMN price INTEGER;
        """

    static let schema018 = """
        -- The shop's logo, shown on the join page, the poster, the cabinet and the slip: small (256 KB at most), so kept
        -- in the database and moved with the merchant's export.
        CREATE TABLE merchant_logos (
            merchant_id INTEGER PRIMARY KEY,
            content_type TEXT NOT NULL,
            image BLOB NOT NULL,
            updated_at INTEGER NOT NULL
        );
        """
}
