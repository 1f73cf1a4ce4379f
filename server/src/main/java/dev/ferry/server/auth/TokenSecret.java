package dev.ferry.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Token values: {@code ferry_} followed by 32 random bytes in base64url (256 bits), recognisable in a leaked file
 * or a secret scanner. The server keeps only their SHA-256; a value cannot be recovered from it.
 */
public final class TokenSecret {
    public static final String PREFIX = "ferry_";
    private static final int RANDOM_BYTES = 32;
    private static final Pattern SHAPE = Pattern.compile(Pattern.quote(PREFIX) + "[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private TokenSecret() {
    }

    /** A new random value. */
    public static String generate() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code value} has the shape of a token value; anything else cannot be one and needs no lookup. */
    public static boolean wellFormed(String value) {
        return value != null && value.length() == PREFIX.length() + 43 && SHAPE.matcher(value).matches();
    }

    public static byte[] hash(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
