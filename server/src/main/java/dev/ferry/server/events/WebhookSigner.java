package dev.ferry.server.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a delivery, sent as {@value #HEADER}: {@code t=<unix seconds>,v1=<hex HMAC-SHA256>} where the
 * HMAC is keyed with the webhook's secret (its hex text as UTF-8 bytes) over {@code <t>.<body>}. A receiver recomputes
 * it, compares in constant time and refuses a {@code t} far from its own clock, so a captured delivery cannot be
 * replayed later; the CloudEvent's {@code id} lets it drop a retry it already processed.
 */
public final class WebhookSigner {
    public static final String HEADER = "Ferry-Signature";
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSigner() {
    }

    /** A new secret: 32 random bytes as 64 hex digits. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** The header value for {@code body} sent at {@code unixSeconds}. */
    public static String header(String secret, long unixSeconds, String body) {
        return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds + "." + body);
    }

    static String hmac(String secret, String signed) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
