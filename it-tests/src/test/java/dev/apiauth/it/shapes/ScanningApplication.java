package dev.apiauth.it.shapes;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** Relies on scanning: every resource class of the WAR. */
@ApplicationPath("scan")
public class ScanningApplication extends Application {
}
