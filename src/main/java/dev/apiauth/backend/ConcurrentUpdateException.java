package dev.apiauth.backend;

import java.util.UUID;

/**
 * {@link Backend#update} was given a record older than the stored one: someone else updated it since it
 * was read. Read it again and reapply the change.
 */
public class ConcurrentUpdateException extends BackendException {

    private static final long serialVersionUID = 1L;

    public ConcurrentUpdateException(UUID id, long given, long stored) {
        super("API key " + id + " was updated concurrently: given version " + given + ", stored version " + stored);
    }

    public ConcurrentUpdateException(String message) {
        super(message);
    }
}
