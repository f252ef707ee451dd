package dev.apiauth.backend;

/** {@link Backend#create} was given a record whose id or key hash is already stored. */
public class DuplicateKeyException extends BackendException {

    private static final long serialVersionUID = 1L;

    public DuplicateKeyException(String message) {
        super(message);
    }
}
