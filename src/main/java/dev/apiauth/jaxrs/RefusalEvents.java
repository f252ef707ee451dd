package dev.apiauth.jaxrs;

import dev.apiauth.ValidationResult.Outcome;
import dev.apiauth.audit.RequestRefused;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fires {@link RequestRefused} for the guard's refusals, only when the application observes them (looked up once, at
 * the first guarded request): asynchronously to {@code @ObservesAsync} observers, so a refused request never waits
 * for them (at most {@value #MAX_IN_FLIGHT} waiting: a flood of refusals cannot fill the heap; beyond it events are
 * dropped, counted and logged), and synchronously to {@code @Observes} observers if there are any.
 */
final class RefusalEvents {

    private static final Logger LOG = Logger.getLogger(RefusalEvents.class.getName());

    /** Refusal events waiting for async observers, at most: beyond it they are dropped and counted, not queued. */
    static final int MAX_IN_FLIGHT = 10_000;

    private final Event<RequestRefused> event;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();
    private final boolean sync;
    private final boolean async;
    private final Instance<HttpServletRequest> servletRequest;

    private RefusalEvents(Event<RequestRefused> event, boolean sync, boolean async, Instance<HttpServletRequest> servletRequest) {
        this.event = event;
        this.sync = sync;
        this.async = async;
        this.servletRequest = servletRequest;
    }

    /** The events of this application, or null when nothing observes them (then refusals cost nothing more). */
    static RefusalEvents of(BeanManager bm) {
        Set<ObserverMethod<? super RequestRefused>> observers = bm.resolveObserverMethods(
                new RequestRefused("missing", null, "GET", "", null, Instant.EPOCH));
        boolean sync = observers.stream().anyMatch(o -> !o.isAsync());
        boolean async = observers.stream().anyMatch(ObserverMethod::isAsync);
        if (!sync && !async) {
            return null;
        }
        Instance<HttpServletRequest> servlet;
        try {
            servlet = bm.createInstance().select(HttpServletRequest.class);
        } catch (RuntimeException | LinkageError e) {
            servlet = null; // not on a servlet container: no client address
        }
        return new RefusalEvents(bm.getEvent().select(RequestRefused.class), sync, async, servlet);
    }

    void fire(ContainerRequestContext request, Outcome outcome, UUID keyId) {
        RequestRefused refused = new RequestRefused(outcome.reason(), keyId,
                request.getMethod(), "/" + request.getUriInfo().getPath(), clientAddress(), Instant.now());
        try {
            if (async) {
                if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
                    inFlight.decrementAndGet();
                    if (dropped.getAndIncrement() % MAX_IN_FLIGHT == 0) { // a flood of refusals outruns the observers
                        LOG.warning("@ObservesAsync observers of RequestRefused fall behind: " + MAX_IN_FLIGHT
                                + " events wait; further ones are dropped (" + dropped.get() + " so far)");
                    }
                } else {
                    event.fireAsync(refused).whenComplete((done, e) -> {
                        inFlight.decrementAndGet();
                        if (e != null) {
                            LOG.log(Level.WARNING, "an @ObservesAsync observer of RequestRefused failed", e);
                        }
                    });
                }
            }
            if (sync) {
                event.fire(refused);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an observer of RequestRefused failed; the request is refused all the same", e);
        }
    }

    private String clientAddress() {
        if (servletRequest == null) {
            return null;
        }
        try {
            return servletRequest.isResolvable() ? servletRequest.get().getRemoteAddr() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
