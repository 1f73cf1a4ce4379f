package dev.ferry.server.lwm2m;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.eclipse.californium.elements.util.PersistentComponentUtil;
import org.eclipse.californium.scandium.DTLSConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DTLS connections (sessions, keys, record sequence numbers) saved at a graceful stop and loaded at the next
 * start, so DTLS devices go on with their sessions instead of a new handshake. Scandium writes the keys in the
 * clear: the file is readable by the server's user only, and deleted as soon as it is loaded, so a later crash
 * never finds stale keys. Scandium's default connection store (the read-write-lock one Leshan's connector gets)
 * supports saving and loading; the connector must be stopped to save. Connections are found by the peer's address (Ferry does not use DTLS Connection IDs),
 * so a device that kept its address continues; one behind a NAT that rebound it handshakes again, as it would
 * without a restart. Clients may also resume a restored session by its session ID (the server issues them:
 * Scandium's DTLS_SERVER_USE_SESSION_ID is on by default).
 */
final class DtlsConnectionFile {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsConnectionFile.class);
    /** Connections quiet for longer are not saved: their devices have long registered again or gone. */
    private static final long MAX_QUIET_SECONDS = TimeUnit.DAYS.toSeconds(7);

    private final Path file;

    DtlsConnectionFile(Path dataDir) {
        this.file = dataDir.resolve("dtls").resolve("connections.bin");
    }

    /** Loads what the last graceful stop saved, before the connector starts; the file is gone afterwards. */
    int load(DTLSConnector connector) {
        if (!Files.exists(file)) {
            return 0;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            PersistentComponentUtil components = new PersistentComponentUtil();
            components.add(connector);
            return Math.max(0, components.loadComponents(in));
        } catch (IOException | RuntimeException e) {
            LOG.warn("DTLS connections saved at the last stop cannot be loaded ({}); devices handshake again",
                    e.getMessage());
            return 0;
        } finally {
            delete(file);
        }
    }

    /** Saves the stopped connector's connections; they are removed from the connector. */
    int save(DTLSConnector connector) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.deleteIfExists(temp);
            createOwnerOnly(temp);
            int saved;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(temp, StandardOpenOption.WRITE))) {
                PersistentComponentUtil components = new PersistentComponentUtil();
                components.add(connector);
                saved = components.saveComponents(out, MAX_QUIET_SECONDS);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return saved;
        } catch (IOException | RuntimeException e) {
            LOG.warn("DTLS connections cannot be saved in {} ({}); DTLS devices will handshake again after the"
                    + " restart", file, e.getMessage());
            delete(temp);
            return 0;
        }
    }

    private static void createOwnerOnly(Path path) throws IOException {
        try {
            Files.createFile(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(path);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(path + " appeared while saving", e);
        }
    }

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("Cannot delete {}: {}", path, e.getMessage());
        }
    }
}
