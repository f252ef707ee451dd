package dev.apiauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.audit.KeyEvent;
import dev.apiauth.backend.ForwardingBackend;
import dev.apiauth.backend.UnconfirmedWriteException;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The service over a store whose writes take effect but are not confirmed on a replica (a Redis master whose replica
 * is away): the call fails, its retry answers only once the store confirms, and the audit trail records each change
 * once, when it took effect.
 */
class UnconfirmedChangesTest {

    /** Applies every write; the next {@code unconfirmedWrites} restrictive writes and {@code unconfirmedChecks} confirmations fail. */
    static final class ReplicaAway extends ForwardingBackend {
        int unconfirmedWrites;
        int unconfirmedChecks;
        int checks;

        ReplicaAway() {
            super(new MemoryBackend());
        }

        @Override
        public ApiKey update(ApiKey key) {
            ApiKey before = delegate.getById(key.id()).orElseThrow();
            ApiKey stored = delegate.update(key);
            boolean restrictive = stored.isRevoked() && !before.isRevoked()
                    || stored.expiresAt() != null && (before.expiresAt() == null || stored.expiresAt().isBefore(before.expiresAt()));
            if (restrictive && unconfirmedWrites > 0) {
                unconfirmedWrites--;
                throw new UnconfirmedWriteException("not on a replica", true);
            }
            return stored;
        }

        @Override
        public void confirmDurable(ApiKey seen) {
            checks++;
            if (unconfirmedChecks > 0) {
                unconfirmedChecks--;
                throw new UnconfirmedWriteException("not on a replica", true);
            }
        }
    }

    private final ReplicaAway store = new ReplicaAway();
    private final List<KeyEvent> events = new CopyOnWriteArrayList<>();
    private final ApiKeyService service = ApiKeyService.builder(store).usageTracking(false, null).audit(events::add).build();

    private long count(KeyEvent.Type type) {
        return events.stream().filter(e -> e.type() == type).count();
    }

    @Test
    void anUnconfirmedRevocationIsInEffectAuditedOnceAndItsRetryAnswersOnlyWhenConfirmed() {
        UUID id = service.create(KeyRequest.of("k", "owner")).record().id();
        store.unconfirmedWrites = 1;
        store.unconfirmedChecks = 1;
        assertThrows(UnconfirmedWriteException.class, () -> service.revoke(id));
        assertTrue(service.get(id).orElseThrow().isRevoked(), "in effect meanwhile");
        assertEquals(1, count(KeyEvent.Type.REVOKED), "audited when it took effect");
        assertThrows(UnconfirmedWriteException.class, () -> service.revoke(id), "the retry cannot confirm yet: no 204");
        assertTrue(service.revoke(id).isRevoked(), "confirmed now");
        assertEquals(2, store.checks, "each retry asked the store to confirm (the first call was refused by the write itself)");
        assertEquals(1, count(KeyEvent.Type.REVOKED), "and still audited once");
    }

    @Test
    void aRotationWithoutGraceWhoseRevocationIsUnconfirmedWithdrawsTheSuccessorAndItsRetrySaysRevoked() {
        ApiKey old = service.create(KeyRequest.of("k", "rotating")).record();
        store.unconfirmedWrites = 1;
        assertThrows(UnconfirmedWriteException.class, () -> service.rotate(old.id(), Duration.ZERO));
        assertEquals(1, service.listByOwner("rotating").size(), "the successor, never handed out, is withdrawn");
        assertTrue(service.get(old.id()).orElseThrow().isRevoked());
        assertEquals(1, count(KeyEvent.Type.REVOKED));
        store.unconfirmedChecks = 1;
        assertThrows(UnconfirmedWriteException.class, () -> service.rotate(old.id(), Duration.ZERO), "not 409 before it is confirmed");
        IllegalStateException revoked = assertThrows(IllegalStateException.class, () -> service.rotate(old.id(), Duration.ZERO));
        assertTrue(revoked.getMessage().contains("revoked"), revoked.getMessage());
    }

    @Test
    void aRotationWithGraceWhoseShorterExpiryIsUnconfirmedIsRetriedAndConfirmed() {
        ApiKey old = service.create(KeyRequest.of("k", "grace")).record();
        store.unconfirmedWrites = 1;
        assertThrows(UnconfirmedWriteException.class, () -> service.rotate(old.id(), Duration.ofHours(1)));
        assertEquals(1, service.listByOwner("grace").size(), "the successor is withdrawn");
        int before = store.checks;
        GeneratedKey successor = service.rotate(old.id(), Duration.ofHours(2)); // the expiry is already shorter: confirmed
        assertEquals(before + 1, store.checks);
        assertEquals(2, service.listByOwner("grace").size());
        assertEquals(1, count(KeyEvent.Type.ROTATED));
        assertTrue(successor.plaintext() != null);
    }
}
