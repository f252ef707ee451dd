package dev.apiauth.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The key format: {@code <prefix><secret><checksum>}.
 * <ul>
 *   <li>prefix: {@code [a-z0-9]{1,16}_}, so keys are recognisable and scannable;</li>
 *   <li>secret: 32 bytes from {@link SecureRandom} in base62, always {@value #SECRET_LENGTH} characters;</li>
 *   <li>checksum: CRC32 of prefix + secret in base62, always {@value #CHECKSUM_LENGTH} characters, so a
 *   typo or garbage is refused without a lookup.</li>
 * </ul>
 * {@link #isWellFormed(String)} is on the request path: it allocates nothing.
 */
public final class KeyCodec {

    public static final int SECRET_BYTES = 32;
    public static final int SECRET_LENGTH = 43; // ceil(256 / log2(62))
    public static final int CHECKSUM_LENGTH = 6; // 62^6 > 2^32
    public static final int HINT_SECRET_CHARS = 4;
    public static final Pattern PREFIX = Pattern.compile("[a-z0-9]{1,16}_");
    private static final int MAX_PREFIX_LENGTH = 17;
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final BigInteger BASE = BigInteger.valueOf(62);

    private final String prefix;
    private final SecureRandom random;

    public KeyCodec(String prefix) {
        this(prefix, new SecureRandom());
    }

    public KeyCodec(String prefix, SecureRandom random) {
        if (prefix == null || !PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("key prefix '" + prefix + "' must match [a-z0-9]{1,16}_ (for example ak_)");
        }
        this.prefix = prefix;
        this.random = random;
    }

    public String prefix() {
        return prefix;
    }

    /** A fresh key with this codec's prefix. */
    public String generate() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        StringBuilder key = new StringBuilder(prefix.length() + SECRET_LENGTH + CHECKSUM_LENGTH).append(prefix);
        appendBase62(key, new BigInteger(1, bytes), SECRET_LENGTH);
        CRC32 crc = new CRC32();
        for (int i = 0; i < key.length(); i++) {
            crc.update(key.charAt(i));
        }
        appendBase62(key, BigInteger.valueOf(crc.getValue()), CHECKSUM_LENGTH);
        return key.toString();
    }

    /**
     * Whether {@code key} has the shape of a key from any valid prefix and its checksum matches.
     * Keys issued under an earlier prefix stay valid after the configured prefix changes.
     */
    public static boolean isWellFormed(String key) {
        return key != null && hasKeyLength(key.length()) && isWellFormed(key.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Whether a string of this length could be a key (checked before anything is allocated for it). */
    public static boolean hasKeyLength(int length) {
        int prefixLength = length - SECRET_LENGTH - CHECKSUM_LENGTH;
        return prefixLength >= 2 && prefixLength <= MAX_PREFIX_LENGTH;
    }

    /**
     * The same on the key's ISO-8859-1 bytes (characters outside Latin-1 arrive as {@code '?'}, those above
     * ASCII as bytes the tables reject), so the caller can hash the very same bytes afterwards. One table lookup
     * per character and one CRC32 over the array (a JVM intrinsic); allocates nothing.
     */
    public static boolean isWellFormed(byte[] key) {
        int length = key.length;
        int prefixLength = length - SECRET_LENGTH - CHECKSUM_LENGTH;
        if (prefixLength < 2 || prefixLength > MAX_PREFIX_LENGTH || key[prefixLength - 1] != '_') {
            return false;
        }
        for (int i = 0; i < prefixLength - 1; i++) {
            if ((CLASS[key[i] & 0xff] & PREFIX_CHAR) == 0) {
                return false;
            }
        }
        int checksumStart = length - CHECKSUM_LENGTH;
        for (int i = prefixLength; i < checksumStart; i++) {
            if (DIGIT[key[i] & 0xff] < 0) {
                return false;
            }
        }
        long checksum = 0;
        for (int i = checksumStart; i < length; i++) {
            int d = DIGIT[key[i] & 0xff];
            if (d < 0) {
                return false;
            }
            checksum = checksum * 62 + d;
        }
        CRC32 crc = new CRC32();
        crc.update(key, 0, checksumStart);
        return checksum == crc.getValue();
    }

    /**
     * The display hint of a well-formed key: its prefix and the first {@value #HINT_SECRET_CHARS}
     * characters of the secret (24 of its 256 bits).
     */
    public static String hint(String key) {
        int prefixLength = key.length() - SECRET_LENGTH - CHECKSUM_LENGTH;
        return key.substring(0, prefixLength + HINT_SECRET_CHARS);
    }

    /** Base62 value of each byte, or -1. */
    private static final byte[] DIGIT = new byte[256];
    /** Character classes: bit {@link #PREFIX_CHAR} for [a-z0-9]. */
    private static final byte[] CLASS = new byte[256];
    private static final byte PREFIX_CHAR = 1;

    static {
        java.util.Arrays.fill(DIGIT, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            DIGIT[ALPHABET[i]] = (byte) i;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            CLASS[c] = PREFIX_CHAR;
        }
        for (char c = '0'; c <= '9'; c++) {
            CLASS[c] = PREFIX_CHAR;
        }
    }

    private static void appendBase62(StringBuilder out, BigInteger value, int width) {
        char[] digits = new char[width];
        BigInteger rest = value;
        for (int i = width - 1; i >= 0; i--) {
            BigInteger[] qr = rest.divideAndRemainder(BASE);
            digits[i] = ALPHABET[qr[1].intValue()];
            rest = qr[0];
        }
        if (rest.signum() != 0) {
            throw new IllegalStateException("value does not fit in " + width + " base62 digits");
        }
        out.append(digits);
    }
}
