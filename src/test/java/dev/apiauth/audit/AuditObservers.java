package dev.apiauth.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** An application's observers of the audit events, sync and async. */
@ApplicationScoped
public class AuditObservers {

    public static final List<KeyEvent> SYNC = new CopyOnWriteArrayList<>();
    public static final List<KeyEvent> ASYNC = new CopyOnWriteArrayList<>();
    public static final List<RequestRefused> REFUSED_ASYNC = new CopyOnWriteArrayList<>();
    public static final List<String> THREADS = new CopyOnWriteArrayList<>();

    void changed(@Observes KeyEvent event) {
        SYNC.add(event);
    }

    void changedLater(@ObservesAsync KeyEvent event) {
        ASYNC.add(event);
    }

    void refused(@ObservesAsync RequestRefused event) {
        REFUSED_ASYNC.add(event);
        THREADS.add(Thread.currentThread().getName());
    }
}
