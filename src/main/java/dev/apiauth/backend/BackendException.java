package dev.apiauth.backend;

/**
 * A backend could not do what was asked: the store is unreachable, timed out, or refused the operation.
 * On the request path this becomes {@code 503 Service Unavailable}; a request is never let through.
 */
public class BackendException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
