package dev.apiauth.testing;

import jakarta.json.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Plays GitHub's secret scanning in tests: an ECDSA P-256 key pair, its public key published as GitHub does, signed alerts. */
public final class GitHubSigner {

    private final KeyPair pair;

    public GitHubSigner() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            pair = generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes GitHub's public-keys document ({@code {"public_keys": [...]}}) with this key under {@code identifier}. */
    public void publish(Path file, String identifier) throws java.io.IOException {
        String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        Files.writeString(file, Json.createObjectBuilder().add("public_keys", Json.createArrayBuilder().add(
                Json.createObjectBuilder().add("key_identifier", identifier).add("key", pem).add("is_current", true))).build().toString());
    }

    /** The {@code Github-Public-Key-Signature} of {@code body}: base64 of the DER ECDSA signature over SHA-256. */
    public String sign(byte[] body) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(pair.getPrivate());
            signer.update(body);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An alert as GitHub sends it, one entry per token. */
    public static byte[] alert(String... tokens) {
        var array = Json.createArrayBuilder();
        for (String token : tokens) {
            array.add(Json.createObjectBuilder().add("token", token).add("type", "jakarta_api_auth_key")
                    .add("url", "https://github.com/octocat/hello/blob/abc/config.env").add("source", "content"));
        }
        return array.build().toString().getBytes(StandardCharsets.UTF_8);
    }
}
