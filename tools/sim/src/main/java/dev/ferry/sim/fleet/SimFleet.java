package dev.ferry.sim.fleet;

import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.FirmwareState;
import dev.ferry.sim.device.SimDevice;
import dev.ferry.sim.device.UpdateResult;
import dev.ferry.sim.mcuboot.FlashStorage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Many {@link SimDevice}s in one JVM, sharing threads: provisioned through a {@link Provisioner}, started at a
 * bounded rate, faults assigned by a seeded {@link FaultPlan}, summarised by {@link #summary()}.
 * <pre>{@code
 * try (SimFleet fleet = SimFleet.builder().devices(500).server("coaps://127.0.0.1:5684")
 *         .provisioner(new ApiProvisioner(URI.create("http://127.0.0.1:8080"), KeySource.SERVER_GENERATED, false, null))
 *         .primaryImage(v1).trustedKeys(trusted)
 *         .faults(FaultPlan.none().with(0.1, Faults.none().failHealthCheck()))
 *         .build()) {
 *     fleet.start().get();
 *     System.out.println(fleet.summary().format());
 * }
 * }</pre>
 */
public final class SimFleet implements AutoCloseable {
    private static final Duration FIRST_REGISTRATION_TIMEOUT = Duration.ofSeconds(60);

    private final List<SimDevice> devices;
    private final Map<String, UpdateResult> lastOutcome = new ConcurrentHashMap<>();
    private final ScheduledExecutorService threads;
    private final int concurrency;

    private SimFleet(List<SimDevice> devices, ScheduledExecutorService threads, int concurrency) {
        this.devices = List.copyOf(devices);
        this.threads = threads;
        this.concurrency = concurrency;
        for (SimDevice device : devices) {
            device.addListener(event -> {
                if (event.isUpdateOutcome()) {
                    lastOutcome.put(event.endpoint(), event.result());
                }
            });
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<SimDevice> devices() {
        return devices;
    }

    /** @throws IllegalArgumentException for an endpoint that is not in the fleet */
    public SimDevice device(String endpoint) {
        return devices.stream().filter(d -> d.endpoint().equals(endpoint)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(endpoint + " is not in this fleet"));
    }

    /**
     * Powers every device on, at most {@code concurrency} first registrations in flight. Completes once every
     * device registered or failed (or waited 60 s for) its first registration.
     */
    public CompletableFuture<Void> start() {
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (devices.isEmpty()) {
            all.complete(null);
            return all;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger settled = new AtomicInteger();
        Runnable launch = new Runnable() {
            @Override
            public void run() {
                int index = next.getAndIncrement();
                if (index >= devices.size()) {
                    return;
                }
                SimDevice device = devices.get(index);
                device.next(e -> e.type() == DeviceEvent.Type.REGISTERED
                                || e.type() == DeviceEvent.Type.REGISTRATION_FAILED)
                        .orTimeout(FIRST_REGISTRATION_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
                        .whenComplete((event, error) -> {
                            if (settled.incrementAndGet() == devices.size()) {
                                all.complete(null);
                            }
                            if (!threads.isShutdown()) {
                                threads.execute(this);
                            }
                        });
                device.start();
            }
        };
        for (int i = 0; i < Math.min(concurrency, devices.size()); i++) {
            launch.run();
        }
        return all;
    }

    /** The fleet now. */
    public FleetSummary summary() {
        int poweredOn = 0;
        int registered = 0;
        int downloading = 0;
        int downloaded = 0;
        int updating = 0;
        int succeeded = 0;
        int reverted = 0;
        int faulty = 0;
        Map<UpdateResult, Integer> failed = new EnumMap<>(UpdateResult.class);
        Map<String, Integer> versions = new TreeMap<>();
        for (SimDevice device : devices) {
            poweredOn += device.isPoweredOn() ? 1 : 0;
            registered += device.isRegistered() ? 1 : 0;
            FirmwareState state = device.firmwareState();
            downloading += state == FirmwareState.DOWNLOADING ? 1 : 0;
            downloaded += state == FirmwareState.DOWNLOADED ? 1 : 0;
            updating += state == FirmwareState.UPDATING ? 1 : 0;
            faulty += device.faults().isNone() ? 0 : 1;
            versions.merge(device.runningVersion().toString(), 1, Integer::sum);
            UpdateResult outcome = lastOutcome.get(device.endpoint());
            if (outcome == UpdateResult.SUCCESS) {
                succeeded++;
            } else if (outcome == UpdateResult.UPDATE_FAILED) {
                reverted++;
            } else if (outcome != null) {
                failed.merge(outcome, 1, Integer::sum);
            }
        }
        return new FleetSummary(devices.size(), poweredOn, registered, downloading, downloaded, updating, succeeded,
                reverted, failed, versions, faulty);
    }

    /** Powers every device off (no deregistration) and stops the fleet's threads. */
    @Override
    public void close() {
        List<CompletableFuture<Void>> off = new ArrayList<>();
        for (SimDevice device : devices) {
            off.add(device.powerOff());
        }
        try {
            CompletableFuture.allOf(off.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // a device that does not power off in time is abandoned with the JVM's other daemon threads
        }
        devices.forEach(SimDevice::close);
        threads.shutdownNow();
    }

    /**
     * Describes a fleet; setters say what happens by default. {@link #build()} provisions the devices and
     * creates them, not yet powered on.
     */
    public static final class Builder {
        private int count = -1;
        private String prefix = "sim-";
        private URI server;
        private Provisioner provisioner = Provisioner.derivedKeys();
        private byte[] primaryImage;
        private TrustedKeys trustedKeys = TrustedKeys.none();
        private FaultPlan faults = FaultPlan.none();
        private long seed = 1;
        private int concurrency = 50;
        private int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private Path storageDirectory;
        private Consumer<SimDevice.Builder> customizer = b -> { };

        private Builder() {
        }

        /** How many devices. Required. */
        public Builder devices(int count) {
            this.count = count;
            return this;
        }

        /** Endpoint names are this prefix and the device's index: {@code sim-0}, {@code sim-1}... By default "sim-". */
        public Builder endpointPrefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** The LwM2M server, coap:// (no security) or coaps:// (a PSK per device). Required. */
        public Builder server(String uri) {
            this.server = URI.create(uri);
            return this;
        }

        /** Where credentials come from. By default PSKs derived from the names, no server call. */
        public Builder provisioner(Provisioner provisioner) {
            this.provisioner = provisioner;
            return this;
        }

        /** The image every device runs at first. Required unless every device's stored flash has one. */
        public Builder primaryImage(byte[] image) {
            this.primaryImage = image.clone();
            return this;
        }

        /** Keys the devices trust. By default none: hash checks only. */
        public Builder trustedKeys(TrustedKeys keys) {
            this.trustedKeys = keys;
            return this;
        }

        /** Which devices get which faults. By default none. */
        public Builder faults(FaultPlan plan) {
            this.faults = plan;
            return this;
        }

        /** Seed of fault assignment and packet loss: same seed, same fleet. By default 1. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** First registrations in flight at once while starting. By default 50. */
        public Builder concurrency(int concurrency) {
            this.concurrency = concurrency;
            return this;
        }

        /** Threads shared by all devices (the Leshan clients add their own I/O threads). By default 2 per core. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Keeps each device's flash in {@code directory/<endpoint>}, so a later run resumes. By default in memory. */
        public Builder storageDirectory(Path directory) {
            this.storageDirectory = directory;
            return this;
        }

        /** Applied to every device's builder last: timings, block size, health checks... */
        public Builder eachDevice(Consumer<SimDevice.Builder> customizer) {
            this.customizer = customizer;
            return this;
        }

        /**
         * Provisions the devices and creates them.
         *
         * @throws IllegalStateException when the description is incomplete
         * @throws Provisioner.ProvisioningException when the server refuses a device
         * @throws IOException when a storage directory cannot be used
         */
        public SimFleet build() throws Provisioner.ProvisioningException, IOException {
            if (count < 0 || server == null) {
                throw new IllegalStateException("a fleet needs devices(n) and server(uri)");
            }
            if (concurrency < 1 || threads < 1) {
                throw new IllegalStateException("concurrency and threads must be at least 1");
            }
            boolean secure = "coaps".equalsIgnoreCase(server.getScheme());
            List<String> endpoints = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                endpoints.add(prefix + i);
            }
            Map<String, DeviceCredentials> credentials = provisioner.provision(endpoints, secure);
            List<Faults> assigned = faults.assign(count, seed);
            ScheduledExecutorService pool = Executors.newScheduledThreadPool(threads, new DaemonThreads());
            List<SimDevice> devices = new ArrayList<>();
            try {
                for (int i = 0; i < count; i++) {
                    String endpoint = endpoints.get(i);
                    DeviceCredentials credential = credentials.getOrDefault(endpoint, DeviceCredentials.NONE);
                    SimDevice.Builder device = SimDevice.builder(endpoint).server(server.toString())
                            .trustedKeys(trustedKeys).faults(assigned.get(i)).seed(seed * 1_000_003L + i)
                            .sharedExecutor(pool);
                    if (credential.hasPsk()) {
                        device.psk(credential.identity(), credential.key());
                    }
                    if (primaryImage != null) {
                        device.primaryImage(primaryImage);
                    }
                    if (storageDirectory != null) {
                        device.storage(FlashStorage.inDirectory(storageDirectory.resolve(endpoint)));
                    }
                    customizer.accept(device);
                    devices.add(device.build());
                }
            } catch (IOException | RuntimeException e) {
                devices.forEach(SimDevice::close);
                pool.shutdownNow();
                throw e;
            }
            return new SimFleet(devices, pool, concurrency);
        }
    }

    private static final class DaemonThreads implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger number = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "sim-fleet-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
