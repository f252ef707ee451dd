package dev.apiauth.backend;

/**
 * A write the store could not make durable in time: no replica confirmed it within the configured wait, so a failover
 * could still undo it. The call fails (503 from the management API) and its caller retries the same call, which
 * confirms or redoes the write. {@link #applied()} says whether the change is in effect meanwhile (on the master) or
 * nothing changed.
 */
public class UnconfirmedWriteException extends BackendException {

    private static final long serialVersionUID = 1L;
    private final boolean applied;

    public UnconfirmedWriteException(String message, boolean applied) {
        super(message);
        this.applied = applied;
    }

    public UnconfirmedWriteException(String message, boolean applied, Throwable cause) {
        super(message, cause);
        this.applied = applied;
    }

    /** Whether the change is in effect (not yet durable), rather than not made at all. */
    public boolean applied() {
        return applied;
    }
}
