package dev.ferry.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Token values: {@code ferry_} followed by 32 random bytes in base64url (256 bits), recognisable in a leaked file
 * or a secret scanner. The server keeps only their SHA-256; a value cannot be recovered from it.
 */
public final class TokenSecret {
    public static final String PREFIX = "ferry_";
    private static final int RANDOM_BYTES = 32;
    private static final int VALUE_LENGTH = PREFIX.length() + 43;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** One digest per thread: checking a request's token is on its path, where getInstance's lookup would cost. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    });

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
        if (value == null || value.length() != VALUE_LENGTH || !value.startsWith(PREFIX)) {
            return false;
        }
        for (int i = PREFIX.length(); i < VALUE_LENGTH; i++) {
            char c = value.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    public static byte[] hash(String value) {
        return SHA256.get().digest(value.getBytes(StandardCharsets.US_ASCII));
    }
}
