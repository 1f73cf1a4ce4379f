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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads ranges of published images for block-wise downloads. Images that fit the budget are kept whole in memory
 * (least recently used first out), so a fleet downloading the same image costs one disk read; larger images are
 * read from disk range by range. An image missing from memory is loaded by a background thread while its first
 * blocks are read from disk, so no request waits for a whole image to be read.
 */
public final class ImageBlocks {
    private static final Logger LOG = LoggerFactory.getLogger(ImageBlocks.class);
    private final long budgetBytes;
    private final Set<String> loading = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor loader = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "ferry-image-cache");
                t.setDaemon(true);
                return t;
            });
    private final LinkedHashMap<String, byte[]> cached = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    public ImageBlocks(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /** Up to {@code length} bytes from {@code offset} of the image stored at {@code path}. */
    public byte[] read(String sha256, Path path, long size, long offset, int length) throws IOException {
        int count = (int) Math.max(0, Math.min(length, size - offset));
        if (size <= budgetBytes) {
            byte[] whole = cached(sha256);
            if (whole != null) {
                return Arrays.copyOfRange(whole, (int) offset, (int) offset + count);
            }
            loadLater(sha256, path);
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
        loading.remove(sha256); // a load under way must not bring it back
        byte[] removed = cached.remove(sha256);
        if (removed != null) {
            cachedBytes -= removed.length;
        }
    }

    private synchronized byte[] cached(String sha256) {
        return cached.get(sha256);
    }

    private void loadLater(String sha256, Path path) {
        if (!loading.add(sha256)) {
            return;
        }
        loader.execute(() -> {
            try {
                keep(sha256, Files.readAllBytes(path));
            } catch (IOException e) {
                LOG.warn("Cannot load firmware {} into memory; its blocks are read from disk: {}", sha256,
                        e.getMessage());
            } finally {
                loading.remove(sha256);
            }
        });
    }

    private synchronized void keep(String sha256, byte[] loaded) {
        if (!loading.contains(sha256) || cached.containsKey(sha256)) {
            return;
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
}
