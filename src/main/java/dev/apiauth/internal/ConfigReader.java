package dev.apiauth.internal;

import dev.apiauth.ApiAuthConfigurationException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Reads config values and collects every problem, so that one failed deployment reports all wrong keys.
 * Values are trimmed; a blank value counts as absent.
 */
public final class ConfigReader {

    private final Function<String, Optional<String>> lookup;
    private final List<String> problems = new ArrayList<>();

    public ConfigReader(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public String optionalString(String key) {
        return lookup.apply(key).map(String::trim).filter(v -> !v.isEmpty()).orElse(null);
    }

    public String string(String key, String defaultValue) {
        String value = optionalString(key);
        return value == null ? defaultValue : value;
    }

    public String matching(String key, String defaultValue, Pattern pattern, String expected) {
        return matching(key, defaultValue, pattern, expected, UnaryOperator.identity());
    }

    public String matching(String key, String defaultValue, Pattern pattern, String expected, UnaryOperator<String> normalize) {
        String value = optionalMatching(key, pattern, expected, normalize);
        return value == null ? defaultValue : value;
    }

    public String optionalMatching(String key, Pattern pattern, String expected) {
        return optionalMatching(key, pattern, expected, UnaryOperator.identity());
    }

    private String optionalMatching(String key, Pattern pattern, String expected, UnaryOperator<String> normalize) {
        String raw = optionalString(key);
        if (raw == null) {
            return null;
        }
        String value = normalize.apply(raw);
        if (!pattern.matcher(value).matches()) {
            problem(key, raw, expected);
            return null;
        }
        return value;
    }

    public boolean bool(String key, boolean defaultValue) {
        String value = optionalString(key);
        if (value == null) {
            return defaultValue;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                problem(key, value, "true or false");
                return defaultValue;
        }
    }

    /** A whole number from 1 to {@code max}, or 0 when the key is not set. */
    public int positiveInt(String key, int max) {
        String value = optionalString(key);
        if (value == null) {
            return 0;
        }
        try {
            int parsed = Integer.parseInt(value.strip());
            if (parsed >= 1 && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problem(key, value, "a whole number from 1 to " + max);
        return 0;
    }

    /** Whole seconds ({@code 60}) or an ISO-8601 duration ({@code PT1M}), greater than zero. */
    public Duration positiveDuration(String key, Duration defaultValue) {
        String value = optionalString(key);
        if (value == null) {
            return defaultValue;
        }
        Duration parsed = parseDuration(value);
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            problem(key, value, "a positive duration: whole seconds (60) or ISO-8601 (PT1M, PT30S)");
            return defaultValue;
        }
        return parsed;
    }

    /** Whole seconds or ISO-8601; null when neither. */
    public static Duration parseDuration(String value) {
        try {
            return Duration.ofSeconds(Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException notIso) {
                return null;
            }
        }
    }

    /** Records a wrong value; credentials in URIs are never printed. */
    public void problem(String key, String value, String expected) {
        problems.add(key + "=" + Secrets.redact(value) + " is invalid; expected " + expected);
    }

    /** Records a wrong value of a key whose value must never be printed. */
    public void problemWithoutValue(String key, String what) {
        problems.add(key + " is invalid (value not shown): " + what);
    }

    public void throwIfProblems() {
        if (!problems.isEmpty()) {
            throw new ApiAuthConfigurationException(problems);
        }
    }
}
