package dev.ferry.server.firmware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.UUID;

import dev.ferry.image.ImageHash;

/**
 * Firmware images on disk, content-addressed by the SHA-256 of their bytes: {@code <root>/ab/abcdef...}. A blob
 * is written to a temporary file, flushed to the device, then atomically renamed into place, so a crash leaves
 * either the whole blob or none of it (a stray temporary file at worst, removed at the next start).
 */
public final class BlobStore {
    private final Path root;
    private final Path temporary;

    public BlobStore(Path root) {
        this.root = root;
        this.temporary = root.resolve("tmp");
        try {
            Files.createDirectories(temporary);
            try (var stale = Files.list(temporary)) {
                for (Path file : (Iterable<Path>) stale::iterator) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the firmware store in " + root.toAbsolutePath(), e);
        }
    }

    /** True for exactly 64 lower-case hex digits. Called per download block, so no regular expression. */
    public static boolean isSha256Hex(String text) {
        if (text == null || text.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = text.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    public static String sha256Hex(byte[] content) {
        return HexFormat.of().formatHex(ImageHash.SHA256.compute(content));
    }

    public Path pathOf(String sha256) {
        if (!isSha256Hex(sha256)) {
            throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256);
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    public boolean contains(String sha256) {
        return Files.isRegularFile(pathOf(sha256));
    }

    /**
     * Stores the content durably under its SHA-256 and returns whether it was new. Storing content that is
     * already there is a no-op.
     */
    public boolean store(String sha256, byte[] content) {
        Path target = pathOf(sha256);
        if (Files.isRegularFile(target)) {
            return false;
        }
        Path tmp = temporary.resolve(sha256 + "." + UUID.randomUUID() + ".part");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            Files.createDirectories(target.getParent());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the firmware directory does not support atomic renames", e);
            }
            syncDirectory(target.getParent());
            return true;
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The next start removes it.
            }
            throw new UncheckedIOException("cannot store firmware blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    public void delete(String sha256) {
        try {
            Files.deleteIfExists(pathOf(sha256));
        } catch (NoSuchFileException ignored) {
            // Already gone.
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete firmware blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    public byte[] read(String sha256) {
        try {
            return Files.readAllBytes(pathOf(sha256));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read firmware blob " + sha256 + ": " + e.getMessage(), e);
        }
    }

    private static void syncDirectory(Path directory) throws IOException {
        // Makes the rename itself durable; not every platform lets a directory be opened for this.
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) {
                throw e instanceof IOException io ? io : new IOException(e);
            }
        }
    }
}
