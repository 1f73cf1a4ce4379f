package dev.ferry.server.testing;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.ferry.image.keys.ImageSigningKey;
import io.vertx.core.json.JsonObject;

/**
 * Concurrent provisioning requests, firmware uploads (raw and multipart, alternately) and update-session creations
 * against a server, each worker sending one request after another until the burst is stopped or the server stops
 * answering. Records every change the server acknowledged, in the order it did.
 */
public final class RequestBurst {
    public static final Duration PROGRESS_DEADLINE = Duration.ofSeconds(90);
    private static final int PROVISIONING_WORKERS = 4;
    private static final int UPLOAD_WORKERS = 2;
    private static final int SESSION_WORKERS = 2;
    private static final int IMAGES_PER_UPLOAD_WORKER = 30;
    private static final int IMAGE_BODY_BYTES = 16 * 1024;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** An update session the server created: its device and firmware. */
    public record Session(String endpoint, long firmwareId) {
    }

    private final ApiClient api;
    private final ExecutorService workers;
    private final Queue<String> devicesInOrder = new ConcurrentLinkedQueue<>();
    private final Map<String, String> keys = new ConcurrentHashMap<>();
    private final Map<Long, byte[]> firmware = new ConcurrentHashMap<>();
    private final Map<Long, Session> sessions = new ConcurrentHashMap<>();
    private final List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopped;

    private RequestBurst(ApiClient api) {
        this.api = api;
        this.workers = Executors.newFixedThreadPool(PROVISIONING_WORKERS + UPLOAD_WORKERS + SESSION_WORKERS);
    }

    /**
     * Starts the burst. Device names and image versions carry {@code round}, so bursts against one data directory
     * never collide; sessions go to the devices of {@code pool}, one each, for the published {@code firmwareId}.
     */
    public static RequestBurst start(ApiClient api, int round, String model, ImageSigningKey signer,
            List<String> pool, long firmwareId) {
        RequestBurst burst = new RequestBurst(api);
        for (int w = 0; w < PROVISIONING_WORKERS; w++) {
            String prefix = "burst-" + round + "-" + w + "-";
            burst.workers.execute(() -> burst.provision(prefix));
        }
        for (int w = 0; w < UPLOAD_WORKERS; w++) {
            List<byte[]> images = new ArrayList<>();
            for (int i = 0; i < IMAGES_PER_UPLOAD_WORKER; i++) {
                images.add(Images.signed(round + "." + w + "." + i, IMAGE_BODY_BYTES, signer));
            }
            burst.workers.execute(() -> burst.upload(model, images));
        }
        Queue<String> devices = new ConcurrentLinkedQueue<>(pool);
        for (int w = 0; w < SESSION_WORKERS; w++) {
            burst.workers.execute(() -> burst.createSessions(devices, firmwareId));
        }
        return burst;
    }

    /** The provisioning request body for a PSK device with the given hex key; its identity is its endpoint. */
    public static String pskDevice(String endpoint, String keyHex) {
        return new JsonObject().put("endpoint", endpoint)
                .put("security", new JsonObject().put("mode", "psk").put("identity", endpoint).put("key", keyHex))
                .encode();
    }

    /** Waits until the server has acknowledged at least this many changes of each kind. */
    public void awaitAcknowledged(int devices, int images, int updates) {
        long deadline = System.nanoTime() + PROGRESS_DEADLINE.toNanos();
        while (keys.size() < devices || firmware.size() < images || sessions.size() < updates) {
            if (System.nanoTime() > deadline || !unexpected.isEmpty()) {
                stopped = true; // the test ends here: its workers must not outlive it
                workers.shutdownNow();
                throw new AssertionError("the burst did not reach " + devices + " devices, " + images + " images and "
                        + updates + " sessions within " + PROGRESS_DEADLINE + ": " + keys.size() + ", "
                        + firmware.size() + ", " + sessions.size() + "; unexpected answers: " + unexpected);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    /** Stops sending and waits for the requests in flight to end (the server is expected to be gone). */
    public void stop() throws InterruptedException {
        stopped = true;
        workers.shutdown();
        if (!workers.awaitTermination(60, TimeUnit.SECONDS)) {
            workers.shutdownNow();
            throw new AssertionError("requests were still in flight 60 s after the burst was stopped");
        }
    }

    /** Acknowledged devices and their PSK (hex), in the order the server acknowledged them. */
    public Map<String, String> devices() {
        Map<String, String> ordered = new LinkedHashMap<>();
        devicesInOrder.forEach(endpoint -> ordered.put(endpoint, keys.get(endpoint)));
        return ordered;
    }

    /** Acknowledged firmware by id, with the image sent. */
    public Map<Long, byte[]> firmware() {
        return Map.copyOf(firmware);
    }

    public Map<Long, Session> sessions() {
        return Map.copyOf(sessions);
    }

    /** Answers that were neither a success nor a connection failure. */
    public List<String> unexpectedAnswers() {
        return List.copyOf(unexpected);
    }

    private void provision(String prefix) {
        for (int i = 0; !stopped; i++) {
            String endpoint = prefix + i;
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            String keyHex = HexFormat.of().formatHex(key);
            TestServer.Reply reply = answer(() -> api.postJson("/api/v1/devices", pskDevice(endpoint, keyHex)));
            if (reply == null) {
                return;
            }
            if (expect(reply, "provisioning " + endpoint)) {
                keys.put(endpoint, keyHex);
                devicesInOrder.add(endpoint);
            }
        }
    }

    private void upload(String model, List<byte[]> images) {
        for (int i = 0; i < images.size() && !stopped; i++) {
            byte[] image = images.get(i);
            boolean form = i % 2 == 1;
            TestServer.Reply reply = answer(() -> form ? api.uploadFirmwareForm(model, image)
                    : api.uploadFirmware(model, image));
            if (reply == null) {
                return;
            }
            if (expect(reply, "uploading image " + i)) {
                firmware.put(reply.json().getLong("id"), image);
            }
        }
    }

    private void createSessions(Queue<String> devices, long firmwareId) {
        String endpoint;
        while (!stopped && (endpoint = devices.poll()) != null) {
            String device = endpoint;
            // The pool's devices never register, so their model is unknown: the operator's override lets the
            // session be made, which is what this burst is about.
            TestServer.Reply reply = answer(() -> api.postJson("/api/v1/devices/" + device + "/updates",
                    new JsonObject().put("firmwareId", firmwareId).put("allowModelMismatch", true).encode()));
            if (reply == null) {
                return;
            }
            if (expect(reply, "creating an update for " + device)) {
                sessions.put(reply.json().getLong("id"), new Session(device, firmwareId));
            }
        }
    }

    private interface Call {
        TestServer.Reply send() throws IOException;
    }

    /** The reply, or null when the server did not answer (it was killed). */
    private static TestServer.Reply answer(Call call) {
        try {
            return call.send();
        } catch (IOException gone) {
            return null;
        }
    }

    private boolean expect(TestServer.Reply reply, String what) {
        if (reply.status() == 201) {
            return true;
        }
        unexpected.add(what + ": " + reply.status() + " " + reply.body());
        return false;
    }
}
