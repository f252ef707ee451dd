-- jakarta-api-auth: API key table for PostgreSQL. Idempotent; usable as a Flyway/Liquibase migration.
-- Timestamps are UTC wall-clock time; scopes are space-separated, metadata is form-encoded (k=v&k2=v2).
CREATE TABLE IF NOT EXISTS apiauth_keys (
    id           VARCHAR(36)  NOT NULL PRIMARY KEY,
    name         VARCHAR(256) NOT NULL,
    owner_id     VARCHAR(256) NOT NULL,
    key_hash     VARCHAR(64)  NOT NULL,
    hint         VARCHAR(32)  NOT NULL,
    scopes       TEXT         NOT NULL,
    created_at   TIMESTAMP(3) NOT NULL,
    expires_at   TIMESTAMP(3),
    last_used_at TIMESTAMP(3),
    revoked_at   TIMESTAMP(3),
    metadata     TEXT         NOT NULL,
    rate_limit_requests INTEGER,
    rate_limit_seconds  BIGINT,
    version      BIGINT       NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS apiauth_keys_key_hash ON apiauth_keys (key_hash);
CREATE INDEX IF NOT EXISTS apiauth_keys_owner ON apiauth_keys (owner_id, created_at);
-- Tables created before rate limits existed (1.x): META-INF/apiauth/ddl/upgrade-rate-limits.sql adds their two columns.
