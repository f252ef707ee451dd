package dev.apiauth;

import java.util.Objects;

/**
 * A key just created or rotated: the stored record and the plaintext key, which exists only here.
 * Hand {@link #plaintext()} to its owner once; it cannot be recovered later.
 */
public record GeneratedKey(String plaintext, ApiKey record) {

    public GeneratedKey {
        Objects.requireNonNull(plaintext, "plaintext");
        Objects.requireNonNull(record, "record");
    }

    /** Never prints the key. */
    @Override
    public String toString() {
        return "GeneratedKey[" + record + "]";
    }
}
