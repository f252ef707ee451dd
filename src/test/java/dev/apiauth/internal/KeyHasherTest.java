package dev.apiauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class KeyHasherTest {

    @Test
    void sha256MatchesTheStandardVector() {
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", KeyHasher.unpeppered().hash("abc"));
    }

    @Test
    void hmacMatchesRfc4231TestCase2() {
        KeyHasher hmac = new KeyHasher("Jefe".getBytes(StandardCharsets.US_ASCII));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", hmac.hash("what do ya want for nothing?"));
        assertTrue(hmac.isPeppered());
    }

    @Test
    void pepperChangesTheHash() {
        String key = new KeyCodec("ak_").generate();
        assertNotEquals(KeyHasher.unpeppered().hash(key), new KeyHasher("pepper".getBytes(StandardCharsets.UTF_8)).hash(key));
        assertEquals(KeyHasher.unpeppered().hash(key), new KeyHasher(new byte[0]).hash(key), "an empty pepper is no pepper");
    }

    @Test
    void hashesAreStableAcrossThreads() throws Exception {
        KeyHasher hasher = KeyHasher.unpeppered();
        String key = new KeyCodec("ak_").generate();
        String expected = hasher.hash(key);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(pool.submit(() -> {
                for (int j = 0; j < 10_000; j++) {
                    if (!expected.equals(hasher.hash(key))) {
                        return false;
                    }
                }
                return true;
            }));
        }
        for (Future<Boolean> r : results) {
            assertTrue(r.get());
        }
        pool.shutdown();
    }

    @Test
    void isHashAcceptsOnlyLowercaseHexOf64() {
        assertTrue(KeyHasher.isHash("0".repeat(64)));
        assertFalse(KeyHasher.isHash("0".repeat(63)));
        assertFalse(KeyHasher.isHash("A".repeat(64)));
        assertFalse(KeyHasher.isHash(null));
    }

    @Test
    void whatAThreadKeepsBelongsToTheJdkNotToTheApplication() {
        for (KeyHasher hasher : new KeyHasher[] {KeyHasher.unpeppered(), new KeyHasher("pepper-0123456789-0123456789-0123".getBytes())}) {
            hasher.hash("ak_x");
            Object kept = hasher.threadState();
            ClassLoader loader = kept.getClass().getClassLoader();
            org.junit.jupiter.api.Assertions.assertTrue(loader == null || loader == ClassLoader.getPlatformClassLoader(),
                    "a thread-local value of class " + kept.getClass() + " would pin the application's class loader");
        }
    }
}
