package dev.apiauth.internal;

import java.util.regex.Pattern;

/** Keeps secrets out of messages: credentials in URIs, API keys pasted where a hash belongs. */
public final class Secrets {

    /**
     * {@code scheme://user:password@} (or {@code scheme://:password@}, {@code scheme://token@}), up to the last
     * {@code @} before the next whitespace, so a password containing {@code /} or {@code @} is covered too.
     */
    private static final Pattern URI_CREDENTIALS = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)\\S*@");

    private Secrets() {
    }

    /** {@code text} with the user information of every URI in it replaced by {@code ***}. */
    public static String redact(String text) {
        return text == null ? null : URI_CREDENTIALS.matcher(text).replaceAll("$1***@");
    }

    /**
     * Whether {@code value} looks like an API key of any prefix (a prefix ending in {@code _}, then base62 of a
     * key's length), so a message can say so without printing it.
     */
    public static boolean looksLikeKey(String value) {
        if (value == null) {
            return false;
        }
        int underscore = value.lastIndexOf('_');
        if (underscore < 0) {
            return false;
        }
        String rest = value.substring(underscore + 1);
        if (rest.length() != KeyCodec.SECRET_LENGTH + KeyCodec.CHECKSUM_LENGTH) {
            return false;
        }
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
                return false;
            }
        }
        return true;
    }
}
