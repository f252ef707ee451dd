package dev.apiauth.it;

import dev.apiauth.audit.KeyEvent;
import dev.apiauth.audit.RequestRefused;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** An application bean observing the audit events (sync and async) and showing what it saw; test WARs only. */
@Path("audit-probe")
@ApplicationScoped
public class AuditProbe {

    private final List<String> seen = new CopyOnWriteArrayList<>();

    void changed(@Observes KeyEvent event) {
        seen.add("sync " + event.type() + " " + event.keyId() + " " + event.ownerId() + " " + event.successorId() + " "
                + event.actorKeyId() + " " + event.via());
    }

    void changedLater(@ObservesAsync KeyEvent event) {
        seen.add("async " + event.type() + " " + event.keyId());
    }

    void refused(@ObservesAsync RequestRefused event) {
        seen.add("refused " + event.reason() + " " + event.keyId() + " " + event.method() + " " + event.path() + " "
                + event.clientAddress());
    }

    @GET
    @Produces("text/plain")
    public String seen() {
        return seen.stream().collect(Collectors.joining("\n"));
    }
}
