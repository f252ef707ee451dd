package dev.apiauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void uriCredentialsAreRedactedWhateverTheyContain() {
        assertEquals("rediss://***@host:6380", Secrets.redact("rediss://user:pass@host:6380"));
        assertEquals("rediss://***@host:6380", Secrets.redact("rediss://:p/ss+w0rd==@host:6380"), "base64 with a slash");
        assertEquals("rediss://***@host:6380", Secrets.redact("rediss://u:p@ss@host:6380"), "an @ in the password");
        assertEquals("cannot connect to redis://***@10.0.0.1:6379 (timeout)", Secrets.redact("cannot connect to redis://x:y@10.0.0.1:6379 (timeout)"));
        assertEquals("redis://127.0.0.1:6379", Secrets.redact("redis://127.0.0.1:6379"));
    }

    @Test
    void keysAreRecognisedWithoutBeingPrinted() {
        assertTrue(Secrets.looksLikeKey(new KeyCodec("ops_").generate()));
        assertTrue(Secrets.looksLikeKey(new KeyCodec("abcdefghijklmnop_").generate()));
        assertFalse(Secrets.looksLikeKey(KeyHasher.unpeppered().hash("x")));
        assertFalse(Secrets.looksLikeKey("ops_short"));
        assertFalse(Secrets.looksLikeKey(null));
    }
}
