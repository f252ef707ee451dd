package dev.apiauth.demo;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Every resource under /api; the library's filter and management API join it automatically. */
@ApplicationPath("api")
public class DemoApplication extends Application {
}
