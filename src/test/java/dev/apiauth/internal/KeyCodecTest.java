package dev.apiauth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KeyCodecTest {

    @Test
    void generatedKeysHaveTheDocumentedShape() {
        String key = new KeyCodec("ak_").generate();
        assertTrue(key.matches("ak_[0-9A-Za-z]{43}[0-9A-Za-z]{6}"), key.length() + " chars: wrong shape");
        assertTrue(KeyCodec.isWellFormed(key));
    }

    @Test
    void generatedKeysAreDistinct() {
        KeyCodec codec = new KeyCodec("x_");
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            keys.add(codec.generate());
        }
        assertEquals(10_000, keys.size());
    }

    /** As in GitHub's scheme the checksum covers the secret; a typo in the prefix is refused by the lookup. */
    @Test
    void everySingleCharacterTypoIsRejectedByTheChecksum() {
        String key = new KeyCodec("prod_").generate();
        for (int i = "prod_".length(); i < key.length(); i++) {
            char replacement = key.charAt(i) == 'a' ? 'b' : 'a';
            String typo = key.substring(0, i) + replacement + key.substring(i + 1);
            assertFalse(KeyCodec.isWellFormed(typo), "typo at " + i + " accepted");
        }
    }

    @Test
    void transposedCharactersAreRejected() {
        String key = new KeyCodec("ak_").generate();
        int rejected = 0;
        for (int i = 3; i < key.length() - 1; i++) {
            if (key.charAt(i) == key.charAt(i + 1)) {
                continue;
            }
            String swapped = key.substring(0, i) + key.charAt(i + 1) + key.charAt(i) + key.substring(i + 2);
            assertFalse(KeyCodec.isWellFormed(swapped), "transposition at " + i + " accepted");
            rejected++;
        }
        assertTrue(rejected > 40);
    }

    @Test
    void garbageIsNotWellFormed() {
        String key = new KeyCodec("ak_").generate();
        assertFalse(KeyCodec.isWellFormed((String) null));
        assertFalse(KeyCodec.isWellFormed(""));
        assertFalse(KeyCodec.isWellFormed("secret"));
        assertFalse(KeyCodec.isWellFormed(key + "x"));
        assertFalse(KeyCodec.isWellFormed(key.substring(0, key.length() - 1)));
        // key.substring(1) is "k_" + the same secret and checksum: well-formed under GitHub's scheme (the checksum
        // does not cover the prefix), and refused by the lookup, since its hash is another key's
        assertTrue(KeyCodec.isWellFormed(key.substring(1)));
        assertFalse(KeyCodec.isWellFormed(key.toUpperCase()));
        assertFalse(KeyCodec.isWellFormed(" " + key.substring(1)));
        assertFalse(KeyCodec.isWellFormed("_" + key.substring(3) + "12"));
        assertFalse(KeyCodec.isWellFormed("a".repeat(32) + "_" + key.substring(3)), "a 33-character prefix");
        assertFalse(KeyCodec.isWellFormed("shop__" + key.substring(3)), "a double underscore");
        assertFalse(KeyCodec.isWellFormed("_shop_" + key.substring(3)), "a leading underscore");
    }

    /**
     * GitHub's published token formats as test vectors: CRC32 of the random part only, base62 in 0-9A-Za-z. The
     * first is the classic-token sample of Samsung's CredSweeper test suite (a validator of GitHub's checksum); the
     * second is the placeholder of GitHub's documentation, whose checksum is not valid and must be refused.
     */
    @Test
    void githubFormatTokensFromPublishedExamplesAreCheckedAsGitHubDoes() {
        assertTrue(KeyCodec.hasGitHubChecksum("ghp_00000000000000000000000000000004WZ4EQ"));
        assertFalse(KeyCodec.hasGitHubChecksum("ghp_16C7e42F292c6912E7710c838347Ae178B4a"));
        assertFalse(KeyCodec.hasGitHubChecksum("ghp_00000000000000000000000000000004WZ4ER"));
        for (String prefix : new String[] {"ak_", "shop_live_", "shop_test_", "a1_b2_c3_"}) {
            String key = new KeyCodec(prefix).generate();
            assertTrue(KeyCodec.hasGitHubChecksum(key), "a GitHub-format validator accepts our key " + prefix + "...");
            assertTrue(KeyCodec.isWellFormed(key));
        }
    }

    /** Keys issued by earlier 0.1 snapshots carry a CRC32 of prefix and secret: still well-formed after the upgrade. */
    @Test
    void keysWithTheEarlierChecksumStayWellFormed() {
        String current = new KeyCodec("ak_").generate();
        String head = current.substring(0, current.length() - KeyCodec.CHECKSUM_LENGTH);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        char[] digits = new char[KeyCodec.CHECKSUM_LENGTH];
        long value = crc.getValue();
        for (int i = digits.length - 1; i >= 0; i--) {
            digits[i] = alphabet.charAt((int) (value % 62));
            value /= 62;
        }
        String legacy = head + new String(digits);
        org.junit.jupiter.api.Assumptions.assumeFalse(legacy.equals(current), "the two checksums coincide (1 in 2^32)");
        assertTrue(KeyCodec.isWellFormed(legacy));
        assertFalse(KeyCodec.hasGitHubChecksum(legacy), "only the new keys follow GitHub's rule");
    }

    @Test
    void keysOfAnotherValidPrefixStayWellFormed() {
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("legacy2024_").generate()));
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("a".repeat(31) + "_").generate()));
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("shop_live_").generate()));
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("shop_test_v2_").generate()));
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("z_").generate()));
    }

    @Test
    void invalidPrefixIsRefusedWithTheRule() {
        for (String bad : new String[] {"ak", "AK_", "a-b_", "_", "", "a".repeat(32) + "_", "ak__", "shop__live_", "_shop_", "shop_live"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KeyCodec(bad));
            assertTrue(e.getMessage().contains("[a-z0-9]+(_[a-z0-9]+)*_"), e.getMessage());
        }
    }

    @Test
    void hintIsPrefixAndFourSecretCharacters() {
        String key = new KeyCodec("live_").generate();
        assertEquals(key.substring(0, 9), KeyCodec.hint(key));
    }

    /** The stores' hint column is 32 wide: a longer prefix gives up its first characters, never the secret's four. */
    @Test
    void hintOfTheLongestPrefixFitsTheStoresColumn() {
        String prefix = "a".repeat(10) + "_" + "b".repeat(20) + "_"; // 32 characters
        String key = new KeyCodec(prefix).generate();
        String hint = KeyCodec.hint(key);
        assertEquals(32, hint.length());
        assertEquals(key.substring(32, 36), hint.substring(28), "ends with the secret's first four characters");
        assertTrue(prefix.endsWith(hint.substring(0, 28)));
    }

    @Test
    void nonAsciiLookalikesAreRefused() {
        String key = new KeyCodec("ak_").generate();
        int i = key.indexOf('a', 3) > 0 ? key.indexOf('a', 3) : 3;
        String lookalike = key.substring(0, i) + '\u0161' + key.substring(i + 1); // low byte 0x61 is 'a'
        assertFalse(KeyCodec.isWellFormed(lookalike), "a non-ASCII character must not pass as its low byte");
        String latin1 = key.substring(0, i) + '\u00e1' + key.substring(i + 1);
        assertFalse(KeyCodec.isWellFormed(latin1));
        assertFalse(KeyCodec.isWellFormed("AK_" + key.substring(3)));
    }
}
