package dev.ferry.server.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first admin token, made on the first start (no token in the database): its value goes to
 * {@code <data-dir>/admin.token}, readable by the server's user only, and the log names that file, never the value.
 * The file is written before the token is stored, so a failure in between leaves no token nobody knows: the next
 * start finds no token again and makes a new one.
 */
public final class InitialAdminToken {
    private static final Logger LOG = LoggerFactory.getLogger(InitialAdminToken.class);
    public static final String FILE_NAME = "admin.token";
    public static final String NAME = "initial-admin";

    private InitialAdminToken() {
    }

    /** Makes the token and its file if the store has no token; returns the file then (blocking). */
    public static Optional<Path> ensure(TokenStore tokens, Path dataDir) {
        if (!tokens.isEmpty()) {
            return Optional.empty();
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        String value = TokenSecret.generate();
        try {
            writeOwnerOnly(file, value + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the first admin token to " + file + ": " + e.getMessage(), e);
        }
        tokens.create(new TokenSpec(NAME, Role.ADMIN, Optional.empty(), Optional.empty()), "first start", value);
        LOG.info("No API token existed: created admin token '{}'; its value is in {} (readable by this user only)."
                + " Send it as 'Authorization: Bearer <token>'; make more with 'ferry-server token create'", NAME, file);
        return Optional.of(file);
    }

    /** Writes {@code content} to {@code file} atomically with mode 0600: a temporary file, synced, renamed, synced. */
    static void writeOwnerOnly(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.getParent());
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp);
        }
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            LOG.debug("Cannot sync directory {}: {}", file.getParent(), e.getMessage());
        }
    }
}
