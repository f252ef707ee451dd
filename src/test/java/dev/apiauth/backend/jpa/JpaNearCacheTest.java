package dev.apiauth.backend.jpa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiAuthConfigurationException;
import dev.apiauth.ApiKey;
import dev.apiauth.backend.BackendContract;
import dev.apiauth.backend.BackendException;
import dev.apiauth.backend.NearCacheSettings;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The near cache of the {@code jpa} backend (apiauth.cache.local=true): lookups answered from memory, every write
 * reaching every node's memory through the change table, also when transactions commit out of number order, and
 * nothing answered from memory once the feed has not been read for longer than the staleness bound. Nodes are
 * backends with persistence units of their own on one real database; polls are called by the tests and time is a
 * ticker they move, so every race here is forced, not waited for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JpaNearCacheTest {

    private static final Duration TTL = Duration.ofMinutes(5);
    private static final NearCacheSettings NEAR = NearCacheSettings.on(TTL, Duration.ofSeconds(5));
    private static final long BOUND = NEAR.maxStaleness().toNanos();

    private final List<String> databases = new ArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final AtomicLong ticker = new AtomicLong();
    private SwitchableDataSource ds;

    protected abstract DataSource createDatabase(String name);

    protected abstract void dropDatabase(String name);

    protected abstract String dialect();

    /** The statement that makes the change table number from 1 again (once it is empty). */
    protected abstract String restartNumbering();

    private DataSource newDatabase(String purpose) {
        String name = TestDatabases.uniqueName(dialect() + "_" + purpose);
        databases.add(name);
        return createDatabase(name);
    }

    @BeforeAll
    void start() {
        DataSource real = newDatabase("near");
        TestDatabases.apply(real, JpaSchema.script(dialect()));
        ds = new SwitchableDataSource(real);
    }

    @AfterEach
    void closeNodes() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        closing.clear();
        ds.down = false;
    }

    @AfterAll
    void stop() {
        databases.forEach(this::dropDatabase);
    }

    /** A node whose polls the test calls, on the test's ticker. */
    private JpaBackend node() {
        JpaBackend node = new JpaBackend(() -> ApiAuthPersistenceUnit.createEntityManagerFactory(ds, Map.of()), NEAR, ticker::get, false);
        closing.add(node);
        node.nearCache().poll();
        assertEquals(0, node.nearCache().polls(), "no poll before the backend built its unit (the poller never builds it)");
        node.start();
        node.nearCache().poll();
        return node;
    }

    private JpaBackend plainNode() {
        JpaBackend node = new JpaBackend(() -> ApiAuthPersistenceUnit.createEntityManagerFactory(ds, Map.of()));
        closing.add(node);
        return node;
    }

    @Test
    void aKnownKeyIsAnsweredFromMemoryWithoutAskingTheDatabase() throws Exception {
        JpaBackend node = node();
        ApiKey key = node.create(newRecord());
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow());
        sql("DELETE FROM apiauth_keys WHERE id = '" + key.id() + "'"); // behind the backend's back: no change row
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow(), "answered from the near cache");
        assertTrue(plainNode().getByHash(key.keyHash()).isEmpty(), "the database itself no longer has it");
    }

    @Test
    void aRevocationOnOneNodeIsSeenByAnotherAtItsNextPoll() {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        b.nearCache().poll();
        assertEquals(key, b.getByHash(key.keyHash()).orElseThrow());
        assertNotNull(b.nearCache().memory().get(key.keyHash()), "in B's memory");

        ApiKey revoked = a.update(key.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        assertEquals(revoked, a.getByHash(key.keyHash()).orElseThrow(), "the writer's own memory at once");
        assertFalse(b.getByHash(key.keyHash()).orElseThrow().isRevoked(), "B answers from memory until it polls");
        b.nearCache().poll();
        assertEquals(revoked, b.getByHash(key.keyHash()).orElseThrow(), "B's poll dropped the entry");
    }

    @Test
    void aDeleteOnOneNodeIsSeenByAnotherAtItsNextPoll() {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        b.nearCache().poll();
        assertEquals(key, b.getByHash(key.keyHash()).orElseThrow());
        a.delete(key.id());
        assertTrue(a.getByHash(key.keyHash()).isEmpty(), "the writer's own memory at once");
        b.nearCache().poll();
        assertTrue(b.getByHash(key.keyHash()).isEmpty(), "B's poll dropped the entry");
    }

    @Test
    void aKeyCreatedOnOneNodeIsNotRefusedAsUnknownByAnotherThatLookedForItBefore() {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey record = newRecord();
        assertTrue(b.getByHash(record.keyHash()).isEmpty());
        assertNotNull(b.nearCache().memory().get(record.keyHash()), "\"no such key\" in B's memory");
        a.create(record);
        b.nearCache().poll();
        assertEquals(record.keyHash(), b.getByHash(record.keyHash()).orElseThrow().keyHash());
    }

    /**
     * Numbers are taken at insert, rows become visible at commit: a revocation whose transaction took its number
     * before another write's and commits after B has read that other write must still reach B.
     */
    @Test
    void aRevocationCommittedAfterAHigherNumberWasReadStillReachesTheOtherNode() throws Exception {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey slow = a.create(newRecord());
        ApiKey other = a.create(newRecord());
        b.nearCache().poll();
        assertEquals(slow, b.getByHash(slow.keyHash()).orElseThrow());

        try (Connection tx = ds.getConnection()) {
            tx.setAutoCommit(false);
            revokeAndRecord(tx, slow); // takes its number now, commits later
            a.update(other.withExpiresAt(tomorrow())); // a higher number, committed first
            int gapsBefore = b.nearCache().gaps().size(); // numbers an earlier test rolled back may be gaps too
            b.nearCache().poll(); // reads the higher number; the lower one is not visible yet
            assertEquals(gapsBefore + 1, b.nearCache().gaps().size(), "the missing number is a gap");
            assertFalse(b.getByHash(slow.keyHash()).orElseThrow().isRevoked(), "not committed yet");
            tx.commit();
        }
        b.nearCache().poll();
        assertTrue(b.getByHash(slow.keyHash()).orElseThrow().isRevoked(), "the late commit's row was read at the next poll");
    }

    /** The same at start: a node that starts while a revocation's transaction is open sees it commit. */
    @Test
    void aRevocationCommittingWhileANodeStartsReachesIt() throws Exception {
        JpaBackend a = node();
        ApiKey slow = a.create(newRecord());
        ApiKey other = a.create(newRecord());
        try (Connection tx = ds.getConnection()) {
            tx.setAutoCommit(false);
            revokeAndRecord(tx, slow);
            a.update(other.withExpiresAt(tomorrow()));
            JpaBackend b = node(); // its first poll reads the newest numbers as if new
            assertFalse(b.getByHash(slow.keyHash()).orElseThrow().isRevoked());
            tx.commit();
            b.nearCache().poll();
            assertTrue(b.getByHash(slow.keyHash()).orElseThrow().isRevoked());
        }
    }

    /** A number that never commits (a rolled-back insert) is given up after the gap timeout, and stops costing reads. */
    @Test
    void aRolledBackNumberIsGivenUpAfterTheGapTimeout() throws Exception {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        int gapsBefore = b.nearCache().gaps().size();
        try (Connection tx = ds.getConnection()) {
            tx.setAutoCommit(false);
            revokeAndRecord(tx, key);
            a.update(a.create(newRecord()).withExpiresAt(tomorrow()));
            b.nearCache().poll();
            tx.rollback();
        }
        assertEquals(gapsBefore + 1, b.nearCache().gaps().size());
        ticker.addAndGet(JpaChangeFeed.GAP_NANOS);
        b.nearCache().poll();
        assertTrue(b.nearCache().gaps().isEmpty(), "given up: no longer read again from there");
        assertFalse(b.nearCache().givenUp().isEmpty(), "looked up by number instead");
        assertFalse(b.getByHash(key.keyHash()).orElseThrow().isRevoked());
        ticker.addAndGet(JpaChangeFeed.RETENTION_NANOS);
        b.nearCache().poll();
        assertTrue(b.nearCache().givenUp().isEmpty(), "forgotten after the retention");
    }

    /** A revocation whose commit comes minutes after its number was taken (a stalled writer) still arrives. */
    @Test
    void aCommitLaterThanTheGapTimeoutStillReachesTheOtherNode() throws Exception {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey slow = a.create(newRecord());
        b.nearCache().poll();
        assertEquals(slow, b.getByHash(slow.keyHash()).orElseThrow());
        try (Connection tx = ds.getConnection()) {
            tx.setAutoCommit(false);
            revokeAndRecord(tx, slow);
            a.update(a.create(newRecord()).withExpiresAt(tomorrow()));
            b.nearCache().poll();
            ticker.addAndGet(JpaChangeFeed.GAP_NANOS);
            b.nearCache().poll(); // the gap is given up
            ticker.addAndGet(TimeUnit.MINUTES.toNanos(5));
            b.nearCache().poll();
            assertFalse(b.getByHash(slow.keyHash()).orElseThrow().isRevoked(), "not committed yet");
            tx.commit();
        }
        b.nearCache().poll();
        assertTrue(b.getByHash(slow.keyHash()).orElseThrow().isRevoked(), "the late row was found by its number");
    }

    /** Numbers that start again from 1 (a restored database, a re-created table) do not blind the feed. */
    @Test
    void aChangeTableNumberingFromOneAgainIsFollowed() throws Exception {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        a.update(a.create(newRecord()).withExpiresAt(tomorrow())); // numbers above 1 read by B
        b.nearCache().poll();
        assertEquals(key, b.getByHash(key.keyHash()).orElseThrow());
        sql("DELETE FROM apiauth_key_changes");
        sql(restartNumbering());
        a.update(key.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))); // numbered 1 again
        b.nearCache().poll();
        assertTrue(b.getByHash(key.keyHash()).orElseThrow().isRevoked(), "B noticed the numbers went back and read them");
    }

    /** The same when the new numbering has caught up with where the node was before it polls again. */
    @Test
    void aRestartedNumberingThatCaughtUpIsFollowed() throws Exception {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        b.nearCache().poll();
        assertEquals(key, b.getByHash(key.keyHash()).orElseThrow());
        long before = count("SELECT MAX(seq) FROM apiauth_key_changes");
        sql("DELETE FROM apiauth_key_changes");
        sql(restartNumbering());
        a.update(key.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))); // numbered 1 again
        ApiKey filler = a.create(newRecord());
        for (int i = 0; count("SELECT MAX(seq) FROM apiauth_key_changes") <= before; i++) { // writes while B is away
            filler = a.update(filler.withExpiresAt(tomorrow().plusSeconds(i)));
        }
        b.nearCache().poll();
        assertTrue(b.getByHash(key.keyHash()).orElseThrow().isRevoked(), "B noticed its last row is not there any more");
    }

    /**
     * With the database unreachable a node answers from memory for at most the bound after the start of its last
     * completed poll, then never again until a poll completes: lookups go to the database and fail (503).
     */
    @Test
    void withTheFeedUnreadableNothingIsAnsweredFromMemoryPastTheBound() {
        JpaBackend node = node();
        ApiKey key = node.create(newRecord());
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow());
        ds.down = true;
        assertThrows(RuntimeException.class, () -> node.nearCache().poll());
        ticker.addAndGet(BOUND - 1);
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow(), "within the bound: from memory");
        ticker.addAndGet(1);
        assertThrows(BackendException.class, () -> node.getByHash(key.keyHash()), "past the bound: the database, which is down");
        assertNull(node.nearCache().memory().get(key.keyHash()));
        assertEquals(0, node.nearCache().memory().size(), "emptied: changes of the outage may be missed");

        ds.down = false;
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow(), "from the database, not cached while not live");
        assertNull(node.nearCache().memory().get(key.keyHash()));
        node.nearCache().poll();
        assertEquals(key, node.getByHash(key.keyHash()).orElseThrow());
        assertNotNull(node.nearCache().memory().get(key.keyHash()), "recovered without a restart");
    }

    /** Each completed poll opens the bound again, from its start. */
    @Test
    void theBoundCountsFromTheLastCompletedPoll() {
        JpaBackend node = node();
        ApiKey key = node.create(newRecord());
        node.nearCache().poll(); // the create's own row: read before the key is cached (it would drop the entry)
        node.getByHash(key.keyHash());
        ticker.addAndGet(BOUND / 2);
        node.nearCache().poll();
        ticker.addAndGet(BOUND - 1);
        assertNotNull(node.nearCache().memory().get(key.keyHash()));
        ticker.addAndGet(1);
        assertNull(node.nearCache().memory().get(key.keyHash()));
    }

    @Test
    void aLookupOverlappingAPolledChangeDoesNotCacheWhatItRead() {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        long before = b.nearCache().memory().generation();
        a.update(key.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        b.nearCache().poll(); // the change arrives while B's lookup (which read the old record) is in flight
        b.nearCache().memory().put(key.keyHash(), Optional.of(key), TTL, before);
        assertNull(b.nearCache().memory().get(key.keyHash()), "the older read was not cached");
    }

    @Test
    void rowsOlderThanTheRetentionAreDeleted() throws Exception {
        String hash = "old-" + UUID.randomUUID();
        LocalDateTime old = LocalDateTime.ofInstant(Instant.now().minus(JpaChangeFeed.RETENTION).minusSeconds(60), ZoneOffset.UTC);
        try (Connection c = ds.getConnection();
             PreparedStatement p = c.prepareStatement("INSERT INTO apiauth_key_changes (key_hash, changed_at) VALUES (?, ?)")) {
            p.setString(1, hash);
            p.setTimestamp(2, Timestamp.valueOf(old));
            p.executeUpdate();
        }
        ApiKey recent = plainNode().create(newRecord());
        node(); // its first poll prunes
        assertEquals(0, count("SELECT COUNT(*) FROM apiauth_key_changes WHERE key_hash = '" + hash + "'"), "older than an hour: deleted");
        assertEquals(1, count("SELECT COUNT(*) FROM apiauth_key_changes WHERE key_hash = '" + recent.keyHash() + "'"), "recent: kept");
    }

    @Test
    void everyWriteRecordsItsKeyExceptUsageOnlyUpdates() throws Exception {
        JpaBackend node = plainNode();
        ApiKey key = node.create(newRecord());
        ApiKey used = node.update(key.withLastUsedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        assertEquals(1, changesOf(key), "a usage write changes nothing a validation checks: not in the feed");
        ApiKey limited = node.update(used.withExpiresAt(tomorrow()));
        node.update(limited.withRevokedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        node.delete(key.id());
        assertEquals(4, changesOf(key), "create, expiry, revocation and delete, also without a near cache on the writer");
        assertThrows(RuntimeException.class, () -> node.update(limited.withExpiresAt(tomorrow().plusSeconds(1))));
        assertEquals(4, changesOf(key), "a failed write records nothing");
    }

    /** A usage write does not drop the key from other nodes' memory (they keep answering from it). */
    @Test
    void aUsageWriteLeavesOtherNodesMemoryAlone() {
        JpaBackend a = node();
        JpaBackend b = node();
        ApiKey key = a.create(newRecord());
        b.nearCache().poll();
        b.getByHash(key.keyHash());
        a.update(key.withLastUsedAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)));
        b.nearCache().poll();
        assertEquals(key, b.nearCache().memory().get(key.keyHash()).orElseThrow(), "still in B's memory");
    }

    private long changesOf(ApiKey key) throws SQLException {
        return count("SELECT COUNT(*) FROM apiauth_key_changes WHERE key_hash = '" + key.keyHash() + "'");
    }

    private static Instant tomorrow() {
        return Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);
    }

    /** A schema of an earlier release (no change table) with apiauth.jpa.schema=none: the near cache refuses to start. */
    @Test
    void schemaNoneWithoutTheChangeTableFailsWithTheScriptToApply() {
        DataSource old = newDatabase("old");
        String keysOnly = JpaSchema.script(dialect());
        keysOnly = keysOnly.substring(0, keysOnly.indexOf("-- The change feed"));
        TestDatabases.apply(old, keysOnly);
        Map<String, String> config = new HashMap<>(Map.of(JpaBackendProvider.SCHEMA, "none", "apiauth.cache.local", "true"));
        ApiAuthConfigurationException e = assertThrows(ApiAuthConfigurationException.class,
                () -> new JpaBackendProvider().create(k -> Optional.ofNullable(config.get(k)), jndi -> old));
        assertTrue(e.getMessage().contains("apiauth.cache.local=true on apiauth.backend=jpa needs the change table apiauth_key_changes"),
                e.getMessage());
        assertTrue(e.getMessage().contains("META-INF/apiauth/ddl/" + dialect() + ".sql"), e.getMessage());

        config.put("apiauth.cache.local", "false"); // without a near cache: starts, writes work, nothing recorded
        JpaBackend plain = new JpaBackendProvider().create(k -> Optional.ofNullable(config.get(k)), jndi -> old);
        closing.add(plain);
        ApiKey key = plain.create(newRecord());
        assertEquals(key, plain.getByHash(key.keyHash()).orElseThrow());

        TestDatabases.apply(old, JpaSchema.script(dialect())); // the upgrade: the same script again
        config.put("apiauth.cache.local", "true");
        JpaBackend near = new JpaBackendProvider().create(k -> Optional.ofNullable(config.get(k)), jndi -> old);
        closing.add(near);
        assertEquals(key, near.getByHash(key.keyHash()).orElseThrow());
    }

    private void revokeAndRecord(Connection tx, ApiKey key) throws SQLException {
        try (PreparedStatement p = tx.prepareStatement("UPDATE apiauth_keys SET revoked_at = ?, version = version + 1 WHERE id = ?")) {
            p.setTimestamp(1, Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC)));
            p.setString(2, key.id().toString());
            assertEquals(1, p.executeUpdate());
        }
        try (PreparedStatement p = tx.prepareStatement("INSERT INTO apiauth_key_changes (key_hash, changed_at) VALUES (?, ?)")) {
            p.setString(1, key.keyHash());
            p.setTimestamp(2, Timestamp.valueOf(LocalDateTime.now(ZoneOffset.UTC)));
            p.executeUpdate();
        }
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static ApiKey newRecord() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new ApiKey(UUID.randomUUID(), "near", "near-owner", BackendContract.randomHash(), "ak_Near", Set.of(), now, null, null,
                null, Map.of(), 0);
    }

    /** The database, or an outage of it: while {@code down}, no connection is handed out. */
    static final class SwitchableDataSource implements DataSource {
        private final DataSource real;
        volatile boolean down;

        SwitchableDataSource(DataSource real) {
            this.real = real;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (down) {
                throw new SQLException("the test stopped the database", "08001");
            }
            return real.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            if (down) {
                throw new SQLException("the test stopped the database", "08001");
            }
            return real.getConnection(user, password);
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return real.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            real.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            real.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return real.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return real.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            return real.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return real.isWrapperFor(iface);
        }
    }
}
