package dev.ferry.server.firmware;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The published images, held in memory so that the download paths (HTTP and CoAP) never wait on the database.
 * Filled from the database at start and kept in step by {@link FirmwareService} after each commit.
 */
public final class PublishedImages {
    private final BlobStore blobs;
    private final Map<Long, Firmware> byId = new ConcurrentHashMap<>();
    private final Map<String, Firmware> bySha256 = new ConcurrentHashMap<>();
    private final Map<String, Path> paths = new ConcurrentHashMap<>();

    public PublishedImages(BlobStore blobs) {
        this.blobs = blobs;
    }

    synchronized void load(Collection<Firmware> published) {
        byId.clear();
        bySha256.clear();
        paths.clear();
        published.forEach(this::add);
    }

    synchronized void add(Firmware firmware) {
        byId.put(firmware.id(), firmware);
        bySha256.put(firmware.sha256(), firmware);
        paths.put(firmware.sha256(), blobs.pathOf(firmware.sha256()));
    }

    synchronized void remove(long id) {
        Firmware removed = byId.remove(id);
        if (removed != null) {
            bySha256.remove(removed.sha256());
            paths.remove(removed.sha256());
            byId.values().stream().filter(f -> f.sha256().equals(removed.sha256())).findFirst()
                    .ifPresent(this::add);
        }
    }

    /** A published image with these bytes, if any. */
    public Optional<Firmware> bySha256(String sha256) {
        return Optional.ofNullable(bySha256.get(sha256));
    }

    /** Where a published image's bytes are; only asked for images {@link #bySha256} returned. */
    public Path blobPath(String sha256) {
        Path path = paths.get(sha256);
        return path != null ? path : blobs.pathOf(sha256);
    }

    /** The newest published image of each model (or of one model), by version. */
    public List<Firmware> newestPerModel(String model) {
        Map<String, Firmware> newest = new java.util.TreeMap<>();
        for (Firmware firmware : byId.values()) {
            if (model == null || model.equals(firmware.model())) {
                newest.merge(firmware.model(), firmware,
                        (a, b) -> a.version().compareTo(b.version()) >= 0 ? a : b);
            }
        }
        return newest.values().stream().sorted(Comparator.comparing(Firmware::model)).toList();
    }
}
