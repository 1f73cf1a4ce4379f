package dev.ferry.server.update;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.ferry.server.store.PrivateFiles;

/**
 * The download tokens of HTTP pulls: {@code <session id>.<MAC>}, the MAC being the first 128 bits of
 * HMAC-SHA256(server secret, session id, image SHA-256), base64url, 22 characters. Unguessable without the secret
 * (256 random bits in {@code <data-dir>/download-tokens.key}, mode 0600), bound to one session and one image, and
 * the same after a restart, so a device that resumes a download with the URI it was given is still let in. Whether
 * the session is still unfinished is the engine's to say: a token never outlives its session.
 */
public final class DownloadTokens {
    static final String FILE = "download-tokens.key";
    private static final int SECRET_BYTES = 32;
    private static final int MAC_BYTES = 16;
    private static final Pattern SHAPE = Pattern.compile("([1-9][0-9]{0,17})\\.([A-Za-z0-9_-]{22})");
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final SecretKeySpec secret;
    private final ThreadLocal<Mac> macs;

    private DownloadTokens(byte[] secret) {
        this.secret = new SecretKeySpec(secret, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** The secret in the data directory, made on the first start. */
    public static DownloadTokens loadOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                byte[] secret = Files.readAllBytes(file);
                if (secret.length != SECRET_BYTES) {
                    throw new IllegalStateException(file + " holds " + secret.length + " bytes, not the "
                            + SECRET_BYTES + " of a download-token secret; delete it to make a new one (download URLs"
                            + " given to devices so far stop working)");
                }
                return new DownloadTokens(secret);
            }
            Files.createDirectories(dataDir);
            byte[] secret = new byte[SECRET_BYTES];
            new SecureRandom().nextBytes(secret);
            PrivateFiles.writeAtomically(file, secret, true);
            return new DownloadTokens(secret);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read or create the download-token secret " + file + ": "
                    + e.getMessage(), e);
        }
    }

    /** The token of a session's download of an image. */
    String mint(long sessionId, String sha256) {
        return sessionId + "." + BASE64URL.encodeToString(mac(sessionId, sha256));
    }

    /** The session a token was made for, if it was made by this server for this image; empty otherwise. */
    OptionalLong sessionOf(String token, String sha256) {
        Matcher shape = SHAPE.matcher(token);
        if (!shape.matches()) {
            return OptionalLong.empty();
        }
        long sessionId = Long.parseLong(shape.group(1));
        byte[] given = Base64.getUrlDecoder().decode(shape.group(2));
        return MessageDigest.isEqual(given, mac(sessionId, sha256)) ? OptionalLong.of(sessionId)
                : OptionalLong.empty();
    }

    private byte[] mac(long sessionId, String sha256) {
        Mac mac = macs.get();
        byte[] full = mac.doFinal(("ferry-download\0" + sessionId + "\0" + sha256).getBytes(StandardCharsets.US_ASCII));
        return java.util.Arrays.copyOf(full, MAC_BYTES);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
