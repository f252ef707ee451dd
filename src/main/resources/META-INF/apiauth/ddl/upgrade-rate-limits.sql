-- jakarta-api-auth: adds the rate-limit columns to an apiauth_keys table created before they existed.
-- Same on PostgreSQL, MariaDB, MySQL and H2. Apply once (a Flyway/Liquibase migration); with
-- apiauth.jpa.schema=create the library adds missing columns itself.
ALTER TABLE apiauth_keys ADD COLUMN rate_limit_requests INTEGER;
ALTER TABLE apiauth_keys ADD COLUMN rate_limit_seconds BIGINT;
