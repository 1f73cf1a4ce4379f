package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.mcuboot.FlashStorage;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A simulated microcontroller: a real Leshan LwM2M client (objects 0, 1, 3 and 5) on top of a model of
 * MCUboot's two slots, updating its firmware the way Ferry's Zephyr module does.
 *
 * <ul>
 *   <li>Object 5 pulls packages from coap://, coaps:// (DTLS with the device's PSK) and http:// Package URIs,
 *       resuming from the bytes it holds, or takes them pushed to 5/0/0. Each package is verified (hash, and
 *       signature with the trusted keys) before State becomes Downloaded.
 *   <li>Executing Update (5/0/2) requests a test swap and reboots: the client stops without deregistering,
 *       MCUboot swaps, a fresh client registers again. The new image confirms itself once it registered and
 *       its health check passed, or the device reboots and MCUboot reverts: Update Result 8, old version.
 *   <li>State, Update Result and the download progress are persisted in the device's {@link FlashStorage}, so
 *       power cuts and reboots resume downloads and report outcomes.
 *   <li>{@link Faults} inject what goes wrong: failing health checks, corruption, dropped connections,
 *       lossy or slow links, sleep, power cuts.
 * </ul>
 *
 * <p>Observe it without sleeping: every change is a {@link DeviceEvent}, delivered in order to listeners and
 * to the futures of {@link #next}, {@link #awaitRegistered()} and {@link #nextUpdateOutcome()}:
 * <pre>{@code
 * SimDevice device = SimDevice.builder("sim-1")
 *         .server("coaps://127.0.0.1:5684").psk("sim-1", key)
 *         .primaryImage(v1).trustedKeys(TrustedKeys.of(publicKey))
 *         .start();
 * device.awaitRegistered().get(10, SECONDS);
 * CompletableFuture<DeviceEvent> outcome = device.nextUpdateOutcome(); // before triggering the update
 * // ... the server writes 5/0/1 and executes 5/0/2 ...
 * assertThat(outcome.get(30, SECONDS).result()).isEqualTo(UpdateResult.SUCCESS);
 * assertThat(device.runningVersion()).hasToString("1.1.0+0");
 * }</pre>
 * Thread-safe.
 */
public final class SimDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SimDevice.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /** Receives a device's events, in order, on the device's event thread. Keep it quick. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(DeviceEvent event);
    }

    private final DeviceParts parts;
    private final boolean ownsScheduler;

    private SimDevice(DeviceSettings settings, FlashStorage flash, byte[] primaryImage,
            ScheduledExecutorService scheduler, boolean ownsScheduler, List<Listener> listeners) {
        this.ownsScheduler = ownsScheduler;
        this.parts = new DeviceParts(this, settings, flash, primaryImage, scheduler, listeners);
    }

    /** Starts describing a device with LwM2M endpoint name {@code endpoint}. */
    public static Builder builder(String endpoint) {
        return new Builder(endpoint);
    }

    public String endpoint() {
        return parts.settings().endpoint();
    }

    /** The version of the image in the primary slot, as 3/0/3 reports it ({@code major.minor.revision+build}). */
    public ImageVersion runningVersion() {
        return parts.power().running();
    }

    public FirmwareState firmwareState() {
        synchronized (parts.lock()) {
            return parts.machine().state();
        }
    }

    public UpdateResult updateResult() {
        synchronized (parts.lock()) {
            return parts.machine().result();
        }
    }

    /** The version of the last package that passed verification, as 5/0/7 reports it when there is one. */
    public Optional<ImageVersion> packageVersion() {
        synchronized (parts.lock()) {
            return parts.machine().packageVersion();
        }
    }

    public boolean isPoweredOn() {
        return parts.power().isPowered();
    }

    /** True while the current boot's client is registered. */
    public boolean isRegistered() {
        return parts.power().isRegistered();
    }

    public Faults faults() {
        return parts.settings().faults();
    }

    /** Datagrams the device's link lost so far (injected loss, sleep, power off). */
    public long droppedDatagrams() {
        return parts.link().droppedDatagrams();
    }

    /** Powers the device on; returns it. Registration follows: see {@link #awaitRegistered()}. */
    public SimDevice start() {
        powerOn();
        return this;
    }

    /** Powers on and boots; completes once the client started (registration follows). */
    public CompletableFuture<Void> powerOn() {
        return parts.power().onLifecycle(parts.power()::doPowerOn);
    }

    /** Cuts power without deregistering: RAM is lost, flash keeps what was made durable. */
    public CompletableFuture<Void> powerOff() {
        return parts.power().onLifecycle(() -> parts.power().doPowerOff("powered off"));
    }

    /** Reboots now (no deregistration), as a watchdog or the reset button would. */
    public CompletableFuture<Void> reboot() {
        return parts.power().onLifecycle(() -> parts.power().doReboot(parts.power().generation(),
                "reboot requested"));
    }

    /**
     * The radio dies now: the device runs on, but nothing leaves or reaches it (no deregistration, no answers)
     * until it is powered off and on again. Completes once the radio is off.
     */
    public CompletableFuture<Void> goSilent() {
        return parts.power().onLifecycle(() -> parts.power().goSilent("radio off (requested)"));
    }

    /** Powers off (without deregistering) and releases the device's threads. */
    @Override
    public void close() {
        CompletableFuture<Void> off = powerOff();
        parts.power().markClosed();
        boolean poweredOff = parts.lifecycle().inTask();
        if (!poweredOff) {
            try {
                off.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                poweredOff = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("{} did not power off within {} s ({}); releasing its client anyway", endpoint(),
                        CLOSE_TIMEOUT.toSeconds(), e.getCause() == null ? e : e.getCause());
            }
        }
        if (ownsScheduler) {
            parts.scheduler().shutdownNow();
        }
        if (!poweredOff) {
            // The lifecycle is stuck behind a blocked task: its sockets and threads must not outlive the device.
            parts.power().abandon();
        }
    }

    public void addListener(Listener listener) {
        parts.events().addListener(listener);
    }

    public void removeListener(Listener listener) {
        parts.events().removeListener(listener);
    }

    /** Completes with the next event (after this call) that meets {@code condition}. */
    public CompletableFuture<DeviceEvent> next(Predicate<DeviceEvent> condition) {
        return parts.events().next(condition);
    }

    /** Completes with the next event of this type. */
    public CompletableFuture<DeviceEvent> next(DeviceEvent.Type type) {
        return next(event -> event.type() == type);
    }

    /** Completes when the device is registered: at once if it is, else at the next registration. */
    public CompletableFuture<DeviceEvent> awaitRegistered() {
        CompletableFuture<DeviceEvent> next = next(DeviceEvent.Type.REGISTERED);
        synchronized (parts.lock()) {
            if (parts.power().isRegistered()) {
                next.complete(parts.events().event(DeviceEvent.Type.REGISTERED, -1, "already registered"));
            }
        }
        return next;
    }

    /**
     * Completes with the next {@link DeviceEvent#isUpdateOutcome() update outcome}: object 5 back to Idle with
     * Update Result 1 (confirmed) or a failure (2..9). Call it before triggering the update.
     */
    public CompletableFuture<DeviceEvent> nextUpdateOutcome() {
        return next(DeviceEvent::isUpdateOutcome);
    }

    /** The device's recent events (at most 500), oldest first. */
    public List<DeviceEvent> events() {
        return parts.events().history();
    }

    @Override
    public String toString() {
        synchronized (parts.lock()) {
            UpdateMachine machine = parts.machine();
            return endpoint() + " running " + runningVersion() + ", object 5 " + machine.state() + "/"
                    + machine.result() + (isPoweredOn() ? "" : ", powered off")
                    + (isRegistered() ? ", registered" : "");
        }
    }

    /** Reboots after the reboot delay, leaving time to answer the request that caused it (object 3's Reboot). */
    void rebootSoon(String reason) {
        parts.power().rebootSoon(reason);
    }

    /**
     * Describes a {@link SimDevice}. Fluent setters say what happens by default; {@link #build()} checks the
     * whole and throws {@link IllegalStateException} naming what is missing or inconsistent.
     */
    public static final class Builder {
        private final String endpoint;
        private URI server;
        private String pskIdentity;
        private byte[] pskKey;
        private byte[] primaryImage;
        private TrustedKeys trustedKeys = TrustedKeys.none();
        private int slotSize = 512 * 1024;
        private long lifetimeSeconds = 300;
        private boolean queueMode;
        private Faults faults = Faults.none();
        private HealthCheck healthCheck = HealthCheck.registrationSuffices();
        private int coapBlockSize = 512;
        private Duration rebootDelay = Duration.ofMillis(300);
        private Duration confirmDeadline = Duration.ofSeconds(60);
        private Duration healthCheckDelay = Duration.ZERO;
        private int downloadRetries = 5;
        private Duration retryDelay = Duration.ofSeconds(1);
        private Duration ackTimeout = Duration.ofSeconds(2);
        private int maxRetransmit = 4;
        private int persistInterval = 4096;
        private Duration powerOffTime = Duration.ofMillis(500);
        private Long seed;
        private String model = "ferry-sim";
        private String packageName = "app";
        private HttpClient httpClient;
        private FlashStorage storage;
        private ScheduledExecutorService executor;
        private final List<Listener> listeners = new ArrayList<>();

        private Builder(String endpoint) {
            if (endpoint == null || endpoint.isBlank()) {
                throw new IllegalArgumentException("a device needs an endpoint name");
            }
            this.endpoint = endpoint;
        }

        /** The LwM2M server, {@code coap://host:port} or {@code coaps://host:port}. Required. */
        public Builder server(String uri) {
            this.server = URI.create(uri);
            return this;
        }

        /**
         * The device's PSK, used for the LwM2M server (coaps) and for coaps package pulls. By default the
         * device has no credentials and speaks plain CoAP.
         */
        public Builder psk(String identity, byte[] key) {
            this.pskIdentity = identity;
            this.pskKey = key.clone();
            return this;
        }

        /** No credentials: plain CoAP only, coaps Package URIs are refused with result 9. The default. */
        public Builder noSec() {
            this.pskIdentity = null;
            this.pskKey = null;
            return this;
        }

        /**
         * The MCUboot image the device was programmed with; its version is the running version. Programmed
         * only into a storage whose primary slot is empty, so a device with stored flash keeps its state.
         * Required unless the storage already holds one.
         */
        public Builder primaryImage(byte[] image) {
            this.primaryImage = image.clone();
            return this;
        }

        /** Keys whose signatures the device and its MCUboot accept. By default none: only hashes are checked. */
        public Builder trustedKeys(TrustedKeys keys) {
            this.trustedKeys = keys;
            return this;
        }

        /** Size of each slot in bytes; larger packages fail with result 2. By default 512 KiB. */
        public Builder slotSize(int bytes) {
            this.slotSize = bytes;
            return this;
        }

        /** Registration lifetime. By default 300 s. */
        public Builder lifetime(Duration lifetime) {
            return lifetime(lifetime.toSeconds());
        }

        /** Registration lifetime in seconds. By default 300. */
        public Builder lifetime(long seconds) {
            this.lifetimeSeconds = seconds;
            return this;
        }

        /** Registers in queue mode (the Q flag). By default not; {@link Faults#sleeping} implies it. */
        public Builder queueMode(boolean queueMode) {
            this.queueMode = queueMode;
            return this;
        }

        /** What goes wrong for this device. By default nothing. */
        public Builder faults(Faults faults) {
            this.faults = faults;
            return this;
        }

        /** The self-test a new image must pass. By default registering again suffices. */
        public Builder healthCheck(HealthCheck healthCheck) {
            this.healthCheck = healthCheck;
            return this;
        }

        /** Block2 size asked for in CoAP pulls: a power of two from 16 to 1024. By default 512. */
        public Builder coapBlockSize(int bytes) {
            this.coapBlockSize = bytes;
            return this;
        }

        /** Time between the request that reboots the device (Update, Reboot) and the reset. By default 300 ms. */
        public Builder rebootDelay(Duration delay) {
            this.rebootDelay = delay;
            return this;
        }

        /** How long a new image has to register and pass its health check before a revert. By default 60 s. */
        public Builder confirmDeadline(Duration deadline) {
            this.confirmDeadline = deadline;
            return this;
        }

        /** Time between registering with a new image and running its health check. By default none. */
        public Builder healthCheckDelay(Duration delay) {
            this.healthCheckDelay = delay;
            return this;
        }

        /**
         * Attempts a pull makes after losing its connection without progress, and the wait before each. By
         * default 5 retries, 1 s apart (the Zephyr module's default).
         */
        public Builder downloadRetries(int retries, Duration delay) {
            this.downloadRetries = retries;
            this.retryDelay = delay;
            return this;
        }

        /**
         * CoAP's ACK_TIMEOUT (also the DTLS retransmission timeout) and MAX_RETRANSMIT, for LwM2M and pulls.
         * By default 2 s and 4, RFC 7252's values; tests with loss use shorter ones.
         */
        public Builder coapTimeouts(Duration ackTimeout, int maxRetransmit) {
            this.ackTimeout = ackTimeout;
            this.maxRetransmit = maxRetransmit;
            return this;
        }

        /** Bytes between download checkpoints (what a power cut can cost). By default 4096. */
        public Builder persistInterval(int bytes) {
            this.persistInterval = bytes;
            return this;
        }

        /** How long power stays off after an injected power loss. By default 500 ms. */
        public Builder powerOffTime(Duration time) {
            this.powerOffTime = time;
            return this;
        }

        /** Seed of the device's random packet loss. By default derived from the endpoint name. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Model number (3/0/1). By default {@code ferry-sim}. */
        public Builder model(String model) {
            this.model = model;
            return this;
        }

        /** PkgName (5/0/6); MCUboot images carry no name. By default {@code app}. */
        public Builder packageName(String name) {
            this.packageName = name;
            return this;
        }

        /** The HTTP client for http pulls. By default one client shared by all simulated devices. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        /** Where the slots and settings live. By default {@link FlashStorage#inMemory()}. */
        public Builder storage(FlashStorage storage) {
            this.storage = storage;
            return this;
        }

        /**
         * Threads for the device, its Leshan client and its downloads; share one among many devices. By
         * default the device makes its own small pool and shuts it down on {@link SimDevice#close()}.
         */
        public Builder sharedExecutor(ScheduledExecutorService executor) {
            this.executor = executor;
            return this;
        }

        /** Adds a listener before the device starts, so it sees every event. */
        public Builder listener(Listener listener) {
            this.listeners.add(listener);
            return this;
        }

        /** @throws IllegalStateException naming what is missing or inconsistent */
        public SimDevice build() {
            DeviceSettings settings = new DeviceSettings(endpoint, server,
                    pskKey == null ? null : pskIdentity, pskKey, trustedKeys, slotSize, lifetimeSeconds,
                    queueMode || faults.isSleeping(), faults, healthCheck, coapBlockSize, rebootDelay, confirmDeadline,
                    healthCheckDelay, downloadRetries, retryDelay, ackTimeout, maxRetransmit, persistInterval,
                    powerOffTime, seed != null ? seed : endpoint.hashCode(), model, packageName,
                    httpClient != null ? httpClient : DeviceSettings.sharedHttpClient());
            boolean owned = executor == null;
            ScheduledExecutorService threads = owned ? DeviceParts.ownThreads(endpoint) : executor;
            LOG.debug("{}: {} with {}", endpoint, "coaps".equalsIgnoreCase(server.getScheme()) ? "DTLS-PSK"
                    : "plain CoAP", faults);
            try {
                return new SimDevice(settings, storage != null ? storage : FlashStorage.inMemory(), primaryImage,
                        threads, owned, listeners);
            } catch (RuntimeException e) {
                if (owned) {
                    threads.shutdown();
                }
                throw e;
            }
        }

        /** Builds the device and powers it on. */
        public SimDevice start() {
            return build().start();
        }
    }
}
