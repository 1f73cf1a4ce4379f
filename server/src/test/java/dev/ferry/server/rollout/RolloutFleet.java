package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.HealthCheck;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real server with a trusted signing key and published images of {@link #MODEL} (1.0.0, which devices run, and
 * 1.1.0, the target), and fleets of simulated devices provisioned in bulk, tagged, started on shared threads and
 * registered with their model and version known: what the rollout scenario tests start from. It hears the
 * server's events, so {@link #api()} waits for rollouts without polling blindly. Closes everything it started.
 */
final class RolloutFleet implements AutoCloseable {
    static final String MODEL = "meter-4";
    static final int IMAGE_BODY = 8 * 1024;
    static final Duration REGISTRATION_DEADLINE = Duration.ofSeconds(90);
    /** First registrations in flight at once while a fleet starts. */
    private static final int STARTING_AT_ONCE = 50;

    final ImageSigningKey key = Images.newKey();
    final byte[] v1 = Images.signed("1.0.0", IMAGE_BODY, key);
    final byte[] v2 = Images.signed("1.1.0", IMAGE_BODY, key);
    final TestServer server;
    final long firmwareV1;
    final long firmwareV2;
    /** Threads beyond the one each device may hold; see {@link #add}. */
    private static final int SPARE_THREADS = 8;
    private final ScheduledThreadPoolExecutor threads = new ScheduledThreadPoolExecutor(SPARE_THREADS, daemon());
    private final Map<String, SimDevice> devices = new LinkedHashMap<>();
    private final Object changes = new Object();
    private long eventsSeen;
    private final RolloutApi api;

    private RolloutFleet(TestServer.Builder settings) {
        // Rollouts retry on their own policy; a session's own retries would hide what the rollout does.
        server = settings.with(Setting.UPDATE_RETRY_BACKOFF_SECONDS, "0").start();
        server.server().events().subscribe(this::heard);
        TestServer.Reply trusted = server.post("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(key)).encode());
        assertThat(trusted.status()).as(trusted.body()).isEqualTo(201);
        firmwareV1 = publish(v1);
        firmwareV2 = publish(v2);
        api = new RolloutApi(server::send, this::awaitChange);
    }

    /** A server with the test settings and these of the test's own. */
    static RolloutFleet start(UnaryOperator<TestServer.Builder> settings) {
        return new RolloutFleet(settings.apply(TestServer.givenServer()));
    }

    static RolloutFleet start() {
        return start(s -> s);
    }

    RolloutApi api() {
        return api;
    }

    /** A signed image of {@link #MODEL}, with a security counter when {@code securityCounter} is not null. */
    byte[] image(String version, Long securityCounter) {
        return Images.signed(version, IMAGE_BODY, key, securityCounter);
    }

    /** Uploads and publishes an image of {@link #MODEL}; returns its firmware id. */
    long publish(byte[] image) {
        TestServer.Reply uploaded = server.uploadFirmware(MODEL, image);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        long id = uploaded.json().getLong("id");
        TestServer.Reply published = server.post("/api/v1/firmware/" + id + "/publish", null);
        assertThat(published.status()).as(published.body()).isEqualTo(200);
        return id;
    }

    /** What devices to add: {@code count} named {@code prefix0}, {@code prefix1}..., how they are made. */
    static final class Devices {
        final String prefix;
        final int count;
        List<String> tags = List.of();
        byte[] image;
        IntFunction<Faults> faults = i -> Faults.none();
        HealthCheck healthCheck = HealthCheck.registrationSuffices();
        UnaryOperator<SimDevice.Builder> tuning = b -> b;

        private Devices(String prefix, int count) {
            this.prefix = prefix;
            this.count = count;
        }

        static Devices of(String prefix, int count) {
            return new Devices(prefix, count);
        }

        Devices tagged(String... tags) {
            this.tags = List.of(tags);
            return this;
        }

        /** The image they run at first; by default 1.0.0. */
        Devices running(byte[] image) {
            this.image = image;
            return this;
        }

        /** The faults of device number {@code i}. */
        Devices faults(IntFunction<Faults> faults) {
            this.faults = faults;
            return this;
        }

        Devices healthCheck(HealthCheck check) {
            this.healthCheck = check;
            return this;
        }

        /** Any other setting of each device's builder. */
        Devices tuned(UnaryOperator<SimDevice.Builder> tuning) {
            this.tuning = tuning;
            return this;
        }
    }

    /**
     * Provisions the devices in one bulk request, starts them and waits until the registry lists each one online
     * with its model and version. Returns them in index order.
     */
    List<SimDevice> add(Devices spec) throws Exception {
        byte[] image = spec.image != null ? spec.image : v1;
        List<String> endpoints = new ArrayList<>();
        for (int i = 0; i < spec.count; i++) {
            endpoints.add(spec.prefix + i);
        }
        TestServer.Reply provisioned = server.post("/api/v1/devices:bulk", bulk(endpoints, spec.tags).encode());
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);

        List<SimDevice> added = new ArrayList<>();
        for (int i = 0; i < spec.count; i++) {
            SimDevice device = spec.tuning.apply(fleetDevice(endpoints.get(i), server.coapUri(), key, threads)
                    .primaryImage(image)
                    .faults(spec.faults.apply(i)).healthCheck(spec.healthCheck)).build();
            synchronized (devices) {
                devices.put(device.endpoint(), device);
            }
            added.add(device);
        }
        synchronized (devices) {
            // Leshan's client registers synchronously, holding a shared thread until the server answers or the
            // request times out, and the CoAP timers that end such a wait run on these threads too. A device whose
            // radio died retries its registration for as long as the fleet runs: with fewer threads than such
            // devices they hold every one, and the rest of the fleet (its messages, downloads, reboots) stands
            // still until a wait times out. A thread for each device, so none can hold up another; idle ones
            // cost little.
            threads.setCorePoolSize(SPARE_THREADS + devices.size());
        }
        startAll(added);
        String version = dev.ferry.image.McubootImage.parse(image).version().toString();
        awaitListed(endpoints, version);
        return added;
    }

    /** The body of a bulk request provisioning these plain-CoAP devices of {@link #MODEL} with these tags. */
    static JsonObject bulk(List<String> endpoints, List<String> tags) {
        JsonArray rows = new JsonArray();
        for (String endpoint : endpoints) {
            rows.add(new JsonObject().put("endpoint", endpoint).put("security", new JsonObject().put("mode", "none"))
                    .put("model", MODEL).put("tags", new JsonArray(tags)));
        }
        return new JsonObject().put("devices", rows);
    }

    /** How every fleet device is made: plain CoAP, short timings, so that faults show within seconds. */
    static SimDevice.Builder fleetDevice(String endpoint, String coapUri, ImageSigningKey key,
            ScheduledExecutorService threads) {
        return SimDevice.builder(endpoint).server(coapUri).noSec().model(MODEL)
                .trustedKeys(TrustedKeys.of(key.publicKey())).lifetime(Duration.ofSeconds(120))
                .rebootDelay(Duration.ofMillis(50)).downloadRetries(2, Duration.ofMillis(50))
                .coapTimeouts(Duration.ofMillis(500), 3).confirmDeadline(Duration.ofSeconds(20))
                .powerOffTime(Duration.ofMillis(100)).sharedExecutor(threads);
    }

    /** Powers the devices on, at most {@link #STARTING_AT_ONCE} first registrations in flight. */
    static void startAll(List<SimDevice> toStart) throws Exception {
        Semaphore inFlight = new Semaphore(STARTING_AT_ONCE);
        List<CompletableFuture<DeviceEventOrFailure>> registered = new ArrayList<>();
        for (SimDevice device : toStart) {
            inFlight.acquire();
            CompletableFuture<DeviceEventOrFailure> first = device.next(e -> e.type()
                    == dev.ferry.sim.device.DeviceEvent.Type.REGISTERED).thenApply(e -> DeviceEventOrFailure.OK)
                    .orTimeout(REGISTRATION_DEADLINE.toSeconds(), TimeUnit.SECONDS)
                    .exceptionally(e -> DeviceEventOrFailure.FAILED)
                    .whenComplete((r, e) -> inFlight.release());
            registered.add(first);
            device.start();
        }
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < toStart.size(); i++) {
            if (registered.get(i).get() == DeviceEventOrFailure.FAILED) {
                failed.add(toStart.get(i).endpoint());
            }
        }
        assertThat(failed).as("devices that did not register within " + REGISTRATION_DEADLINE).isEmpty();
    }

    enum DeviceEventOrFailure { OK, FAILED }

    /** Waits until the registry lists each endpoint online with {@link #MODEL} and {@code version}. */
    void awaitListed(List<String> endpoints, String version) {
        long deadline = System.nanoTime() + REGISTRATION_DEADLINE.toNanos();
        List<String> missing = new ArrayList<>(endpoints);
        while (true) {
            Map<String, JsonObject> listed = listDevices();
            missing.removeIf(endpoint -> {
                JsonObject device = listed.get(endpoint);
                return device != null && Boolean.TRUE.equals(device.getBoolean("online"))
                        && MODEL.equals(device.getString("model")) && version.equals(device.getString("firmwareVersion"));
            });
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(missing.size() + " device(s) not listed online with " + MODEL + " " + version
                        + " within " + REGISTRATION_DEADLINE + ", e.g. " + listed.get(missing.get(0)));
            }
            awaitChange(Duration.ofMillis(250)); // the registry reads 3/0/3 after a registration, without an event
        }
    }

    /** Every provisioned device as the registry lists it, by endpoint. */
    Map<String, JsonObject> listDevices() {
        Map<String, JsonObject> all = new LinkedHashMap<>();
        String after = null;
        while (true) {
            TestServer.Reply page = server.get("/api/v1/devices?limit=500" + (after == null ? "" : "&after=" + after));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            JsonArray items = page.json().getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                all.put(items.getJsonObject(i).getString("endpoint"), items.getJsonObject(i));
            }
            after = page.json().getString("next");
            if (after == null || items.isEmpty()) {
                return all;
            }
        }
    }

    SimDevice device(String endpoint) {
        synchronized (devices) {
            SimDevice device = devices.get(endpoint);
            if (device == null) {
                throw new IllegalArgumentException(endpoint + " is not in this fleet");
            }
            return device;
        }
    }

    /** The update sessions the server holds for a device, newest first. */
    List<JsonObject> sessions(String endpoint) {
        TestServer.Reply reply = server.get("/api/v1/devices/" + endpoint + "/updates");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        JsonArray items = reply.json().getJsonArray("items");
        List<JsonObject> sessions = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            sessions.add(items.getJsonObject(i));
        }
        return sessions;
    }

    /** Replaces a device's tags, as an operator re-tagging it does. */
    void retag(String endpoint, String... tags) {
        TestServer.Reply reply = server.patch("/api/v1/devices/" + endpoint,
                new JsonObject().put("tags", new JsonArray(List.of(tags))).encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    }

    /** The rollout events heard so far (type {@code rollout}, detail "rollout <id> ..."). */
    List<DeviceEvent> rolloutEvents(long id) {
        return server.eventsSoFar().stream().filter(e -> isRolloutEvent(e, id)).toList();
    }

    static boolean isRolloutEvent(DeviceEvent event, long id) {
        return event.type().wireName().equals("rollout") && event.detail() != null
                && event.detail().startsWith("rollout " + id + " ");
    }

    /** Counts each device's running version: {"1.1.0+0": 180, "1.0.0+0": 20}. */
    Map<String, Integer> runningVersions(List<SimDevice> fleet) {
        Map<String, Integer> versions = new java.util.TreeMap<>();
        fleet.forEach(d -> versions.merge(d.runningVersion().toString(), 1, Integer::sum));
        return versions;
    }

    /** A health check that fails for the first {@code failing} new images the fleet boots, and passes after. */
    static HealthCheck failingFirst(int failing) {
        AtomicInteger checks = new AtomicInteger();
        return (device, running) -> checks.incrementAndGet() > failing;
    }

    private void heard(DeviceEvent event) {
        synchronized (changes) {
            eventsSeen++;
            changes.notifyAll();
        }
    }

    /** Returns after the next event the server publishes, or after {@code max}. */
    private void awaitChange(Duration max) {
        synchronized (changes) {
            long seen = eventsSeen;
            long deadline = System.nanoTime() + max.toNanos();
            while (eventsSeen == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    changes.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for the server");
                }
            }
        }
    }

    @Override
    public void close() {
        List<SimDevice> all;
        synchronized (devices) {
            all = new ArrayList<>(devices.values());
        }
        List<CompletableFuture<Void>> off = all.stream().map(SimDevice::powerOff).toList();
        try {
            CompletableFuture.allOf(off.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // a device that does not power off in time goes with the threads below
        }
        all.forEach(SimDevice::close);
        threads.shutdownNow();
        server.close();
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, "rollout-fleet-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
