package dev.apiauth.backend.jpa;

import org.eclipse.persistence.sessions.DatabaseLogin;
import org.eclipse.persistence.sessions.Session;
import org.eclipse.persistence.sessions.SessionCustomizer;

/**
 * Turns off EclipseLink's own retry of a read that failed on a communication error. By default it retries three
 * times, five seconds apart, inside the request: with the database down or frozen a key lookup then held its request
 * for 10 to 25 seconds before the 503 (measured by StoreOutageReliability). The library answers 503 with
 * {@code Retry-After} at once instead; the client's retry reaches a fresh pooled connection. Named in the persistence
 * unit's {@code eclipselink.session.customizer} property, so only EclipseLink ever loads this class.
 */
public final class EclipseLinkCustomizer implements SessionCustomizer {

    @Override
    public void customize(Session session) {
        if (session.getDatasourceLogin() instanceof DatabaseLogin login) {
            login.setQueryRetryAttemptCount(0);
            login.setDelayBetweenConnectionAttempts(0);
        }
    }
}
