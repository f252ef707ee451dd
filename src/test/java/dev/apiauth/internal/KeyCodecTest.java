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

    @Test
    void everySingleCharacterTypoIsRejectedByTheChecksum() {
        String key = new KeyCodec("prod_").generate();
        for (int i = 0; i < key.length(); i++) {
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
        assertFalse(KeyCodec.isWellFormed(key.substring(1)));
        assertFalse(KeyCodec.isWellFormed(key.toUpperCase()));
        assertFalse(KeyCodec.isWellFormed(" " + key.substring(1)));
        assertFalse(KeyCodec.isWellFormed("_" + key.substring(3) + "12"));
        assertFalse(KeyCodec.isWellFormed("a".repeat(17) + "_" + key.substring(3)));
    }

    @Test
    void keysOfAnotherValidPrefixStayWellFormed() {
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("legacy2024_").generate()));
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("a".repeat(16) + "_").generate()));
        assertTrue(KeyCodec.isWellFormed(new KeyCodec("z_").generate()));
    }

    @Test
    void invalidPrefixIsRefusedWithTheRule() {
        for (String bad : new String[] {"ak", "AK_", "a-b_", "_", "", "a".repeat(17) + "_", "ak__"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new KeyCodec(bad));
            assertTrue(e.getMessage().contains("[a-z0-9]{1,16}_"), e.getMessage());
        }
    }

    @Test
    void hintIsPrefixAndFourSecretCharacters() {
        String key = new KeyCodec("live_").generate();
        assertEquals(key.substring(0, 9), KeyCodec.hint(key));
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
