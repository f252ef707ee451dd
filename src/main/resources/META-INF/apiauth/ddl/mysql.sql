-- jakarta-api-auth: API key table for MariaDB and MySQL (InnoDB, utf8mb4). Idempotent; usable as a
-- Flyway/Liquibase migration. Timestamps are UTC wall-clock time; scopes are space-separated, metadata is
-- form-encoded (k=v&k2=v2). Indexes are declared inline because MySQL has no CREATE INDEX IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS apiauth_keys (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    name         VARCHAR(256) NOT NULL,
    owner_id     VARCHAR(256) NOT NULL,
    key_hash     VARCHAR(64)  NOT NULL,
    hint         VARCHAR(32)  NOT NULL,
    scopes       MEDIUMTEXT   NOT NULL,
    created_at   DATETIME(3)  NOT NULL,
    expires_at   DATETIME(3),
    last_used_at DATETIME(3),
    revoked_at   DATETIME(3),
    metadata     MEDIUMTEXT   NOT NULL,
    rate_limit_requests INTEGER,
    rate_limit_seconds  BIGINT,
    version      BIGINT       NOT NULL,
    UNIQUE KEY apiauth_keys_key_hash (key_hash),
    KEY apiauth_keys_owner (owner_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The change feed: every write through apiauth.backend=jpa adds the key's hash here in the same transaction, and
-- nodes with apiauth.cache.local=true poll it to drop what changed from their memory. Rows older than an hour are
-- deleted by the nodes. A database set up by an earlier release gets it by applying this script again.
CREATE TABLE IF NOT EXISTS apiauth_key_changes (
    seq          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    key_hash     VARCHAR(64)  NOT NULL,
    changed_at   DATETIME(3)  NOT NULL,
    KEY apiauth_key_changes_changed_at (changed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- Tables created before rate limits existed (1.x): META-INF/apiauth/ddl/upgrade-rate-limits.sql adds their two columns.
