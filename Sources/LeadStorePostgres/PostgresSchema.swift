/// The PostgreSQL schema as named migrations, applied in order (`PostgresMigrator`). A migration that
/// has landed on main is never edited: later changes are new migrations appended here, named as their
/// SQLite counterparts (`v14-…`) so that both databases list the same history from there on.
///
/// The first migration is the schema SQLite has after its `v13`, written for PostgreSQL at once
/// rather than replayed step by step. What differs, and why:
/// - Times stay RFC 3339 text (`Timestamp`), as in SQLite: every audit event's hash covers its time as
///   text, and one format read by one piece of code on both databases keeps every hash and every
///   cursor the same. The format is fixed-width UTC, so text order is time order.
/// - JSON documents stay text for the same reason.
/// - A lead's decision is stored written out (`decision_json`) with the full state it read, and each
///   pool's rotation as one row (`pool_rotation`), rather than SQLite's lean form (decisions decided
///   again when read, rotations replayed from checkpoints): that form saves bytes on one machine's
///   disk, at the price of a replay whose inputs one writer keeps in order; here several instances
///   write, and a row per pool is what they lock and advance in turn.
/// - `audit_chain_head` holds the newest event's position and hash: every transaction that appends
///   to the log locks this one row last, takes the next position from it and moves it, so instances
///   append one after another in commit order, without gaps (a sequence object would leave gaps on
///   rollback and could hand out positions out of commit order).
/// - `policy_generation` is moved by every change to the policy, so that every instance can tell
///   whether the policy it keeps in memory is still the one in force.
/// - `outbox.claimed_by` names the instance holding a claim, so that only its owner records an outcome
///   and a claim is taken over only once its lease has ended.
enum PostgresSchema {
    struct Migration: Sendable {
        let name: String
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(name: "v13-schema", statements: schema),
    ]

    private static let schema = [
        """
        CREATE TABLE account (
            id text PRIMARY KEY,
            name text NOT NULL,
            admin_api_key_sealed bytea NOT NULL,
            admin_api_key_hint text NOT NULL,
            position integer NOT NULL,
            crm_url text,
            active boolean NOT NULL DEFAULT true
        )
        """,
        """
        CREATE TABLE agent (
            id text PRIMARY KEY,
            account_id text NOT NULL REFERENCES account(id) ON DELETE RESTRICT,
            name text NOT NULL,
            email text,
            weight integer NOT NULL,
            daily_cap integer,
            active boolean NOT NULL,
            api_key_sealed bytea NOT NULL,
            api_key_hint text NOT NULL,
            position integer NOT NULL,
            schedule_json text,
            away_until text
        )
        """,
        "CREATE INDEX agent_on_account_id ON agent (account_id)",
        """
        CREATE TABLE pool (
            id text PRIMARY KEY,
            name text NOT NULL,
            sticky_days integer NOT NULL,
            position integer NOT NULL
        )
        """,
        """
        CREATE TABLE pool_member (
            pool_id text NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
            agent_id text NOT NULL REFERENCES agent(id) ON DELETE RESTRICT,
            weight integer,
            position integer NOT NULL,
            PRIMARY KEY (pool_id, agent_id)
        )
        """,
        "CREATE INDEX pool_member_on_agent_id ON pool_member (agent_id)",
        """
        CREATE TABLE rule (
            id text PRIMARY KEY,
            name text NOT NULL,
            priority integer NOT NULL,
            enabled boolean NOT NULL,
            match_json text NOT NULL,
            action_json text NOT NULL,
            fallback_json text,
            position integer NOT NULL
        )
        """,
        """
        CREATE TABLE vendor (
            id text PRIMARY KEY,
            name text NOT NULL,
            api_key_hash bytea NOT NULL UNIQUE,
            api_key_hint text NOT NULL,
            rate_limit_per_minute integer,
            dedupe_window_minutes integer NOT NULL DEFAULT 0,
            created_at text NOT NULL
        )
        """,
        """
        CREATE TABLE token (
            id text PRIMARY KEY,
            name text NOT NULL,
            role text NOT NULL CHECK (role IN ('admin', 'auditor')),
            token_hash bytea NOT NULL UNIQUE,
            created_at text NOT NULL,
            revoked_at text
        )
        """,
        """
        CREATE TABLE audit_event (
            seq bigint PRIMARY KEY,
            at text NOT NULL,
            type text NOT NULL,
            actor_kind text NOT NULL,
            actor_id text,
            actor_name text NOT NULL,
            entity_kind text NOT NULL,
            entity_id text,
            before_json text,
            after_json text,
            hash text NOT NULL
        )
        """,
        "CREATE INDEX audit_event_on_at ON audit_event (at, seq)",
        """
        CREATE INDEX audit_event_on_rare_type ON audit_event (type)
            WHERE type NOT IN ('lead.received', 'lead.routed', 'lead.attempted', 'lead.delivered')
        """,
        "CREATE INDEX audit_event_on_entity ON audit_event (entity_kind, entity_id, seq) WHERE entity_kind <> 'lead'",
        """
        CREATE TABLE audit_chain_head (
            id integer PRIMARY KEY CHECK (id = 1),
            seq bigint NOT NULL,
            hash text NOT NULL
        )
        """,
        "INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '\(String(repeating: "0", count: 64))')",
        """
        CREATE TABLE lead (
            id text PRIMARY KEY,
            received_at text NOT NULL,
            vendor_id text NOT NULL,
            email text,
            campaign_id text,
            tags_json text NOT NULL,
            fields_json text NOT NULL,
            status text NOT NULL CHECK (status IN ('queued', 'retrying', 'delivered', 'dead', 'unrouted', 'duplicate')),
            rule_id text,
            target_kind text,
            target_agent_id text,
            target_account_id text,
            decision_json text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            updated_at text NOT NULL,
            policy_version integer,
            state_json text,
            erased_at text,
            duplicate_of text
        )
        """,
        "CREATE INDEX lead_on_email_received_at ON lead (email, received_at)",
        "CREATE INDEX lead_on_agent_received_at ON lead (target_agent_id, received_at)",
        "CREATE INDEX lead_on_vendor_id_received_at ON lead (vendor_id, received_at)",
        "CREATE INDEX lead_on_campaign_id_received_at ON lead (campaign_id, received_at)",
        "CREATE INDEX lead_on_rule_id_received_at ON lead (rule_id, received_at)",
        "CREATE INDEX lead_on_target_account_id_received_at ON lead (target_account_id, received_at)",
        "CREATE INDEX lead_on_received_at ON lead (received_at, id)",
        """
        CREATE INDEX lead_on_rare_status_received_at ON lead (status, received_at)
            WHERE status IN ('retrying', 'dead', 'unrouted', 'duplicate')
        """,
        """
        CREATE TABLE outbox (
            lead_id text PRIMARY KEY REFERENCES lead(id) ON DELETE CASCADE,
            due_at text NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            rejections integer NOT NULL DEFAULT 0,
            claimed_until text,
            claimed_by text
        )
        """,
        "CREATE INDEX outbox_on_due_at ON outbox (due_at)",
        """
        CREATE TABLE delivery_attempt (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            lead_id text NOT NULL REFERENCES lead(id) ON DELETE CASCADE,
            at text NOT NULL,
            http_status integer,
            crm_success boolean,
            error text,
            duration_ms integer NOT NULL,
            response_body text,
            detail text
        )
        """,
        "CREATE INDEX delivery_attempt_on_lead_id ON delivery_attempt (lead_id)",
        """
        CREATE TABLE agent_daily_count (
            agent_id text NOT NULL,
            day text NOT NULL,
            count integer NOT NULL,
            PRIMARY KEY (agent_id, day)
        )
        """,
        """
        CREATE TABLE policy_version (
            version integer PRIMARY KEY,
            created_at text NOT NULL,
            actor_kind text NOT NULL,
            actor_id text,
            actor_name text NOT NULL,
            policy_json text NOT NULL
        )
        """,
        // Moved by every change to the policy tables, even one that records no version (a reordering):
        // what an instance compares its cached policy with.
        "CREATE TABLE policy_generation (id integer PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL)",
        "INSERT INTO policy_generation (id, generation) VALUES (1, 0)",
        """
        CREATE TABLE policy_version_secret (
            version integer NOT NULL REFERENCES policy_version(version) ON DELETE CASCADE,
            owner_kind text NOT NULL,
            owner_id text NOT NULL,
            sealed bytea NOT NULL,
            hint text NOT NULL,
            PRIMARY KEY (version, owner_kind, owner_id)
        )
        """,
        """
        CREATE TABLE idempotency_key (
            vendor_id text NOT NULL,
            key text NOT NULL,
            fingerprint text NOT NULL,
            lead_id text NOT NULL,
            created_at text NOT NULL,
            PRIMARY KEY (vendor_id, key)
        )
        """,
        "CREATE INDEX idempotency_key_on_created_at ON idempotency_key (created_at)",
        """
        CREATE TABLE storage_probe (
            id integer PRIMARY KEY CHECK (id = 1),
            at text NOT NULL
        )
        """,
        """
        CREATE TABLE master_key_check (
            id integer PRIMARY KEY CHECK (id = 1),
            sealed bytea NOT NULL
        )
        """,
        """
        CREATE TABLE console_user (
            id text PRIMARY KEY,
            email text NOT NULL,
            name text NOT NULL,
            role text NOT NULL CHECK (role IN ('admin', 'auditor')),
            password_hash text NOT NULL,
            disabled boolean NOT NULL DEFAULT false,
            created_at text NOT NULL
        )
        """,
        "CREATE UNIQUE INDEX console_user_on_email ON console_user (lower(email))",
        """
        CREATE TABLE console_session (
            key_hash text PRIMARY KEY,
            value text NOT NULL,
            expires_at text NOT NULL
        )
        """,
        "CREATE INDEX console_session_on_expires_at ON console_session (expires_at)",
        // Each pool's rotation: its members' current weights, written by every batch that advanced it.
        """
        CREATE TABLE pool_rotation (
            pool_id text PRIMARY KEY,
            positions_json text NOT NULL
        )
        """,
    ]
}
