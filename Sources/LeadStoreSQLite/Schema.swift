import GRDB
import LeadStore

/// The database schema as named migrations. A migration that has landed on main is never edited:
/// later changes are new migrations appended here.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-config-plane", migrate: createConfigPlane)
        migrator.registerMigration("v2-dispatch", migrate: createDispatch)
        migrator.registerMigration("v3-audit-plane", migrate: createAuditPlane)
        migrator.registerMigration("v4-lean-write-path", migrate: leanWritePath)
        migrator.registerMigration("v5-restorable-versions", migrate: restorableVersions)
        migrator.registerMigration("v6-console-users", migrate: consoleUsers)
        migrator.registerMigration("v7-account-active", migrate: accountActive)
        migrator.registerMigration("v8-decisions-rederived", migrate: rederiveDecisions)
        migrator.registerMigration("v9-rotation-checkpoints", migrate: rotationCheckpoints)
        migrator.registerMigration("v10-audit-prev-hash-derived", migrate: auditPrevHashDerived)
        migrator.registerMigration("v11-rotations-from-checkpoints", migrate: rotationsFromCheckpoints)
        migrator.registerMigration("v12-audit-type-index-for-rare-types", migrate: auditTypeIndexForRareTypes)
        migrator.registerMigration("v13-agent-time", migrate: agentTime)
        return migrator
    }

    private static func createConfigPlane(_ db: Database) throws {
        // `position` columns keep the order in which a client listed entities; pool member order is
        // the rotation order.
        try db.create(table: "account") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("admin_api_key_sealed", .blob).notNull()
            t.column("admin_api_key_hint", .text).notNull()
            t.column("position", .integer).notNull()
        }
        try db.create(table: "agent") { t in
            t.primaryKey("id", .text)
            t.column("account_id", .text).notNull().indexed().references("account", onDelete: .restrict)
            t.column("name", .text).notNull()
            t.column("email", .text)
            t.column("weight", .integer).notNull()
            t.column("daily_cap", .integer)
            t.column("active", .boolean).notNull()
            t.column("api_key_sealed", .blob).notNull()
            t.column("api_key_hint", .text).notNull()
            t.column("position", .integer).notNull()
        }
        try db.create(table: "pool") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("sticky_days", .integer).notNull()
            t.column("position", .integer).notNull()
        }
        try db.create(table: "pool_member") { t in
            t.column("pool_id", .text).notNull().references("pool", onDelete: .cascade)
            t.column("agent_id", .text).notNull().indexed().references("agent", onDelete: .restrict)
            t.column("weight", .integer)
            t.column("position", .integer).notNull()
            t.primaryKey(["pool_id", "agent_id"])
        }
        try db.create(table: "rule") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("priority", .integer).notNull()
            t.column("enabled", .boolean).notNull()
            // Match, action and fallback are small JSON documents in the shape the API shows.
            t.column("match_json", .text).notNull()
            t.column("action_json", .text).notNull()
            t.column("fallback_json", .text)
            t.column("position", .integer).notNull()
        }
        try db.create(table: "vendor") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("api_key_hash", .blob).notNull().unique()
            t.column("api_key_hint", .text).notNull()
            t.column("rate_limit_per_minute", .integer)
            t.column("dedupe_window_minutes", .integer).notNull().defaults(to: 0)
            t.column("created_at", .text).notNull()
        }
        try db.create(table: "token") { t in
            t.primaryKey("id", .text)
            t.column("name", .text).notNull()
            t.column("role", .text).notNull().check { ["admin", "auditor"].contains($0) }
            t.column("token_hash", .blob).notNull().unique()
            t.column("created_at", .text).notNull()
            t.column("revoked_at", .text)
        }
        // Append-only. Each row's hash covers the previous row's hash and its own content.
        try db.create(table: "audit_event") { t in
            t.autoIncrementedPrimaryKey("seq")
            t.column("at", .text).notNull().indexed()
            t.column("type", .text).notNull().indexed()
            t.column("actor_kind", .text).notNull()
            t.column("actor_id", .text)
            t.column("actor_name", .text).notNull()
            t.column("entity_kind", .text).notNull()
            t.column("entity_id", .text)
            t.column("before_json", .text)
            t.column("after_json", .text)
            t.column("prev_hash", .text).notNull()
            t.column("hash", .text).notNull()
        }
    }

    /// Leads, their decisions and delivery: the dispatch path.
    private static func createDispatch(_ db: Database) throws {
        try db.alter(table: "account") { t in
            t.add(column: "crm_url", .text)
        }
        try db.create(table: "lead") { t in
            t.primaryKey("id", .text)
            t.column("received_at", .text).notNull()
            t.column("vendor_id", .text).notNull()
            // Lower-cased, for sticky routing and audit queries.
            t.column("email", .text)
            t.column("campaign_id", .text)
            t.column("tags_json", .text).notNull()
            // Every field as received, the vendor's key removed.
            t.column("fields_json", .text).notNull()
            t.column("status", .text).notNull()
                .check { ["queued", "retrying", "delivered", "dead", "unrouted", "duplicate"].contains($0) }
            t.column("rule_id", .text)
            t.column("target_kind", .text)
            t.column("target_agent_id", .text)
            t.column("target_account_id", .text)
            t.column("decision_json", .text).notNull()
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("updated_at", .text).notNull()
        }
        try db.create(index: "lead_on_email_received_at", on: "lead", columns: ["email", "received_at"])
        try db.create(index: "lead_on_agent_received_at", on: "lead", columns: ["target_agent_id", "received_at"])
        try db.create(index: "lead_on_status", on: "lead", columns: ["status"])
        // A lead waiting for delivery. `claimed_until` marks one being delivered; claims are released
        // at start-up, so a lead in flight when the process died is delivered again.
        try db.create(table: "outbox") { t in
            t.primaryKey("lead_id", .text).references("lead", onDelete: .cascade)
            t.column("due_at", .text).notNull().indexed()
            // Attempts and `{"success": false}` answers since the lead was (re)queued.
            t.column("attempts", .integer).notNull().defaults(to: 0)
            t.column("rejections", .integer).notNull().defaults(to: 0)
            t.column("claimed_until", .text)
        }
        try db.create(table: "delivery_attempt") { t in
            t.autoIncrementedPrimaryKey("id")
            t.column("lead_id", .text).notNull().indexed().references("lead", onDelete: .cascade)
            t.column("at", .text).notNull()
            t.column("http_status", .integer)
            t.column("crm_success", .boolean)
            t.column("error", .text)
            t.column("duration_ms", .integer).notNull()
            t.column("response_body", .text)
        }
        try db.create(table: "pool_rotation") { t in
            t.column("pool_id", .text).notNull()
            t.column("agent_id", .text).notNull()
            t.column("current", .integer).notNull()
            t.primaryKey(["pool_id", "agent_id"])
        }
        try db.create(table: "agent_daily_count") { t in
            t.column("agent_id", .text).notNull()
            t.column("day", .text).notNull()
            t.column("count", .integer).notNull()
            t.primaryKey(["agent_id", "day"])
        }
    }

    /// Policy versions, the state each decision was made in, and an index for every audit filter.
    private static func createAuditPlane(_ db: Database) throws {
        try db.create(table: "policy_version") { t in
            t.primaryKey("version", .integer)
            t.column("created_at", .text).notNull()
            t.column("actor_kind", .text).notNull()
            t.column("actor_id", .text)
            t.column("actor_name", .text).notNull()
            // The policy as the admin API shows it: secrets masked.
            t.column("policy_json", .text).notNull()
        }
        try db.alter(table: "lead") { t in
            t.add(column: "policy_version", .integer)
            // The routing state the decision read (rotations, counts, earlier assignments), so that it
            // can be re-derived.
            t.add(column: "state_json", .text)
            // When retention erased the lead's contact fields.
            t.add(column: "erased_at", .text)
            // For a `duplicate`: the lead it repeats (same vendor, email and campaign inside the window).
            t.add(column: "duplicate_of", .text)
        }
        // `Idempotency-Key`s seen in the last 24 hours, per vendor, with a fingerprint of the body.
        try db.create(table: "idempotency_key") { t in
            t.column("vendor_id", .text).notNull()
            t.column("key", .text).notNull()
            t.column("fingerprint", .text).notNull()
            t.column("lead_id", .text).notNull()
            t.column("created_at", .text).notNull().indexed()
            t.primaryKey(["vendor_id", "key"])
        }
        try db.drop(index: "lead_on_status")
        for column in ["status", "vendor_id", "campaign_id", "rule_id", "target_account_id"] {
            try db.create(index: "lead_on_\(column)_received_at", on: "lead", columns: [column, "received_at"])
        }
        try db.create(index: "lead_on_received_at", on: "lead", columns: ["received_at", "id"])
    }

    /// Fewer pages written per commit. Every batch rewrote each B-tree it touched: a WAL of one ingest
    /// run held 77 pages per commit, most of them the same hot pages again.
    /// - `outbox`, `pool_rotation` and `agent_daily_count` keep their rows in their primary key
    ///   (`WITHOUT ROWID`): one B-tree each instead of a table and its key's index.
    /// - The status index holds only the statuses someone looks for among many delivered leads
    ///   (retrying, dead, unrouted, duplicate): a lead that is queued and delivered, the common life,
    ///   no longer enters it and moves in it. Filtering on `queued` or `delivered` reads the
    ///   received-at index, where such leads are most of what it finds.
    private static func leanWritePath(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE outbox_v4 (
                lead_id TEXT NOT NULL PRIMARY KEY REFERENCES lead(id) ON DELETE CASCADE,
                due_at TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                rejections INTEGER NOT NULL DEFAULT 0,
                claimed_until TEXT
            ) WITHOUT ROWID;
            INSERT INTO outbox_v4 (lead_id, due_at, attempts, rejections, claimed_until)
                SELECT lead_id, due_at, attempts, rejections, claimed_until FROM outbox;
            DROP TABLE outbox;
            ALTER TABLE outbox_v4 RENAME TO outbox;
            CREATE INDEX outbox_on_due_at ON outbox(due_at);

            CREATE TABLE pool_rotation_v4 (
                pool_id TEXT NOT NULL,
                agent_id TEXT NOT NULL,
                current INTEGER NOT NULL,
                PRIMARY KEY (pool_id, agent_id)
            ) WITHOUT ROWID;
            INSERT INTO pool_rotation_v4 (pool_id, agent_id, current) SELECT pool_id, agent_id, current FROM pool_rotation;
            DROP TABLE pool_rotation;
            ALTER TABLE pool_rotation_v4 RENAME TO pool_rotation;

            CREATE TABLE agent_daily_count_v4 (
                agent_id TEXT NOT NULL,
                day TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (agent_id, day)
            ) WITHOUT ROWID;
            INSERT INTO agent_daily_count_v4 (agent_id, day, count) SELECT agent_id, day, count FROM agent_daily_count;
            DROP TABLE agent_daily_count;
            ALTER TABLE agent_daily_count_v4 RENAME TO agent_daily_count;

            DROP INDEX lead_on_status_received_at;
            CREATE INDEX lead_on_rare_status_received_at ON lead(status, received_at)
                WHERE status = 'retrying' OR status = 'dead' OR status = 'unrouted' OR status = 'duplicate';
            """)
    }

    /// Keys that can be put back, a way to tell a wrong master key at start, and failures in words.
    /// - `policy_version_secret`: the sealed CRM keys of every account and agent as each version had
    ///   them, so that restoring a version brings its keys back without a client sending them again.
    ///   The newest version is filled from the keys in force (they are its keys); older versions made
    ///   before this migration have none, and a restore of one keeps the keys stored now for the same ids.
    /// - `delivery_attempt.detail`: what failed, in words, for an attempt without an answer (the
    ///   connection error and the host tried), so a failure can be diagnosed without the log.
    /// - `storage_probe`: one row that a service refusing writes for lack of space rewrites to learn
    ///   when space has returned.
    /// - `master_key_check`: a value sealed under the master key, written at the first start with
    ///   this migration; a key that does not open it opens no stored secret either.
    private static func restorableVersions(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE policy_version_secret (
                version INTEGER NOT NULL REFERENCES policy_version(version) ON DELETE CASCADE,
                owner_kind TEXT NOT NULL,
                owner_id TEXT NOT NULL,
                sealed BLOB NOT NULL,
                hint TEXT NOT NULL,
                PRIMARY KEY (version, owner_kind, owner_id)
            ) WITHOUT ROWID;
            INSERT INTO policy_version_secret (version, owner_kind, owner_id, sealed, hint)
                SELECT v.version, 'account', a.id, a.admin_api_key_sealed, a.admin_api_key_hint
                FROM account a, (SELECT MAX(version) AS version FROM policy_version) v WHERE v.version IS NOT NULL;
            INSERT INTO policy_version_secret (version, owner_kind, owner_id, sealed, hint)
                SELECT v.version, 'agent', a.id, a.api_key_sealed, a.api_key_hint
                FROM agent a, (SELECT MAX(version) AS version FROM policy_version) v WHERE v.version IS NOT NULL;
            ALTER TABLE delivery_attempt ADD COLUMN detail TEXT;
            CREATE TABLE storage_probe (
                id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                at TEXT NOT NULL
            );
            CREATE TABLE master_key_check (
                id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
                sealed BLOB NOT NULL
            );
            """)
    }

    /// People who sign in to the console: an email (unique without case), a role, and a bcrypt hash of
    /// the password. Disabled, never deleted, so that the audit events naming them keep their meaning.
    /// Their sessions, by the SHA-256 of the session cookie (never the cookie itself), so that they
    /// survive a restart. And an index of the audit events about one entity — every kind but leads,
    /// whose events are written with each lead (an index there would slow ingest for a rare question).
    private static func consoleUsers(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE console_user (
                id TEXT NOT NULL PRIMARY KEY,
                email TEXT NOT NULL UNIQUE COLLATE NOCASE,
                name TEXT NOT NULL,
                role TEXT NOT NULL CHECK (role IN ('admin', 'auditor')),
                password_hash TEXT NOT NULL,
                disabled INTEGER NOT NULL DEFAULT 0,
                created_at TEXT NOT NULL
            );
            CREATE INDEX audit_event_on_entity ON audit_event(entity_kind, entity_id, seq) WHERE entity_kind <> 'lead';
            CREATE TABLE console_session (
                key_hash TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL,
                expires_at TEXT NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX console_session_on_expires_at ON console_session(expires_at);
            """)
    }

    /// Accounts can be deactivated (`Account.active`); every existing account stays active.
    private static func accountActive(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE account ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))")
    }

    /// Leads stored with their decision written out take the form that decides it again when read,
    /// each one checked (see `DecisionReplay.convertStoredDecisions`).
    private static func rederiveDecisions(_ db: Database) throws {
        try DecisionReplay.convertStoredDecisions(in: db)
    }

    /// A lead keeps its pool's rotation as a place in it (`rotation_pool`, `rotation_seq`: the pool's
    /// n-th pick) rather than every member's position; `rotation_checkpoint` keeps a pool's positions
    /// every so many picks, from which any lead's rotation is replayed (`RotationReplay`), and
    /// `pool_sequence` each pool's count of picks. Existing pools start at pick 0, checkpointed with
    /// their positions now.
    private static func rotationCheckpoints(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE pool_sequence (
                pool_id TEXT NOT NULL PRIMARY KEY,
                seq INTEGER NOT NULL,
                checkpointed INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE rotation_checkpoint (
                pool_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                positions_json TEXT NOT NULL,
                PRIMARY KEY (pool_id, seq)
            ) WITHOUT ROWID;
            ALTER TABLE lead ADD COLUMN rotation_pool TEXT;
            ALTER TABLE lead ADD COLUMN rotation_seq INTEGER;
            CREATE INDEX lead_on_rotation ON lead(rotation_pool, rotation_seq) WHERE rotation_seq IS NOT NULL;
            INSERT INTO pool_sequence (pool_id, seq, checkpointed) SELECT DISTINCT pool_id, 0, 0 FROM pool_rotation;
            INSERT INTO rotation_checkpoint (pool_id, seq, positions_json)
                SELECT pool_id, 0, json_group_object(agent_id, current) FROM pool_rotation GROUP BY pool_id;
            """)
    }

    /// An event's `prev_hash` is the hash of the row before it; it is read beside each event rather than
    /// stored in every row (`AuditLog.previousHashColumn`). Every hash already recorded stays as it was
    /// and still verifies: it was computed over the same previous hash.
    private static func auditPrevHashDerived(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE audit_event DROP COLUMN prev_hash")
    }

    /// A pool's rotation is no longer written back after every batch: it is kept in memory between
    /// batches and replayed from its checkpoints (which `v9` started from these rows) after a restart.
    private static func rotationsFromCheckpoints(_ db: Database) throws {
        try db.execute(sql: """
            INSERT OR IGNORE INTO pool_sequence (pool_id, seq, checkpointed) SELECT DISTINCT pool_id, 0, 0 FROM pool_rotation;
            INSERT OR IGNORE INTO rotation_checkpoint (pool_id, seq, positions_json)
                SELECT pool_id, 0, json_group_object(agent_id, current) FROM pool_rotation GROUP BY pool_id;
            DROP TABLE pool_rotation;
            """)
    }

    /// The four events every lead has are left out of the index on `type`: a filter on one of them
    /// finds a page of them by reading the log newest first (or by `at`, with a time range), and the
    /// index kept ≈ 100 bytes a lead for them. The condition is `AuditLog.rareTypesCondition`, word
    /// for word, so that SQLite sees a query for any other type may use the index.
    private static func auditTypeIndexForRareTypes(_ db: Database) throws {
        try db.execute(sql: """
            DROP INDEX audit_event_on_type;
            CREATE INDEX audit_event_on_rare_type ON audit_event(type)
                WHERE type NOT IN ('lead.received', 'lead.routed', 'lead.attempted', 'lead.delivered');
            """)
    }

    /// An agent's working hours (`schedule`, as its JSON) and time away (`away_until`, RFC 3339).
    private static func agentTime(_ db: Database) throws {
        try db.alter(table: "agent") { t in
            t.add(column: "schedule_json", .text)
            t.add(column: "away_until", .text)
        }
    }
}
