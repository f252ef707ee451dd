package dev.apiauth.jaxrs;

import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The headers of a {@link TestRequest}, as the management resource sees them through {@code @Context HttpHeaders}. */
final class TestHeaders implements HttpHeaders {

    private final TestRequest request;

    TestHeaders(TestRequest request) {
        this.request = request;
    }

    @Override
    public List<String> getRequestHeader(String name) {
        return request.getHeaders().get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String getHeaderString(String name) {
        return request.getHeaderString(name);
    }

    @Override
    public MultivaluedMap<String, String> getRequestHeaders() {
        return request.getHeaders();
    }

    @Override
    public List<MediaType> getAcceptableMediaTypes() {
        return List.of();
    }

    @Override
    public List<Locale> getAcceptableLanguages() {
        return List.of();
    }

    @Override
    public MediaType getMediaType() {
        return null;
    }

    @Override
    public Locale getLanguage() {
        return null;
    }

    @Override
    public Map<String, Cookie> getCookies() {
        return Map.of();
    }

    @Override
    public Date getDate() {
        return null;
    }

    @Override
    public int getLength() {
        return -1;
    }
}
