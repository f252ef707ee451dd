package dev.apiauth.bench.build;

import dev.apiauth.bench.BenchApplication;
import dev.apiauth.benchjwt.JwtApplication;
import dev.apiauth.demo.build.Deployments;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.ClassLoaderAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.JavaArchive;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/**
 * {@code BenchWars <library jar> <output dir>}: writes bench.war (open, naive and API-key endpoints),
 * benchjwt.war (MicroProfile JWT endpoint, with a fresh RSA public key) and jwt.token (an RS256 token for it,
 * group "bench", valid one week). Used by bench/http.sh.
 */
public final class BenchWars {

    static final String ISSUER = "https://bench.apiauth.example";

    private BenchWars() {
    }

    public static void main(String[] args) throws Exception {
        File library = new File(args[0]);
        Path out = Files.createDirectories(Path.of(args[1]));

        WebArchive bench = ShrinkWrap.create(WebArchive.class, "bench.war")
                .addPackage(BenchApplication.class.getPackage())
                .addAsLibrary(ShrinkWrap.createFromZipFile(JavaArchive.class, library))
                .addAsLibrary(Deployments.jarOf(org.postgresql.Driver.class))
                .addAsLibraries(Deployments.redissonJars())
                .addAsWebInfResource(new ClassLoaderAsset("demo/beans.xml"), "beans.xml")
                .addAsWebInfResource(new ClassLoaderAsset("demo/payara-web.xml"), "payara-web.xml")
                .addAsWebInfResource(new StringAsset(webXml()), "web.xml")
                .addAsResource(new StringAsset("apiauth.management.enabled=true\napiauth.management.path=api-keys\n"),
                        "META-INF/microprofile-config.properties");
        bench.as(ZipExporter.class).exportTo(out.resolve("bench.war").toFile(), true);

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        WebArchive jwt = ShrinkWrap.create(WebArchive.class, "benchjwt.war")
                .addPackage(JwtApplication.class.getPackage())
                .addAsWebInfResource(new ClassLoaderAsset("demo/beans.xml"), "beans.xml")
                .addAsResource(new StringAsset(pem), "META-INF/publicKey.pem")
                .addAsResource(new StringAsset("mp.jwt.verify.publickey.location=/META-INF/publicKey.pem\n"
                        + "mp.jwt.verify.issuer=" + ISSUER + "\n"), "META-INF/microprofile-config.properties");
        jwt.as(ZipExporter.class).exportTo(out.resolve("benchjwt.war").toFile(), true);

        Files.writeString(out.resolve("jwt.token"), token(pair));
        System.out.println("bench WARs and token written to " + out);
    }

    private static String webXml() {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                  <data-source>
                    <name>java:app/jdbc/bench-postgres</name>
                    <class-name>org.postgresql.ds.PGSimpleDataSource</class-name>
                    <server-name>127.0.0.1</server-name>
                    <port-number>5432</port-number>
                    <database-name>apiauth_bench</database-name>
                    <user>postgres</user>
                    <password>bench</password>
                    <initial-pool-size>0</initial-pool-size>
                    <min-pool-size>0</min-pool-size>
                    <max-pool-size>64</max-pool-size>
                  </data-source>
                </web-app>
                """;
    }

    private static String token(KeyPair pair) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"bench\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"bench\",\"upn\":\"bench\",\"groups\":[\"bench\"],\"iat\":" + now
                + ",\"exp\":" + (now + 7 * 86_400) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(pair.getPrivate());
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(rsa.sign());
    }
}
