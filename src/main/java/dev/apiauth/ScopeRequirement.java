package dev.apiauth;

import dev.apiauth.ApiKeyRequired.Match;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * The scopes a request needs, decided once per resource method at deployment.
 */
public final class ScopeRequirement {

    /** Any valid key will do. */
    public static final ScopeRequirement ANY_KEY = new ScopeRequirement(Set.of(), Match.ALL);

    private final Set<String> scopes;
    private final String[] scopeArray;
    private final Match match;

    private ScopeRequirement(Set<String> scopes, Match match) {
        this.scopes = scopes;
        this.scopeArray = scopes.toArray(String[]::new);
        this.match = Objects.requireNonNull(match, "match");
    }

    /**
     * @throws IllegalArgumentException when a scope is null, blank or contains whitespace
     */
    public static ScopeRequirement of(Match match, String... scopes) {
        for (String scope : scopes) {
            if (!isScope(scope)) {
                throw new IllegalArgumentException("scope '" + scope + "' is blank or contains whitespace; scopes are"
                        + " non-empty strings without spaces such as orders:read");
            }
        }
        return scopes.length == 0 ? ANY_KEY : new ScopeRequirement(Set.copyOf(Arrays.asList(scopes)), match);
    }

    /** A scope is a non-empty string without whitespace (so that stores can keep scopes space-separated). */
    public static boolean isScope(String scope) {
        return scope != null && !scope.isEmpty() && scope.chars().noneMatch(Character::isWhitespace);
    }

    public static ScopeRequirement of(ApiKeyRequired annotation) {
        return of(annotation.match(), annotation.scopes());
    }

    public Set<String> scopes() {
        return scopes;
    }

    public Match match() {
        return match;
    }

    /** Whether a key holding {@code granted} meets this requirement. */
    public boolean isSatisfiedBy(Set<String> granted) {
        String[] needed = scopeArray;
        if (needed.length == 0) {
            return true;
        }
        if (match == Match.ALL) {
            for (String scope : needed) {
                if (!granted.contains(scope)) {
                    return false;
                }
            }
            return true;
        }
        for (String scope : needed) {
            if (granted.contains(scope)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScopeRequirement r && r.scopes.equals(scopes) && r.match == match;
    }

    @Override
    public int hashCode() {
        return scopes.hashCode();
    }

    @Override
    public String toString() {
        return scopes.isEmpty() ? "any valid key" : match + " of " + scopes;
    }
}
