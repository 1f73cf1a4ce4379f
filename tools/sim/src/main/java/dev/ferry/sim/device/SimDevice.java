package dev.ferry.sim.device;

import dev.ferry.image.ImageFormatException;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.McubootImage;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.download.CoapFetcher;
import dev.ferry.sim.download.HttpFetcher;
import dev.ferry.sim.download.PackageFetcher;
import dev.ferry.sim.link.SimLink;
import dev.ferry.sim.mcuboot.BootOutcome;
import dev.ferry.sim.mcuboot.Bootloader;
import dev.ferry.sim.mcuboot.FlashStorage;
import dev.ferry.sim.mcuboot.Slot;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.WriteResponse;
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
    private static final Duration HTTP_RESPONSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    /** Receives a device's events, in order, on the device's event thread. Keep it quick. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(DeviceEvent event);
    }

    /** Object 5's readable resources, read together under the device's lock. */
    record FirmwareView(String packageUri, FirmwareState state, UpdateResult result, String packageName,
            String packageVersion) {
    }

    private final DeviceSettings settings;
    private final Bootloader bootloader;
    private final UpdateMachine machine;
    private final SimLink link;
    private final FaultState faultState;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final SerialExecutor lifecycle;
    private final EventHub events;
    private final Object lock = new Object();

    // Guarded by lock.
    private boolean powered;
    private boolean closed;
    private int generation;
    private ImageVersion running;
    private LeshanClient client;
    private FirmwareObject firmwareObject;
    private boolean registered;
    private boolean onTrial;
    private boolean healthCheckStarted;
    private boolean resumePull;
    private boolean rebootScheduled;
    private DownloadJob download;
    private Future<?> confirmDeadline;

    private SimDevice(DeviceSettings settings, FlashStorage flash, byte[] primaryImage,
            ScheduledExecutorService scheduler, boolean ownsScheduler, List<Listener> listeners) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.ownsScheduler = ownsScheduler;
        this.lifecycle = new SerialExecutor(scheduler);
        this.events = new EventHub(scheduler);
        listeners.forEach(events::addListener);
        this.bootloader = new Bootloader(flash, settings.trustedKeys());
        if (primaryImage != null && !bootloader.hasPrimaryImage()) {
            bootloader.program(primaryImage);
        }
        if (!bootloader.hasPrimaryImage()) {
            throw new IllegalStateException(settings.endpoint() + " has no image in its primary slot;"
                    + " give one with primaryImage(...)");
        }
        try {
            this.running = McubootImage.parse(flash.read(Slot.PRIMARY)).version();
        } catch (ImageFormatException e) {
            throw new IllegalStateException(settings.endpoint() + ": the primary slot holds no MCUboot image: "
                    + e.getMessage(), e);
        }
        this.faultState = new FaultState(settings.faults());
        this.machine = new UpdateMachine(flash, bootloader, settings.trustedKeys(), settings.slotSize(),
                settings.persistInterval(), this::stateChanged);
        this.link = new SimLink(settings.faults().link(), new Random(settings.seed()), scheduler);
        this.link.setUp(false);
        this.link.onSleepChange(asleep -> publish(asleep ? DeviceEvent.Type.FELL_ASLEEP : DeviceEvent.Type.WOKE_UP,
                -1, ""));
    }

    /** Starts describing a device with LwM2M endpoint name {@code endpoint}. */
    public static Builder builder(String endpoint) {
        return new Builder(endpoint);
    }

    public String endpoint() {
        return settings.endpoint();
    }

    /** The version of the image in the primary slot, as 3/0/3 reports it ({@code major.minor.revision+build}). */
    public ImageVersion runningVersion() {
        synchronized (lock) {
            return running;
        }
    }

    public FirmwareState firmwareState() {
        synchronized (lock) {
            return machine.state();
        }
    }

    public UpdateResult updateResult() {
        synchronized (lock) {
            return machine.result();
        }
    }

    /** The version of the last package that passed verification, as 5/0/7 reports it when there is one. */
    public Optional<ImageVersion> packageVersion() {
        synchronized (lock) {
            return machine.packageVersion();
        }
    }

    public boolean isPoweredOn() {
        synchronized (lock) {
            return powered;
        }
    }

    /** True while the current boot's client is registered. */
    public boolean isRegistered() {
        synchronized (lock) {
            return registered;
        }
    }

    public Faults faults() {
        return settings.faults();
    }

    /** Datagrams the device's link lost so far (injected loss, sleep, power off). */
    public long droppedDatagrams() {
        return link.droppedDatagrams();
    }

    /** Powers the device on; returns it. Registration follows: see {@link #awaitRegistered()}. */
    public SimDevice start() {
        powerOn();
        return this;
    }

    /** Powers on and boots; completes once the client started (registration follows). */
    public CompletableFuture<Void> powerOn() {
        return onLifecycle(this::doPowerOn);
    }

    /** Cuts power without deregistering: RAM is lost, flash keeps what was made durable. */
    public CompletableFuture<Void> powerOff() {
        return onLifecycle(() -> doPowerOff("powered off"));
    }

    /** Reboots now (no deregistration), as a watchdog or the reset button would. */
    public CompletableFuture<Void> reboot() {
        return onLifecycle(() -> {
            int current;
            synchronized (lock) {
                current = generation;
            }
            doReboot(current, "reboot requested");
        });
    }

    /** Powers off (without deregistering) and releases the device's threads. */
    @Override
    public void close() {
        CompletableFuture<Void> off = powerOff();
        synchronized (lock) {
            closed = true;
        }
        if (!lifecycle.inTask()) {
            try {
                off.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("{} did not power off cleanly", endpoint(), e);
            }
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    public void addListener(Listener listener) {
        events.addListener(listener);
    }

    public void removeListener(Listener listener) {
        events.removeListener(listener);
    }

    /** Completes with the next event (after this call) that meets {@code condition}. */
    public CompletableFuture<DeviceEvent> next(Predicate<DeviceEvent> condition) {
        return events.next(condition);
    }

    /** Completes with the next event of this type. */
    public CompletableFuture<DeviceEvent> next(DeviceEvent.Type type) {
        return events.next(event -> event.type() == type);
    }

    /** Completes when the device is registered: at once if it is, else at the next registration. */
    public CompletableFuture<DeviceEvent> awaitRegistered() {
        CompletableFuture<DeviceEvent> next = next(DeviceEvent.Type.REGISTERED);
        synchronized (lock) {
            if (registered) {
                next.complete(event(DeviceEvent.Type.REGISTERED, -1, "already registered"));
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
        return events.history();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return endpoint() + " running " + running + ", object 5 " + machine.state() + "/" + machine.result()
                    + (powered ? "" : ", powered off") + (registered ? ", registered" : "");
        }
    }

    // ---- lifecycle, always on the lifecycle executor ------------------------------------------------------

    private CompletableFuture<Void> onLifecycle(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lifecycle.execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException e) {
                LOG.warn("{}: {}", endpoint(), e.getMessage(), e);
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    private void later(Duration delay, Runnable task) {
        schedule(delay, () -> lifecycle.execute(task));
    }

    /** Runs {@code task} on the device's threads after {@code delay}; dropped once they are gone. */
    private Future<?> schedule(Duration delay, Runnable task) {
        try {
            return scheduler.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private void doPowerOn() {
        synchronized (lock) {
            if (powered || closed) {
                return;
            }
            powered = true;
            generation++;
        }
        link.setUp(true);
        publish(DeviceEvent.Type.POWERED_ON, -1, "");
        boot();
    }

    private void doPowerOff(String reason) {
        synchronized (lock) {
            if (!powered) {
                return;
            }
            powered = false;
        }
        link.setUp(false);
        stopClient();
        publish(DeviceEvent.Type.POWERED_OFF, -1, reason);
    }

    /** A fault cuts power now, from any thread; power returns after the configured off time. */
    void cutPower(String reason) {
        link.setUp(false); // nothing more leaves the device, not even the answer being sent
        lifecycle.execute(() -> {
            doPowerOff(reason);
            later(settings.powerOffTime(), this::doPowerOn);
        });
    }

    /** Reboots after the reboot delay, leaving time to answer the request that caused it. */
    void rebootSoon(String reason) {
        int current;
        synchronized (lock) {
            if (rebootScheduled || !powered) {
                return;
            }
            rebootScheduled = true;
            current = generation;
        }
        later(settings.rebootDelay(), () -> doReboot(current, reason));
    }

    private void doReboot(int bootGeneration, String reason) {
        synchronized (lock) {
            if (bootGeneration != generation || !powered) {
                return;
            }
        }
        publish(DeviceEvent.Type.REBOOTING, -1, reason);
        stopClient();
        boot();
    }

    /** The client vanishes without deregistering, like a device that resets; RAM is lost. */
    private void stopClient() {
        LeshanClient old;
        DownloadJob job;
        synchronized (lock) {
            generation++;
            old = client;
            client = null;
            firmwareObject = null;
            registered = false;
            onTrial = false;
            resumePull = false;
            job = download;
            download = null;
            if (confirmDeadline != null) {
                confirmDeadline.cancel(false);
                confirmDeadline = null;
            }
            machine.powerLost();
        }
        if (job != null) {
            job.cancel();
            link.releaseAwake();
        }
        if (old != null) {
            try {
                old.destroy(false);
            } catch (RuntimeException e) {
                LOG.debug("{}: stopping the client: {}", endpoint(), e.toString());
            }
        }
    }

    /** MCUboot decides, the update record is restored, a fresh client starts. */
    private void boot() {
        int bootGeneration;
        UpdateMachine.BootAction action;
        synchronized (lock) {
            generation++;
            bootGeneration = generation;
            BootOutcome outcome;
            try {
                outcome = bootloader.boot();
            } catch (IllegalStateException e) {
                powered = false;
                link.setUp(false);
                publish(DeviceEvent.Type.POWERED_OFF, -1, "bricked: " + e.getMessage());
                return;
            }
            running = bootloader.running().version();
            publish(DeviceEvent.Type.BOOTED, -1, outcome.name());
            if (outcome == BootOutcome.REVERT) {
                publish(DeviceEvent.Type.REVERTED, -1, "MCUboot reverted to " + running);
            }
            action = machine.restore(running, bootloader.isConfirmed());
            onTrial = action == UpdateMachine.BootAction.TRIAL;
            resumePull = action == UpdateMachine.BootAction.RESUME_PULL;
            healthCheckStarted = false;
            rebootScheduled = false;
            registered = false;
            if (onTrial) {
                confirmDeadline = schedule(settings.confirmDeadline(),
                        () -> lifecycle.execute(() -> deadlinePassed(bootGeneration)));
            }
        }
        FirmwareObject firmware = new FirmwareObject(this);
        LeshanClient fresh = ClientFactory.create(settings, link, scheduler,
                new DeviceObject(this, settings.model()), firmware, new Observer(bootGeneration));
        synchronized (lock) {
            if (bootGeneration != generation) {
                return;
            }
            client = fresh;
            firmwareObject = firmware;
        }
        try {
            fresh.start();
        } catch (RuntimeException e) {
            LOG.warn("{}: the LwM2M client does not start: {}", endpoint(), e.getMessage());
        }
    }

    private void registeredIn(int bootGeneration) {
        boolean checkHealth = false;
        boolean resume = false;
        synchronized (lock) {
            if (bootGeneration != generation || !powered) {
                return;
            }
            registered = true;
            if (onTrial && !healthCheckStarted) {
                healthCheckStarted = true;
                checkHealth = true;
            }
            resume = resumePull;
            resumePull = false;
            publish(DeviceEvent.Type.REGISTERED, -1, "");
        }
        if (resume) {
            startPull(true);
        }
        if (checkHealth) {
            later(settings.healthCheckDelay(), () -> checkHealth(bootGeneration));
        }
    }

    private void checkHealth(int bootGeneration) {
        ImageVersion version;
        synchronized (lock) {
            if (bootGeneration != generation || !onTrial) {
                return;
            }
            version = running;
        }
        if (faultState.takePowerLossBeforeConfirm()) {
            cutPower("power lost before " + version + " was confirmed (injected fault)");
            return;
        }
        boolean healthy = !settings.faults().failsHealthCheck() && settings.healthCheck().passes(this, version);
        synchronized (lock) {
            if (bootGeneration != generation || !onTrial) {
                return;
            }
            if (healthy) {
                bootloader.confirm();
                onTrial = false;
                if (confirmDeadline != null) {
                    confirmDeadline.cancel(false);
                    confirmDeadline = null;
                }
                publish(DeviceEvent.Type.CONFIRMED, -1, version + " passed its health check");
                machine.confirmed();
                return;
            }
            publish(DeviceEvent.Type.HEALTH_CHECK_FAILED, -1, version + " failed its health check");
        }
        rebootSoon("the new image failed its health check");
    }

    private void deadlinePassed(int bootGeneration) {
        synchronized (lock) {
            if (bootGeneration != generation || !onTrial) {
                return;
            }
            publish(DeviceEvent.Type.HEALTH_CHECK_FAILED, -1, running + " was not healthy within "
                    + settings.confirmDeadline().toMillis() + " ms");
        }
        rebootSoon("the new image was not confirmed in time");
    }

    private final class Observer extends LwM2mClientObserverAdapter {
        private final int bootGeneration;

        Observer(int bootGeneration) {
            this.bootGeneration = bootGeneration;
        }

        @Override
        public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
            registeredIn(bootGeneration);
        }

        @Override
        public void onRegistrationFailure(LwM2mServer server, RegisterRequest request, ResponseCode code,
                String errorMessage, Exception cause) {
            registrationFailed(bootGeneration, "refused: " + code + (errorMessage == null ? "" : " " + errorMessage)
                    + (cause == null ? "" : " " + cause.getMessage()));
        }

        @Override
        public void onRegistrationTimeout(LwM2mServer server, RegisterRequest request) {
            registrationFailed(bootGeneration, "timed out");
        }
    }

    private void registrationFailed(int bootGeneration, String detail) {
        synchronized (lock) {
            if (bootGeneration == generation) {
                publish(DeviceEvent.Type.REGISTRATION_FAILED, -1, detail);
            }
        }
    }

    // ---- object 5, called by the LwM2M client's threads ---------------------------------------------------

    FirmwareView firmwareView() {
        synchronized (lock) {
            return new FirmwareView(machine.packageUri(), machine.state(), machine.result(), settings.packageName(),
                    machine.packageVersion().orElse(running).toString());
        }
    }

    WriteResponse writePackageUri(String uri) {
        DownloadJob cancelled = null;
        UpdateMachine.UriWrite outcome;
        synchronized (lock) {
            PackageUris.Refusal refusal = uri.isEmpty() ? null : PackageUris.check(uri, settings.pskKey() != null);
            outcome = machine.setUri(uri, refusal == null ? null : refusal.result(),
                    refusal == null ? "" : refusal.detail());
            if (outcome == UpdateMachine.UriWrite.BUSY) {
                return WriteResponse.badRequest("an update is in progress (state "
                        + machine.state().name().toLowerCase(Locale.ROOT)
                        + "); write an empty Package URI to cancel it first");
            }
            if (outcome == UpdateMachine.UriWrite.CANCELLED) {
                cancelled = download;
                download = null;
            }
        }
        if (cancelled != null) {
            cancelled.cancel();
            link.releaseAwake();
        }
        if (outcome == UpdateMachine.UriWrite.START) {
            startPull(false);
        }
        return WriteResponse.success();
    }

    WriteResponse writePackage(byte[] bytes) {
        if (bytes.length == 0) {
            return writePackageUri("");
        }
        synchronized (lock) {
            if (!machine.beginPush()) {
                return WriteResponse.badRequest("an update is in progress (state "
                        + machine.state().name().toLowerCase(Locale.ROOT)
                        + "); write an empty Package to cancel it first");
            }
            publish(DeviceEvent.Type.DOWNLOAD_STARTED, 0, "push");
            Corruption corruption = faultState.takeCorruption();
            byte[] data = corruption == null ? bytes : corruption.apply(0, bytes);
            long powerAt = faultState.powerLossAt();
            if (powerAt >= 0 && powerAt < data.length) {
                faultState.powerLost();
                machine.write(0, Arrays.copyOf(data, (int) powerAt));
                cutPower("power lost at byte " + powerAt + " of a pushed package (injected fault)");
                return WriteResponse.success(); // never leaves the device: the link is down
            }
            boolean whole = machine.write(0, data);
            if (whole && settings.faults().refusesPushedPackages()) {
                later(Faults.PUSH_CHECK_TIME, this::refusePushedPackage);
                return WriteResponse.success();
            }
            if (whole) {
                machine.finish();
            }
            publish(DeviceEvent.Type.DOWNLOAD_FINISHED, machine.written(),
                    machine.state() == FirmwareState.DOWNLOADED ? "verified" : machine.failureDetail());
        }
        return WriteResponse.success();
    }

    private void refusePushedPackage() {
        synchronized (lock) {
            machine.refusePushedPackage();
        }
    }

    ExecuteResponse executeUpdate() {
        ImageVersion target;
        synchronized (lock) {
            if (settings.faults().refusesUpdate()) {
                return ExecuteResponse.methodNotAllowed();
            }
            if (settings.faults().ignoresUpdate()) {
                return ExecuteResponse.success();
            }
            if (settings.faults().updatesWithoutReboot() && machine.executeWithoutInstalling()) {
                return ExecuteResponse.success();
            }
            if (!machine.execute()) {
                return ExecuteResponse.badRequest("Update needs a downloaded package (state 2); the state is "
                        + machine.state().code());
            }
            if (machine.state() != FirmwareState.UPDATING) {
                return ExecuteResponse.success(); // the package failed its second check; Update Result says why
            }
            target = machine.packageVersion().orElseThrow();
        }
        rebootSoon("update to " + target);
        return ExecuteResponse.success();
    }

    private void startPull(boolean resumed) {
        DownloadJob job;
        synchronized (lock) {
            if (machine.state() != FirmwareState.DOWNLOADING || machine.isPush() || download != null || !powered) {
                return;
            }
            job = new DownloadJob(lock, machine, fetcherFor(URI.create(machine.packageUri())), faultState,
                    new DownloadHost(), settings.downloadRetries(), settings.retryDelay());
            download = job;
        }
        link.holdAwake();
        job.start(resumed);
    }

    private PackageFetcher fetcherFor(URI uri) {
        if ("http".equalsIgnoreCase(uri.getScheme())) {
            return new HttpFetcher(uri, settings.httpClient(), link, HTTP_RESPONSE_TIMEOUT);
        }
        return new CoapFetcher(uri, settings.coapBlockSize(), settings.pskIdentity(), settings.pskKey(), link,
                new CoapFetcher.Timeouts(settings.ackTimeout(), settings.maxRetransmit()), scheduler);
    }

    private final class DownloadHost implements DownloadJob.Host {
        @Override
        public void publish(DeviceEvent.Type type, long bytes, String detail) {
            SimDevice.this.publish(type, bytes, detail);
        }

        @Override
        public void cutPower(String reason) {
            SimDevice.this.cutPower(reason);
        }

        @Override
        public void schedule(Duration delay, Runnable task) {
            SimDevice.this.schedule(delay, task);
        }

        @Override
        public void ended(DownloadJob job) {
            boolean mine;
            synchronized (lock) {
                mine = download == job;
                if (mine) {
                    download = null;
                }
            }
            if (mine) {
                link.releaseAwake();
            }
        }
    }

    // ---- events ---------------------------------------------------------------------------------------------

    /** The machine's listener, called under the lock: observers of object 5 hear of it after the lock. */
    private void stateChanged(FirmwareState state, UpdateResult result) {
        FirmwareObject target = firmwareObject;
        events.publish(event(DeviceEvent.Type.STATE_CHANGED, -1, machine.failureDetail()), target == null ? null
                : () -> {
                    synchronized (lock) {
                        if (firmwareObject != target) {
                            return;
                        }
                    }
                    target.fireStateChange();
                });
    }

    private void publish(DeviceEvent.Type type, long bytes, String detail) {
        synchronized (lock) {
            events.publish(event(type, bytes, detail), null);
        }
    }

    private DeviceEvent event(DeviceEvent.Type type, long bytes, String detail) {
        synchronized (lock) {
            return new DeviceEvent(type, endpoint(), Instant.now(), running, machine.state(), machine.result(), bytes,
                    detail == null ? "" : detail);
        }
    }

    /** The HTTP client devices share unless given one; made on first use. */
    private static final class SharedHttp {
        static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Describes a {@link SimDevice}. Fluent setters say what happens by default; {@link #build()} checks the
     * whole and throws {@link IllegalStateException} naming what is missing or inconsistent.
     */
    public static final class Builder {
        private static final AtomicInteger EXECUTORS = new AtomicInteger();

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
            require(server != null, "a server URI is required: server(\"coap://127.0.0.1:5683\")");
            String scheme = String.valueOf(server.getScheme()).toLowerCase(Locale.ROOT);
            require(scheme.equals("coap") || scheme.equals("coaps"), "the server URI must be coap:// or coaps://, not "
                    + server);
            require(server.getHost() != null, "the server URI " + server + " names no host");
            require(!scheme.equals("coaps") || pskKey != null, "a coaps server needs psk(identity, key)");
            require(Integer.bitCount(coapBlockSize) == 1 && coapBlockSize >= 16 && coapBlockSize <= 1024,
                    "the CoAP block size must be a power of two from 16 to 1024, not " + coapBlockSize);
            require(slotSize >= 64, "the slot size must be at least 64 bytes");
            require(persistInterval > 0, "the persist interval must be positive");
            require(downloadRetries >= 0, "download retries must not be negative");
            require(lifetimeSeconds > 0, "the lifetime must be positive");
            require(faults.sleepPeriod() == null || faults.sleepPeriod().toSeconds() < lifetimeSeconds,
                    "a sleeping device must wake (every " + faults.sleepPeriod() + ") within its lifetime");
            ScheduledExecutorService threads = executor;
            boolean owned = threads == null;
            if (owned) {
                int number = EXECUTORS.incrementAndGet();
                threads = Executors.newScheduledThreadPool(2, task -> {
                    Thread thread = new Thread(task, "sim-" + endpoint + "-" + number);
                    thread.setDaemon(true);
                    return thread;
                });
            }
            boolean coaps = scheme.equals("coaps");
            DeviceSettings settings = new DeviceSettings(endpoint, server,
                    pskKey == null ? null : pskIdentity, pskKey, trustedKeys, slotSize, lifetimeSeconds,
                    queueMode || faults.isSleeping(), faults, healthCheck, coapBlockSize, rebootDelay, confirmDeadline,
                    healthCheckDelay, downloadRetries, retryDelay, ackTimeout, maxRetransmit, persistInterval,
                    powerOffTime, seed != null ? seed : endpoint.hashCode(), model, packageName,
                    httpClient != null ? httpClient : SharedHttp.CLIENT);
            LOG.debug("{}: {} with {}", endpoint, coaps ? "DTLS-PSK" : "plain CoAP", faults);
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

        private static void require(boolean condition, String message) {
            if (!condition) {
                throw new IllegalStateException(message);
            }
        }
    }
}
