package dev.ferry.server.update;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.firmware.Firmware;

/**
 * The update engine's unfinished sessions, indexed the ways it looks them up. Everything but the claims
 * ({@link #reserve}, {@link #release}, {@link #isAssigned}, {@link #isClaimed}) and the downloads
 * ({@link #mayDownload}) is confined to the engine's thread.
 */
final class ActiveSessions {
    private static final Logger LOG = LoggerFactory.getLogger(ActiveSessions.class);

    /** In creation order, so sessions waiting for a download slot get one first come, first served. */
    private final Map<Long, ActiveSession> byId = new LinkedHashMap<>();
    private final Map<String, ActiveSession> byEndpoint = new HashMap<>();
    /** Endpoint to the image its unfinished session installs; read by the download resources' threads. */
    private final Map<String, Assignment> assigned = new ConcurrentHashMap<>();
    /** Session id to the image it installs and its deadline, for HTTP download tokens; read by the API's threads. */
    private final Map<Long, Download> downloads = new ConcurrentHashMap<>();
    /** Sessions in STARTING or DOWNLOADING, the ones the concurrency limit counts. */
    private int downloading;

    /**
     * The image a session installs: the record it was made with and the bytes it names. Two records (say, for two
     * models) may share one image; a download is judged by the bytes.
     */
    private record Assignment(long firmwareId, String sha256) {
        static Assignment of(Firmware image) {
            return new Assignment(image.id(), image.sha256());
        }
    }

    /** What an unfinished session's download token opens, and until when at the latest. */
    private record Download(String sha256, OffsetDateTime deadline) {
    }

    boolean reserve(String endpoint, Firmware image) {
        return assigned.putIfAbsent(endpoint, Assignment.of(image)) == null;
    }

    void release(String endpoint, Firmware image) {
        assigned.remove(endpoint, Assignment.of(image));
    }

    /** Whether the device has an unfinished session, or one is being created for it; callable from any thread. */
    boolean isClaimed(String endpoint) {
        return assigned.containsKey(endpoint);
    }

    /** Whether the device's unfinished session installs the image with this SHA-256. */
    boolean isAssigned(String endpoint, String sha256) {
        Assignment installing = assigned.get(endpoint);
        return installing != null && installing.sha256().equals(sha256);
    }

    /** The devices whose unfinished session installs the image with this SHA-256; callable from any thread. */
    java.util.List<String> assignedTo(String sha256) {
        java.util.List<String> endpoints = new java.util.ArrayList<>();
        assigned.forEach((endpoint, installing) -> {
            if (installing.sha256().equals(sha256)) {
                endpoints.add(endpoint);
            }
        });
        return endpoints;
    }

    /** Whether the session is unfinished, installs the image with this SHA-256 and is not past its deadline. */
    boolean mayDownload(long sessionId, String sha256, OffsetDateTime now) {
        Download download = downloads.get(sessionId);
        return download != null && download.sha256().equals(sha256)
                && (download.deadline() == null || now.isBefore(download.deadline()));
    }

    void add(ActiveSession a) {
        byId.put(a.session.id(), a);
        ActiveSession earlier = byEndpoint.put(a.session.endpoint(), a);
        if (earlier != null && earlier != a) {
            LOG.warn("Update {} and {} both target {}; only {} follows the device", earlier.session.id(),
                    a.session.id(), a.session.endpoint(), a.session.id());
        }
        if (isDownloading(a.session.state())) {
            downloading++;
        }
        assigned.put(a.session.endpoint(), Assignment.of(a.image));
        downloads.put(a.session.id(), new Download(a.image.sha256(), a.session.deadlineAt()));
    }

    void remove(UpdateSession s) {
        downloads.remove(s.id());
        byId.remove(s.id());
        byEndpoint.computeIfPresent(s.endpoint(), (endpoint, a) -> a.session.id() == s.id() ? null : a);
        assigned.computeIfPresent(s.endpoint(), (endpoint, installing) ->
                installing.firmwareId() == s.firmwareId() ? null : installing);
    }

    ActiveSession get(long id) {
        return byId.get(id);
    }

    ActiveSession ofEndpoint(String endpoint) {
        return byEndpoint.get(endpoint);
    }

    /** A copy, oldest first, safe to iterate while sessions finish. */
    List<ActiveSession> inOrder() {
        return new ArrayList<>(byId.values());
    }

    int downloading() {
        return downloading;
    }

    /** Counts a session's state change; true when it freed a download slot. */
    boolean moved(UpdateState from, UpdateState to) {
        downloading += (isDownloading(to) ? 1 : 0) - (isDownloading(from) ? 1 : 0);
        return isDownloading(from) && !isDownloading(to);
    }

    private static boolean isDownloading(UpdateState state) {
        return state == UpdateState.STARTING || state == UpdateState.DOWNLOADING;
    }
}
