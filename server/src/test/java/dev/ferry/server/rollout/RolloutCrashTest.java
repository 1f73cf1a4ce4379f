package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.ApiClient;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.ServerProcess;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Kills the server with SIGKILL in the middle of a rollout's first wave and starts it again on the same data
 * directory and ports: the rollout continues from where it was, every device is updated exactly once (one
 * session, one confirmed image), none is forgotten, and the counts are exact.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RolloutCrashTest {
    static final int DEVICES = 100;
    static final Duration ROLLOUT_DEADLINE = Duration.ofMinutes(3);

    final ImageSigningKey key = Images.newKey();
    /**
     * A thread for each device and some spare: while the server is killed every device's registration waits
     * unanswered, each holding a thread (see RolloutFleet#add), and none may hold up another.
     */
    final ScheduledExecutorService threads = Executors.newScheduledThreadPool(DEVICES + 8);
    final List<SimDevice> devices = new ArrayList<>();
    final Map<String, AtomicInteger> confirmations = new ConcurrentHashMap<>();
    /** Events of every device so far; its monitor is notified at each. */
    final long[] deviceEvents = new long[1];
    Path dataDir;
    ServerProcess.Launch launch;
    ServerProcess server;
    ApiClient client;
    RolloutApi api;

    @AfterEach
    void stopEverything() throws IOException {
        devices.forEach(SimDevice::close);
        threads.shutdownNow();
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void a_rollout_killed_mid_wave_continues_after_the_restart_and_updates_every_device_exactly_once()
            throws Exception {
        dataDir = Files.createTempDirectory("ferry-rollout-crash-");
        ServerProcess.Ports ports = ServerProcess.Ports.free();
        launch = ServerProcess.on(dataDir).ports(ports);
        startServer();
        assertThat(call("POST", "/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(key)).encode()).status()).isEqualTo(201);
        byte[] v1 = Images.signed("1.0.0", RolloutFleet.IMAGE_BODY, key);
        publish(v1);
        long target = publish(Images.signed("1.1.0", RolloutFleet.IMAGE_BODY, key));
        startFleet(v1, "coap://127.0.0.1:" + ports.coap());

        // Ten sessions at a time, so that the first wave of fifty is still running when the server dies.
        long id = api.start(RolloutPlan.of("crash to 1.1.0", target).tagged("crash").wavesThenRest(50)
                .successPercent(100, "next-wave").errorPercent(50, 10, "pause").maxConcurrent(10)
                .retry(List.of("connection-lost", "device-unreachable", "download-timeout"), 3, Duration.ofSeconds(1)));
        api.awaitRollout(id, r -> RolloutApi.count(r, "succeeded") >= 10, "ten devices into its first wave",
                ROLLOUT_DEADLINE);
        JsonObject beforeKill = api.rollout(id);
        assertThat(server.kill()).isEqualTo(ServerProcess.KILLED_BY_SIGKILL);
        assertThat(RolloutApi.count(beforeKill, "succeeded")).as("killed in the middle of the first wave")
                .isLessThan(50);

        startServer();
        JsonObject done = api.awaitStatus(id, "completed", ROLLOUT_DEADLINE);

        assertThat(RolloutApi.count(done, "succeeded")).isEqualTo(DEVICES);
        int counted = done.getJsonObject("counts").stream().mapToInt(e -> ((Number) e.getValue()).intValue()).sum();
        assertThat(counted).as("devices counted over every state").isEqualTo(DEVICES);
        List<JsonObject> waves = api.waves(id);
        assertThat(waves).extracting(w -> w.getInteger("planned")).containsExactly(50, 50);
        assertThat(waves).allMatch(w -> w.getString("status").equals("passed"));
        List<JsonObject> listed = api.devices(id, "");
        assertThat(listed).hasSize(DEVICES).allMatch(d -> d.getString("state").equals("succeeded"));
        for (SimDevice device : devices) {
            String endpoint = device.endpoint();
            assertThat(device.runningVersion()).as(endpoint).hasToString("1.1.0+0");
            assertThat(confirmations.get(endpoint).get()).as("images " + endpoint + " confirmed").isEqualTo(1);
            JsonArray sessions = call("GET", "/api/v1/devices/" + endpoint + "/updates", null).json()
                    .getJsonArray("items");
            assertThat(sessions.size()).as("update sessions of " + endpoint).isEqualTo(1);
            assertThat(sessions.getJsonObject(0).getString("state")).isEqualTo("succeeded");
        }
    }

    private void startServer() {
        if (client != null) {
            client.close();
        }
        server = launch.start(Setting.UPDATE_RETRY_BACKOFF_SECONDS.flag(), "1");
        client = ApiClient.withAdminTokenOf(server.baseUrl(), dataDir);
        // The server runs in a process of its own and its events stay there: what the devices do is what tells
        // the test that the server's state may have moved on.
        api = new RolloutApi(this::call, max -> awaitDeviceEvent(Duration.ofMillis(Math.min(500, max.toMillis()))));
    }

    private long publish(byte[] image) throws IOException {
        TestServer.Reply uploaded = client.uploadFirmware(RolloutFleet.MODEL, image);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        long id = uploaded.json().getLong("id");
        assertThat(call("POST", "/api/v1/firmware/" + id + "/publish", "{}").status()).isEqualTo(200);
        return id;
    }

    private void startFleet(byte[] image, String coapUri) throws Exception {
        List<String> endpoints = IntStream.range(0, DEVICES).mapToObj(i -> "crash-" + i).toList();
        TestServer.Reply provisioned = call("POST", "/api/v1/devices:bulk",
                RolloutFleet.bulk(endpoints, List.of("crash")).encode());
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        for (String endpoint : endpoints) {
            AtomicInteger confirmed = new AtomicInteger();
            confirmations.put(endpoint, confirmed);
            devices.add(RolloutFleet.fleetDevice(endpoint, coapUri, key, threads).primaryImage(image)
                    // Retries and a confirmation deadline long enough to ride out the restart: a new image on trial
                    // must register with the restarted server to be confirmed, or MCUboot reverts it.
                    .downloadRetries(10, Duration.ofSeconds(1)).confirmDeadline(Duration.ofMinutes(2))
                    .listener(e -> {
                        if (e.type() == DeviceEvent.Type.CONFIRMED) {
                            confirmed.incrementAndGet();
                        }
                        heard();
                    }).build());
        }
        RolloutFleet.startAll(devices);
        long deadline = System.nanoTime() + RolloutFleet.REGISTRATION_DEADLINE.toNanos();
        while (online() < DEVICES) {
            assertThat(System.nanoTime()).as("every device listed online with its version").isLessThan(deadline);
            awaitDeviceEvent(Duration.ofMillis(250)); // the registry reads 3/0/3 after registering, without an event
        }
    }

    /** Devices the server lists online with model and 1.0.0 known. */
    private long online() {
        JsonArray items = call("GET", "/api/v1/devices?limit=1000&tag=crash", null).json().getJsonArray("items");
        return items.stream().map(JsonObject.class::cast).filter(d -> Boolean.TRUE.equals(d.getBoolean("online"))
                && "1.0.0+0".equals(d.getString("firmwareVersion"))).count();
    }

    private TestServer.Reply call(String method, String path, String body) {
        try {
            return switch (method) {
            case "GET" -> client.get(path);
            case "POST" -> client.postJson(path, body == null ? "{}" : body);
            default -> throw new IllegalArgumentException("this test sends GET and POST only, not " + method);
            };
        } catch (IOException e) {
            throw new AssertionError("the server did not answer " + method + " " + path + ": " + e.getMessage(), e);
        }
    }

    private void heard() {
        synchronized (deviceEvents) {
            deviceEvents[0]++;
            deviceEvents.notifyAll();
        }
    }

    /** Returns after the next event of any device, or after {@code max}. */
    private void awaitDeviceEvent(Duration max) {
        synchronized (deviceEvents) {
            long seen = deviceEvents[0];
            long deadline = System.nanoTime() + max.toNanos();
            while (deviceEvents[0] == seen && System.nanoTime() < deadline) {
                try {
                    deviceEvents.wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for the devices", e);
                }
            }
        }
    }
}
