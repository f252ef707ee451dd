package dev.apiauth.testing;

import dev.apiauth.internal.KeyCodec;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Seeded generator of the credentials an attacker or a broken client sends: random Latin-1 bytes up to the header
 * limit, random Unicode (lone surrogates included), control characters around valid keys, single-character
 * mutations of valid keys, valid secrets under other prefixes, well-formed keys never issued, junk of key length,
 * truncations and extensions; every 1000th is absent or empty. Never one of the valid keys it is given.
 */
public final class CredentialGenerator {

    public static final int HEADER_LIMIT = 8192;
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final Random random;
    private final String[] valid;
    private final Supplier<String>[] kinds;

    @SuppressWarnings("unchecked")
    public CredentialGenerator(Random random, String[] valid) {
        this.random = random;
        this.valid = valid;
        this.kinds = new Supplier[] {
            this::randomLatin1, this::randomUnicode, this::controlCharacters, this::mutation, this::mutation,
            this::mutation, this::wrongPrefix, this::wellFormedUnknown, this::keyLengthJunk, this::truncatedOrExtended
        };
    }

    public String next(int i) {
        if (i % 1000 == 0) {
            return i % 2000 == 0 ? null : "";
        }
        String candidate;
        do {
            candidate = kinds[random.nextInt(kinds.length)].get();
        } while (isAValidKeyWithOptionalWhitespace(candidate));
        return candidate;
    }

    /** A valid key with spaces or tabs around it is that key (HTTP trims them): never generated. */
    private boolean isAValidKeyWithOptionalWhitespace(String candidate) {
        String trimmed = candidate.replaceAll("^[ \\t]+|[ \\t]+$", "");
        for (String key : valid) {
            if (trimmed.equals(key)) {
                return true;
            }
        }
        return false;
    }

    private String key() {
        return valid[random.nextInt(valid.length)];
    }

    private String randomLatin1() {
        int length = random.nextInt(random.nextBoolean() ? 80 : HEADER_LIMIT);
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = (char) random.nextInt(256);
        }
        return new String(chars);
    }

    private String randomUnicode() {
        StringBuilder out = new StringBuilder();
        int length = random.nextInt(120);
        for (int i = 0; i < length; i++) {
            int cp = random.nextInt(4) == 0 ? 0xD800 + random.nextInt(0x800) : random.nextInt(0x10FFFF);
            if (Character.isSupplementaryCodePoint(cp)) {
                out.appendCodePoint(cp);
            } else {
                out.append((char) cp);
            }
        }
        return out.toString();
    }

    private String controlCharacters() {
        StringBuilder out = new StringBuilder(key());
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            out.insert(random.nextInt(out.length() + 1), (char) (random.nextBoolean() ? random.nextInt(0x20) : 0x7f + random.nextInt(0x21)));
        }
        return out.toString();
    }

    /** One substitution, deletion, insertion, transposition or case flip of a valid key, never the key itself. */
    private String mutation() {
        String key = key();
        for (;;) {
            StringBuilder out = new StringBuilder(key);
            int at = random.nextInt(key.length());
            switch (random.nextInt(5)) {
                case 0 -> out.setCharAt(at, random.nextBoolean() ? BASE62.charAt(random.nextInt(62)) : (char) random.nextInt(0x3000));
                case 1 -> out.deleteCharAt(at);
                case 2 -> out.insert(at, BASE62.charAt(random.nextInt(62)));
                case 3 -> {
                    if (at + 1 < out.length()) {
                        char c = out.charAt(at);
                        out.setCharAt(at, out.charAt(at + 1));
                        out.setCharAt(at + 1, c);
                    }
                }
                default -> {
                    char c = out.charAt(at);
                    out.setCharAt(at, Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
                }
            }
            String mutated = out.toString();
            if (!mutated.strip().equals(key)) {
                return mutated;
            }
        }
    }

    /** A valid key's secret and checksum under another prefix: a checksum mismatch. */
    private String wrongPrefix() {
        String key = key();
        String[] prefixes = {"sk_", "ghp_", "AK_", "ak-", "_", "ak__", "a_", "prod_live_"};
        return prefixes[random.nextInt(prefixes.length)] + key.substring(key.indexOf('_') + 1);
    }

    /** Keys with a correct checksum that were never issued (anyone can mint them): unknown. */
    private String wellFormedUnknown() {
        String[] prefixes = {"ak_", "ops_", "x1_", "abcdefghijklmnop_"};
        return new KeyCodec(prefixes[random.nextInt(prefixes.length)]).generate();
    }

    private String keyLengthJunk() {
        int length = key().length();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < length; i++) {
            out.append(random.nextBoolean() ? BASE62.charAt(random.nextInt(62)) : (char) (0x21 + random.nextInt(0x5e)));
        }
        return out.toString();
    }

    private String truncatedOrExtended() {
        String key = key();
        return random.nextBoolean() ? key.substring(0, random.nextInt(key.length()))
                : key + key.substring(0, 1 + random.nextInt(key.length() - 1));
    }
}
