package dev.ferry.server.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;

import org.h2.tools.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.config.FerryConfig;

/**
 * The embedded database served to other processes of this machine while the server has it open, so that a
 * command such as {@code ferry-server token create} can write to it then (H2 lets one process open the file). It
 * listens on loopback only, on a port the OS picks, and answers only under a random 128-bit name; both are in
 * {@code <data-dir>/database.server}, readable by the server's user only, and removed when the server stops.
 * H2's own AUTO_SERVER cannot be used: it requires H2 to close the database from a JVM shutdown hook, while the
 * server closes it itself after flushing what is queued.
 */
public final class LocalDatabaseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalDatabaseServer.class);
    static final String FILE_NAME = "database.server";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Server server;
    private final Path file;

    private LocalDatabaseServer(Server server, Path file) {
        this.server = server;
        this.file = file;
    }

    /** Serves the embedded database of {@code config}; nothing to serve for an external database. */
    public static Optional<LocalDatabaseServer> start(FerryConfig config) {
        if (!config.embeddedDatabase()) {
            return Optional.empty();
        }
        String url = config.databaseUrl();
        String name = url.substring("jdbc:h2:".length(), url.indexOf(';'));
        String key = HexFormat.of().formatHex(randomBytes());
        Path file = config.dataDir().toAbsolutePath().resolve(FILE_NAME);
        try {
            Server server = Server.createTcpServer("-tcpPort", "0", "-tcpDaemon", "-ifExists", "-key", key, name)
                    .start();
            LocalDatabaseServer served = new LocalDatabaseServer(server, file);
            try {
                writeOwnerOnly(file, "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/" + key + "\n");
            } catch (IOException e) {
                served.close();
                throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
            }
            return Optional.of(served);
        } catch (SQLException e) {
            LOG.warn("The database cannot be served to 'ferry-server token create' while the server runs: {}",
                    e.getMessage());
            return Optional.empty();
        }
    }

    /** The URL of the running server's database, if a server runs on {@code dataDir}. */
    static Optional<String> urlIn(Path dataDir) {
        Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.US_ASCII).strip())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] randomBytes() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return bytes;
    }

    private static void writeOwnerOnly(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp);
        }
        Files.writeString(temp, content, StandardCharsets.US_ASCII);
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public void close() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", file, e.getMessage());
        }
        server.stop();
    }
}
