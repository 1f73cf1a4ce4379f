package dev.ferry.server.distribution;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads ranges of published images for block-wise downloads. Images that fit the budget are kept whole in memory
 * (least recently used first out), so a fleet downloading the same image costs one disk read; larger images are
 * read from disk range by range.
 */
public final class ImageBlocks {
    private final long budgetBytes;
    private final LinkedHashMap<String, byte[]> cached = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    public ImageBlocks(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** Up to {@code length} bytes from {@code offset} of the image stored at {@code path}. */
    public byte[] read(String sha256, Path path, long size, long offset, int length) throws IOException {
        int count = (int) Math.max(0, Math.min(length, size - offset));
        byte[] whole = size <= budgetBytes ? whole(sha256, path) : null;
        if (whole != null) {
            return Arrays.copyOfRange(whole, (int) offset, (int) offset + count);
        }
        byte[] range = new byte[count];
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.wrap(range);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new IOException("image file " + path + " is shorter than its recorded size " + size);
                }
            }
        }
        return range;
    }

    /** Drops an image from memory, e.g. when it is deleted. */
    public synchronized void evict(String sha256) {
        byte[] removed = cached.remove(sha256);
        if (removed != null) {
            cachedBytes -= removed.length;
        }
    }

    private byte[] whole(String sha256, Path path) throws IOException {
        synchronized (this) {
            byte[] hit = cached.get(sha256);
            if (hit != null) {
                return hit;
            }
        }
        byte[] loaded = Files.readAllBytes(path);
        synchronized (this) {
            byte[] raced = cached.get(sha256);
            if (raced != null) {
                return raced;
            }
            cached.put(sha256, loaded);
            cachedBytes += loaded.length;
            Iterator<Map.Entry<String, byte[]>> oldest = cached.entrySet().iterator();
            while (cachedBytes > budgetBytes && oldest.hasNext()) {
                Map.Entry<String, byte[]> entry = oldest.next();
                if (!entry.getKey().equals(sha256)) {
                    cachedBytes -= entry.getValue().length;
                    oldest.remove();
                }
            }
        }
        return loaded;
    }
}
