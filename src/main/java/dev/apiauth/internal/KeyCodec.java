package dev.apiauth.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The key format: {@code <prefix><secret><checksum>}, GitHub's token scheme.
 * <ul>
 *   <li>prefix: lowercase letters and digits in words joined by single underscores, ending in one, at most
 *   {@value #MAX_PREFIX_LENGTH} characters ({@code ak_}, {@code shop_live_}), so keys are recognisable and
 *   scannable;</li>
 *   <li>secret: 32 bytes from {@link SecureRandom} in base62, always {@value #SECRET_LENGTH} characters;</li>
 *   <li>checksum: CRC32 of the secret alone in base62 ({@code 0-9A-Za-z}), always {@value #CHECKSUM_LENGTH}
 *   characters, as in GitHub's tokens, so a typo or garbage is refused without a lookup and validators written
 *   for GitHub's format accept our keys. Keys issued by earlier 0.1 snapshots carry a CRC32 of prefix and secret; they stay
 *   well-formed.</li>
 * </ul>
 * {@link #isWellFormed(String)} is on the request path: it allocates nothing.
 */
public final class KeyCodec {

    public static final int SECRET_BYTES = 32;
    public static final int SECRET_LENGTH = 43; // ceil(256 / log2(62))
    public static final int CHECKSUM_LENGTH = 6; // 62^6 > 2^32
    public static final int HINT_SECRET_CHARS = 4;
    /** {@link #PREFIX_RULE}, the length included. */
    public static final Pattern PREFIX = Pattern.compile("(?=.{2,32}$)[a-z0-9]+(?:_[a-z0-9]+)*_");
    public static final String PREFIX_RULE = "lowercase letters and digits, words joined by single underscores, ending in '_',"
            + " at most 32 characters ([a-z0-9]+(_[a-z0-9]+)*_, e.g. ak_ or shop_live_)";
    public static final int MAX_PREFIX_LENGTH = 32;
    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final BigInteger BASE = BigInteger.valueOf(62);

    private final String prefix;
    private final SecureRandom random;

    public KeyCodec(String prefix) {
        this(prefix, new SecureRandom());
    }

    public KeyCodec(String prefix, SecureRandom random) {
        if (!isValidPrefix(prefix)) {
            throw new IllegalArgumentException("key prefix '" + prefix + "' must be " + PREFIX_RULE);
        }
        this.prefix = prefix;
        this.random = random;
    }

    public String prefix() {
        return prefix;
    }

    /** Whether {@code prefix} is a valid key prefix ({@link #PREFIX_RULE}). */
    public static boolean isValidPrefix(String prefix) {
        return prefix != null && PREFIX.matcher(prefix).matches();
    }

    /** A fresh key with this codec's prefix. */
    public String generate() {
        byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        StringBuilder key = new StringBuilder(prefix.length() + SECRET_LENGTH + CHECKSUM_LENGTH).append(prefix);
        appendBase62(key, new BigInteger(1, bytes), SECRET_LENGTH);
        CRC32 crc = new CRC32();
        for (int i = prefix.length(); i < key.length(); i++) {
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
        if (prefixLength < 2 || prefixLength > MAX_PREFIX_LENGTH || key[prefixLength - 1] != '_'
                || (CLASS[key[0] & 0xff] & PREFIX_CHAR) == 0) {
            return false;
        }
        for (int i = 1; i < prefixLength - 1; i++) {
            int c = key[i] & 0xff;
            if ((CLASS[c] & PREFIX_CHAR) == 0 && (c != '_' || key[i - 1] == '_')) {
                return false;
            }
        }
        if (key[prefixLength - 2] == '_') {
            return false;
        }
        int checksumStart = length - CHECKSUM_LENGTH;
        for (int i = prefixLength; i < checksumStart; i++) {
            if (DIGIT[key[i] & 0xff] < 0) {
                return false;
            }
        }
        long checksum = checksum(key, checksumStart);
        if (checksum < 0) {
            return false;
        }
        CRC32 crc = new CRC32();
        crc.update(key, prefixLength, SECRET_LENGTH);
        if (checksum == crc.getValue()) {
            return true;
        }
        crc.reset(); // a key issued by an earlier 0.1 snapshot: CRC32 of prefix and secret
        crc.update(key, 0, checksumStart);
        return checksum == crc.getValue();
    }

    /**
     * GitHub's token checksum rule on any token: the last {@value #CHECKSUM_LENGTH} characters are the base62
     * CRC32 of the characters between the last {@code '_'} and them. True for every key this class generates and
     * for GitHub's own tokens; what a secret scanner's validator for GitHub-format tokens checks.
     */
    public static boolean hasGitHubChecksum(String token) {
        int underscore = token == null ? -1 : token.lastIndexOf('_');
        if (underscore < 0 || token.length() - underscore - 1 <= CHECKSUM_LENGTH) {
            return false;
        }
        byte[] bytes = token.getBytes(StandardCharsets.ISO_8859_1);
        int checksumStart = bytes.length - CHECKSUM_LENGTH;
        for (int i = underscore + 1; i < checksumStart; i++) {
            if (DIGIT[bytes[i] & 0xff] < 0) {
                return false;
            }
        }
        long checksum = checksum(bytes, checksumStart);
        CRC32 crc = new CRC32();
        crc.update(bytes, underscore + 1, checksumStart - underscore - 1);
        return checksum >= 0 && checksum == crc.getValue();
    }

    /** The base62 value of the last {@value #CHECKSUM_LENGTH} bytes, or -1 when one is not a base62 digit. */
    private static long checksum(byte[] key, int checksumStart) {
        long checksum = 0;
        for (int i = checksumStart; i < key.length; i++) {
            int d = DIGIT[key[i] & 0xff];
            if (d < 0) {
                return -1;
            }
            checksum = checksum * 62 + d;
        }
        return checksum;
    }

    /**
     * The display hint of a well-formed key: its prefix and the first {@value #HINT_SECRET_CHARS}
     * characters of the secret (24 of its 256 bits), at most {@value #MAX_HINT_LENGTH} characters: with a prefix
     * longer than 28 the hint drops the prefix's first characters, so it fits every store's column.
     */
    public static String hint(String key) {
        int end = key.length() - SECRET_LENGTH - CHECKSUM_LENGTH + HINT_SECRET_CHARS;
        return key.substring(Math.max(0, end - MAX_HINT_LENGTH), end);
    }

    /** The longest hint: the width of the stores' hint column. */
    public static final int MAX_HINT_LENGTH = 32;

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
