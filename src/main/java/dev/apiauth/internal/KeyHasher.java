package dev.apiauth.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hashes keys for storage and lookup: SHA-256, or HMAC-SHA256 keyed with a server-side pepper, as
 * lowercase hex. One digest per thread, so hashing allocates only its input bytes and the result.
 */
public final class KeyHasher {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /*
     * One digest per thread. The thread-local values are JDK objects only (MessageDigest, Mac), never a class of
     * this library: a server thread that outlives an undeployed application then keeps no reference to the
     * application's class loader, and servers' leak checks do not flag it.
     */
    private final ThreadLocal<MessageDigest> sha;
    private final ThreadLocal<Mac> hmac;
    private final boolean peppered;

    public KeyHasher(byte[] pepper) {
        if (pepper == null || pepper.length == 0) {
            peppered = false;
            sha = ThreadLocal.withInitial(KeyHasher::newSha256);
            hmac = null;
        } else {
            peppered = true;
            byte[] secret = pepper.clone();
            sha = null;
            hmac = ThreadLocal.withInitial(() -> newHmac(secret));
        }
    }

    /** What this thread keeps for hashing (for the leak test). */
    Object threadState() {
        return peppered ? hmac.get() : sha.get();
    }

    public static KeyHasher unpeppered() {
        return new KeyHasher(null);
    }

    public boolean isPeppered() {
        return peppered;
    }

    /** The hex hash under which a key is stored. */
    public String hash(String key) {
        return hash(key.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The same on the key's ISO-8859-1 bytes. */
    public String hash(byte[] key) {
        return hex(peppered ? hmac.get().doFinal(key) : sha.get().digest(key));
    }

    /** True when {@code hex} is 64 lowercase hex characters, the shape of every hash this class makes. */
    public static boolean isHash(String hex) {
        if (hex == null || hex.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
            out[2 * i + 1] = HEX[bytes[i] & 0xf];
        }
        return new String(out);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    private static Mac newHmac(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no HmacSHA256", e);
        }
    }
}
