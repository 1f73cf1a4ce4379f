package dev.ferry.server.distribution;

import java.net.InetSocketAddress;
import java.security.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * How far each device has fetched an image over CoAP block-wise: the end of the furthest block the server served
 * it, out of the image's size. Object 5 has no progress resource, so this is what the server saw, not what the
 * device stored: a block lost on the way still counts, and a device that resumes from an earlier block does not
 * move the mark back. Kept in memory (a restarted server starts counting from the next block served); one entry
 * per device, replaced when it fetches another image.
 */
public final class DownloadProgress {
    /** Bytes of image {@code sha256} served to a device, out of {@code totalBytes}, the last at {@code at}. */
    public record Progress(String sha256, long bytesServed, long totalBytes, Instant at) {
    }

    private final Map<String, Progress> byEndpoint = new ConcurrentHashMap<>();
    private final Function<Principal, Optional<String>> deviceOfPeer;
    private final java.util.function.BiFunction<InetSocketAddress, String, Optional<String>> deviceAtAddress;
    private final Clock clock;

    /**
     * @param deviceOfPeer the provisioned endpoint a DTLS peer authenticated as
     * @param deviceAtAddress the device a plain CoAP peer fetching an image (by SHA-256) is, if it can be told: a
     *        device's pull client opens a socket of its own, so its address is not the registration's
     */
    public DownloadProgress(Function<Principal, Optional<String>> deviceOfPeer,
            java.util.function.BiFunction<InetSocketAddress, String, Optional<String>> deviceAtAddress, Clock clock) {
        this.deviceOfPeer = deviceOfPeer;
        this.deviceAtAddress = deviceAtAddress;
        this.clock = clock;
    }

    /** A block ending at {@code end} of the {@code totalBytes}-byte image was served to the peer. */
    void served(Principal peer, InetSocketAddress address, String sha256, long end, long totalBytes) {
        Optional<String> endpoint = peer != null ? deviceOfPeer.apply(peer)
                : address == null ? Optional.empty() : deviceAtAddress.apply(address, sha256);
        endpoint.ifPresent(device -> byEndpoint.merge(device, new Progress(sha256, end, totalBytes, clock.instant()),
                (was, now) -> was.sha256().equals(now.sha256()) && was.bytesServed() > now.bytesServed()
                        ? new Progress(was.sha256(), was.bytesServed(), was.totalBytes(), now.at()) : now));
    }

    public Optional<Progress> of(String endpoint) {
        return Optional.ofNullable(byEndpoint.get(endpoint));
    }
}
