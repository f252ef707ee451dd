package dev.apiauth.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.apiauth.ApiKeyService;
import dev.apiauth.GeneratedKey;
import dev.apiauth.KeyRequest;
import dev.apiauth.RateLimit;
import dev.apiauth.backend.memory.MemoryBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/** Every change of a key is one event and one INFO line, after it is stored, naming who made it; never the key. */
class KeyEventTest {

    @Test
    void everyChangeIsAnEventNamingTheActorAndALineOnTheAuditLogger() {
        List<KeyEvent> events = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger audit = Logger.getLogger(KeyEvent.LOGGER);
        audit.addHandler(capture);
        try (ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null).audit(events::add).build()) {
            GeneratedKey key = service.create(KeyRequest.of("n", "owner-a"));
            UUID admin = UUID.randomUUID();
            GeneratedKey successor = service.actingAs(admin, "management-api", () -> service.rotate(key.record().id(), Duration.ofMinutes(1)));
            service.actingAs(admin, "management-api", () -> service.setRateLimit(successor.record().id(), RateLimit.of(5, Duration.ofMinutes(1))));
            service.actingAs(admin, "management-api", () -> service.setRateLimit(successor.record().id(), RateLimit.of(5, Duration.ofMinutes(1))));
            service.actingAs(null, "github-secret-scanning", () -> service.revoke(successor.record().id()));
            service.actingAs(admin, "management-api", () -> service.revoke(successor.record().id()));
            service.delete(key.record().id());
            service.delete(key.record().id());

            assertEquals(List.of(KeyEvent.Type.CREATED, KeyEvent.Type.ROTATED, KeyEvent.Type.UPDATED, KeyEvent.Type.REVOKED,
                    KeyEvent.Type.DELETED), events.stream().map(KeyEvent::type).toList(),
                    "no event for what changed nothing: the same limit again, a second revocation, deleting what is gone");
            assertEquals("application", events.get(0).via());
            assertNull(events.get(0).actorKeyId());
            assertEquals(key.record().id(), events.get(1).keyId());
            assertEquals(successor.record().id(), events.get(1).successorId());
            assertEquals(admin, events.get(1).actorKeyId());
            assertEquals("management-api", events.get(2).via());
            assertEquals("github-secret-scanning", events.get(3).via());
            assertNull(events.get(3).actorKeyId());
            assertEquals("owner-a", events.get(4).ownerId());
            assertEquals("application", events.get(4).via(), "the actor does not outlive actingAs");

            assertEquals(5, lines.size());
            assertTrue(lines.get(1).contains(key.record().id().toString()) && lines.get(1).contains("key " + admin), lines.get(1));
            for (String line : lines) {
                assertFalse(line.contains(key.plaintext()) || line.contains(key.record().keyHash())
                        || line.contains(successor.plaintext()) || line.contains(successor.record().keyHash()), line);
            }
            for (KeyEvent event : events) {
                assertFalse(event.toString().contains(key.record().keyHash()) || event.toString().contains(successor.record().keyHash()));
            }
        } finally {
            audit.removeHandler(capture);
        }
    }

    @Test
    void aFailingListenerDoesNotUndoOrFailTheChange() {
        try (ApiKeyService service = ApiKeyService.builder(new MemoryBackend()).usageTracking(false, null)
                .audit(event -> {
                    throw new IllegalStateException("observer broke");
                }).build()) {
            GeneratedKey key = service.create(KeyRequest.of("n", "o"));
            assertTrue(service.revoke(key.record().id()).isRevoked());
            assertTrue(service.get(key.record().id()).orElseThrow().isRevoked());
        }
    }
}
