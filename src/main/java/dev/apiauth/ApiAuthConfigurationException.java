package dev.apiauth;

import java.util.List;

/**
 * The configuration is wrong: thrown while the application starts, never on a request. The message names
 * each offending key, the value found and what was expected.
 */
public class ApiAuthConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public ApiAuthConfigurationException(String problem) {
        this(List.of(problem));
    }

    /** One problem, keeping what caused it (a backend that could not start). */
    public ApiAuthConfigurationException(String problem, Throwable cause) {
        this(List.of(problem));
        initCause(cause);
    }

    public ApiAuthConfigurationException(List<String> problems) {
        super(problems.size() == 1
                ? problems.get(0)
                : "invalid jakarta-api-auth configuration:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One message per offending key. */
    public List<String> problems() {
        return problems;
    }
}
