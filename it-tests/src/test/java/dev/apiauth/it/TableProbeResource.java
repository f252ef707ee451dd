package dev.apiauth.it;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** Test-only: everything stored in the default datasource's key table, or 404 when there is no such table. */
@Path("test-control/table")
@RequestScoped
public class TableProbeResource {

    @Resource(lookup = "java:comp/DefaultDataSource")
    DataSource dataSource;

    @GET
    public Response dump() {
        try (Connection c = dataSource.getConnection()) {
            try (ResultSet tables = c.getMetaData().getTables(null, null, "%", new String[] {"TABLE"})) {
                boolean found = false;
                while (tables.next()) {
                    found |= tables.getString("TABLE_NAME").equalsIgnoreCase("apiauth_keys");
                }
                if (!found) {
                    return Response.status(404).entity("no table apiauth_keys").build();
                }
            }
            StringBuilder all = new StringBuilder();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM apiauth_keys")) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        all.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append('\t');
                    }
                    all.append('\n');
                }
            }
            return Response.ok(all.toString()).build();
        } catch (SQLException e) {
            return Response.serverError().entity(e.toString()).build();
        }
    }
}
