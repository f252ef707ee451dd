package dev.apiauth.backend;

import java.util.UUID;

/** {@link Backend#update} was given a record whose id is not stored. */
public class UnknownKeyException extends BackendException {

    private static final long serialVersionUID = 1L;

    public UnknownKeyException(UUID id) {
        super("no API key with id " + id);
    }
}
