package dev.ferry.server.firmware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Set;
import java.util.UUID;

import dev.ferry.image.ImageHash;

/**
 * Firmware images on disk, content-addressed by the SHA-256 of their bytes: {@code <root>/ab/abcdef...}. A blob
 * is written to a temporary file, flushed to the device, then atomically renamed into place, so a crash leaves
 * either the whole blob or none of it (a stray temporary file at worst, removed at the next start). A prefix
 * directory exists only while it holds a blob.
 */
public final class BlobStore {
    private final Path root;
    private final Path temporary;
    /** Guards creating and removing the two-character prefix directories. */
    private final Object directories = new Object();

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

    /**
     * Removes what no firmware record refers to: blobs whose record never committed (the server stopped between
     * storing the blob and committing the record) and empty directories. Call it at start, before uploads.
     *
     * @return how many blobs were removed
     */
    public int removeAllBut(Set<String> referenced) {
        int removed = 0;
        try (var prefixes = Files.list(root)) {
            for (Path directory : (Iterable<Path>) prefixes::iterator) {
                if (directory.equals(temporary) || !Files.isDirectory(directory)) {
                    continue;
                }
                try (var blobs = Files.list(directory)) {
                    for (Path blob : (Iterable<Path>) blobs::iterator) {
                        if (!referenced.contains(blob.getFileName().toString())) {
                            Files.delete(blob);
                            removed++;
                        }
                    }
                }
                removeIfEmpty(directory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tidy the firmware store in " + root.toAbsolutePath(), e);
        }
        return removed;
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
            // Under the lock, so that deleting another blob cannot remove the directory between its creation and
            // the rename.
            boolean newDirectory;
            synchronized (directories) {
                newDirectory = !Files.isDirectory(target.getParent());
                Files.createDirectories(target.getParent());
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IOException("the firmware directory does not support atomic renames", e);
                }
            }
            syncDirectory(target.getParent());
            if (newDirectory) {
                syncDirectory(root);
            }
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

    /** Deletes a blob, and its directory when no other blob is left in it. */
    public void delete(String sha256) {
        Path blob = pathOf(sha256);
        try {
            synchronized (directories) {
                Files.deleteIfExists(blob);
                removeIfEmpty(blob.getParent());
            }
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

    private static void removeIfEmpty(Path directory) throws IOException {
        try {
            Files.deleteIfExists(directory);
        } catch (DirectoryNotEmptyException stillUsed) {
            // Other blobs share the prefix.
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
