package dev.apiauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.apiauth.demo.build.Deployments;
import dev.apiauth.it.coexist.CoexistApplication;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ClassLoaderAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MicroProfile JWT resources with @RolesAllowed next to API-key resources in one WAR, with Payara's JAX-RS
 * @RolesAllowed check left on: JWT role checks keep working, and API-key endpoints express their roles as scopes.
 */
@ExtendWith(ArquillianExtension.class)
class JwtAndApiKeysIT {

    static final String ISSUER = "https://issuer.apiauth.test";
    static final KeyPair PAIR = rsa();

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(PAIR.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        return ShrinkWrap.create(WebArchive.class, "coexist.war")
                .addPackage(CoexistApplication.class.getPackage())
                .addClasses(TestControlResource.class, FlakyBackend.class)
                .addAsLibrary(ShrinkWrap.createFromZipFile(JavaArchive.class, Deployments.libraryJar()))
                .addAsWebInfResource(new ClassLoaderAsset("demo/beans.xml"), "beans.xml")
                .addAsResource(new StringAsset(pem), "META-INF/publicKey.pem")
                .addAsResource(new StringAsset("mp.jwt.verify.publickey.location=/META-INF/publicKey.pem\n"
                        + "mp.jwt.verify.issuer=" + ISSUER + "\n"), "META-INF/microprofile-config.properties");
    }

    @ArquillianResource
    URL url;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(url);
    }

    private static String token(String... groups) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"u1\",\"upn\":\"u1\",\"groups\":[\"" + String.join("\",\"", groups)
                + "\"],\"iat\":" + now + ",\"exp\":" + (now + 600) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(PAIR.getPrivate());
        rsa.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(rsa.sign());
    }

    private String key(String... scopes) {
        return http.issueKey("coexist-" + UUID.randomUUID(), scopes);
    }

    @Test
    void jwtRoleChecksStayOnBesideApiKeyEndpoints() throws Exception {
        assertEquals(401, http.get("api/jwt/staff").status(), "no token");
        String staff = token("staff");
        assertEquals(200, http.get("api/jwt/staff", "Authorization", "Bearer " + staff).status());
        assertEquals(403, http.get("api/jwt/admin", "Authorization", "Bearer " + staff).status(),
                "Payara's @RolesAllowed check still refuses a JWT without the group");
        assertEquals(401, http.get("api/jwt/staff", "X-API-Key", key("staff")).status(), "an API key is no JWT");
    }

    @Test
    void apiKeyEndpointsCheckTheirScopes() throws Exception {
        assertEquals(401, http.get("api/keys/report").status());
        assertEquals(200, http.get("api/keys/report", "X-API-Key", key("auditor")).status());
        assertEquals(403, http.get("api/keys/report", "X-API-Key", key("other")).status());
        assertEquals(401, http.get("api/keys/report", "Authorization", "Bearer " + token("reports")).status(), "a JWT is no API key");
    }
}
