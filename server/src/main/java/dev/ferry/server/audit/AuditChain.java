package dev.ferry.server.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;

/**
 * The hash chain's one canonical encoding. An entry's hash is the lowercase hex SHA-256 of the UTF-8 bytes of
 *
 * <pre>
 * "ferry-audit-v1\n" N(sequence) N(time) N(actor) N(actorRole) N(action) N(target) N(outcome) N(summary) N(previousHash)
 * </pre>
 *
 * where {@code N(s)} is the netstring of {@code s}: the length of its UTF-8 bytes in decimal, {@code ':'}, the
 * bytes, {@code ','}. {@code sequence} is decimal; {@code time} is UTC as {@code yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'}
 * (microseconds, what the database keeps); absent values are empty strings. The first entry's previous hash is 64
 * zeros ({@link #GENESIS}). Length prefixes make the encoding unambiguous: no two different entries encode alike.
 */
public final class AuditChain {
    public static final String GENESIS = "0".repeat(64);
    static final String VERSION = "ferry-audit-v1\n";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private AuditChain() {
    }

    static String hash(long sequence, Instant time, Actor actor, String action, String target, String outcome,
            String summary, String previousHash) {
        StringBuilder encoded = new StringBuilder(256 + summary.length()).append(VERSION);
        netstring(encoded, Long.toString(sequence));
        netstring(encoded, TIME.format(time));
        netstring(encoded, actor.name());
        netstring(encoded, actor.role());
        netstring(encoded, action);
        netstring(encoded, target);
        netstring(encoded, outcome);
        netstring(encoded, summary);
        netstring(encoded, previousHash);
        return HexFormat.of().formatHex(sha256().digest(encoded.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static void netstring(StringBuilder out, String value) {
        out.append(value.getBytes(StandardCharsets.UTF_8).length).append(':').append(value).append(',');
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
