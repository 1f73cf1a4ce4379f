package dev.ferry.cli.sim;

import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.UserInputException;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.McubootImage;
import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.FirmwareImages;
import dev.ferry.sim.fleet.ApiProvisioner;
import dev.ferry.sim.fleet.FaultPlan;
import dev.ferry.sim.fleet.Provisioner;
import dev.ferry.sim.fleet.SimFleet;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ferry sim}: a simulated fleet of LwM2M devices with MCUboot slots, provisioned through Ferry's API,
 * registered with its LwM2M endpoint and updated by it, with faults injected into a fraction of the fleet.
 */
@Command(name = "sim", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a simulated fleet: N LwM2M devices in this JVM, each with object 5 and an MCUboot slot"
                + " model, provisioned through the API, registered with the server, updated by it.",
            "Prints a summary every --summary-every and when it stops (--duration, or Ctrl-C)."},
        footer = {"", "Fault specs (comma-separated): fail-health-check, corrupt-download, foreign-package,"
                + " drop-connection-at=64k[x6],"
                + " slow-link=20k (bytes/s), latency=50ms, loss=0.05, sleeping=30s/5s (sleep period/awake time),"
                + " power-loss-during-download=8k, power-loss-before-confirm, refuse-pushed-package (result 6"
                + " after a push), refuse-update (Execute 5/0/2 answered 4.05), update-without-reboot (result 1"
                + " without installing), ignore-update (Execute answered 2.04, nothing happens),"
                + " fail-download-once=8k (result 4 once, the next try succeeds), silent-at=8k (the radio dies),"
                + " crash-loop=4/200ms (the first confirmed image reboots 4 times, 200 ms after each registration).",
            "Example: ferry sim --devices 500 --server coaps://127.0.0.1:5684 --psk-from-api"
                + " --image app-1.0.0.bin --trusted-key root.pem --fault 0.1:fail-health-check"})
public final class SimCommand implements Callable<Integer> {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--devices", defaultValue = "10", description = "How many devices (default: ${DEFAULT-VALUE}).")
    private int devices;

    @Option(names = "--server", required = true, paramLabel = "URI",
            description = "The LwM2M server: coap://HOST:5683 (no security) or coaps://HOST:5684 (a PSK per device).")
    private String server;

    @Option(names = "--api", defaultValue = "http://127.0.0.1:8080", paramLabel = "URL",
            description = "Ferry's HTTP API, to provision the devices (default: ${DEFAULT-VALUE}).")
    private URI api;

    @Option(names = "--api-token", paramLabel = "TOKEN", defaultValue = "${env:FERRY_TOKEN}",
            description = "API token for Ferry's HTTP API (default: $FERRY_TOKEN; or --api-token-file).")
    private String apiToken;

    @Option(names = "--api-token-file", paramLabel = "FILE",
            description = "File holding the API token, e.g. the server's <data-dir>/admin.token.")
    private java.nio.file.Path apiTokenFile;

    @Option(names = "--psk-from-api",
            description = "Let the server generate each PSK (shown once). Without it, PSKs derived from the"
                    + " endpoint names are sent, so a re-run finds its devices again.")
    private boolean pskFromApi;

    @Option(names = "--reprovision",
            description = "With --psk-from-api: delete and create again devices that exist already.")
    private boolean reprovision;

    @Option(names = "--no-provision",
            description = "Do not call the API; devices use PSKs derived from their names.")
    private boolean noProvision;

    @Option(names = "--prefix", defaultValue = "sim-",
            description = "Endpoint names are the prefix and an index (default: ${DEFAULT-VALUE}).")
    private String prefix;

    @Option(names = "--image", paramLabel = "FILE",
            description = "The MCUboot image the devices run at first. Default: a generated, unsigned 1.0.0+0.")
    private Path image;

    @Option(names = "--trusted-key", paramLabel = "PEM",
            description = "A key whose signatures the devices accept; repeat for several. Without one, devices"
                    + " check image hashes only.")
    private List<Path> trustedKeys = new ArrayList<>();

    @Option(names = "--faults", paramLabel = "SPEC", description = "Faults for --fault-rate of the fleet.")
    private String faults;

    @Option(names = "--fault-rate", defaultValue = "1.0", paramLabel = "FRACTION",
            description = "Fraction of the fleet that gets --faults (default: ${DEFAULT-VALUE}).")
    private double faultRate;

    @Option(names = "--fault", paramLabel = "FRACTION:SPEC",
            description = "Another fault group, e.g. 0.05:corrupt-download; repeat for more. Groups do not overlap.")
    private List<String> faultGroups = new ArrayList<>();

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed for picking faulty devices and losing packets (default: ${DEFAULT-VALUE}).")
    private long seed;

    @Option(names = "--duration", paramLabel = "TIME", converter = Units.DurationConverter.class,
            description = "Stop this long after every device's first registration (e.g. 10m). Default: Ctrl-C.")
    private Duration duration;

    @Option(names = "--summary-every", defaultValue = "10s", paramLabel = "TIME",
            converter = Units.DurationConverter.class, description = "Summary period (default: ${DEFAULT-VALUE}).")
    private Duration summaryEvery;

    @Option(names = "--concurrency", defaultValue = "50",
            description = "First registrations in flight while starting (default: ${DEFAULT-VALUE}).")
    private int concurrency;

    @Option(names = "--lifetime", defaultValue = "300", paramLabel = "SECONDS",
            description = "Registration lifetime (default: ${DEFAULT-VALUE}).")
    private long lifetime;

    @Option(names = "--slot-size", defaultValue = "512k", paramLabel = "SIZE", converter = Units.SizeConverter.class,
            description = "MCUboot slot size (default: ${DEFAULT-VALUE}).")
    private int slotSize;

    @Option(names = "--block-size", defaultValue = "512", converter = Units.SizeConverter.class,
            description = "CoAP Block2 size for pulls, 16..1024 (default: ${DEFAULT-VALUE}).")
    private int blockSize;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Keep each device's flash in DIR/<endpoint>, so the next run resumes. Default: memory.")
    private Path stateDir;

    /** --api-token, else the file --api-token-file names, else none. */
    private String apiToken() throws java.io.IOException {
        if (apiToken != null && !apiToken.isBlank()) {
            return apiToken.strip();
        }
        return apiTokenFile == null ? null : java.nio.file.Files.readString(apiTokenFile).strip();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (pskFromApi && server.startsWith("coap://")) {
            out.println("note: with a coap:// server the devices are provisioned without security;"
                    + " --psk-from-api applies to coaps:// servers");
        }
        byte[] primary = primaryImage(out);
        FaultPlan plan = faultPlan();
        Provisioner provisioner = noProvision ? Provisioner.derivedKeys() : new ApiProvisioner(api,
                pskFromApi ? ApiProvisioner.KeySource.SERVER_GENERATED : ApiProvisioner.KeySource.DERIVED,
                reprovision, apiToken());
        SimFleet fleet;
        try {
            fleet = SimFleet.builder().devices(devices).endpointPrefix(prefix).server(server).provisioner(provisioner)
                    .primaryImage(primary).trustedKeys(trustedKeys()).faults(plan).seed(seed)
                    .concurrency(concurrency).storageDirectory(stateDir)
                    .eachDevice(d -> d.lifetime(lifetime).slotSize(slotSize).coapBlockSize(blockSize))
                    .build();
        } catch (Provisioner.ProvisioningException e) {
            throw new UserInputException(e.getMessage());
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        out.printf("%d devices (%s0..%s%d) on %s, %s; faults: %s%n", devices, prefix, prefix, devices - 1, server,
                noProvision ? "not provisioned" : "provisioned through " + api, plan);
        return run(fleet, out);
    }

    private int run(SimFleet fleet, PrintWriter out) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(15, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ferry-sim-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "ferry-sim-summary");
            thread.setDaemon(true);
            return thread;
        });
        try (fleet) {
            ticker.scheduleAtFixedRate(() -> print(out, fleet), summaryEvery.toMillis(), summaryEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
            fleet.start().whenComplete((done, error) -> {
                out.printf("%s all devices tried their first registration%n", LocalTime.now().format(CLOCK));
                out.flush();
                if (duration != null) {
                    ticker.schedule(stop::countDown, duration.toMillis(), TimeUnit.MILLISECONDS);
                }
            });
            stop.await();
            ticker.shutdownNow();
            out.print("final: ");
            print(out, fleet);
        } finally {
            ticker.shutdownNow();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for us
            }
        }
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, SimFleet fleet) {
        out.printf("%s %s%n", LocalTime.now().format(CLOCK), fleet.summary().format());
        out.flush();
    }

    private byte[] primaryImage(PrintWriter out) throws Exception {
        if (image == null) {
            out.println("no --image: the devices run a generated, unsigned 1.0.0+0 image");
            return FirmwareImages.unsigned(new ImageVersion(1, 0, 0, 0), 16 * 1024);
        }
        byte[] bytes = Files.readAllBytes(image);
        McubootImage.parse(bytes); // refuses anything MCUboot would not boot, with the reason
        return bytes;
    }

    private TrustedKeys trustedKeys() throws Exception {
        List<ImagePublicKey> keys = new ArrayList<>();
        for (Path key : trustedKeys) {
            keys.add(KeyPem.readPublicKey(key));
        }
        return TrustedKeys.of(keys);
    }

    private FaultPlan faultPlan() {
        FaultPlan plan = FaultPlan.none();
        if (faults != null) {
            plan = plan.with(faultRate, Faults.parse(faults));
        }
        for (String group : faultGroups) {
            int colon = group.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("--fault " + group + ": write FRACTION:SPEC, e.g. 0.1:loss=0.05");
            }
            double fraction;
            try {
                fraction = Double.parseDouble(group.substring(0, colon));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--fault " + group + ": '" + group.substring(0, colon)
                        + "' is not a fraction", e);
            }
            plan = plan.with(fraction, Faults.parse(group.substring(colon + 1)));
        }
        return plan;
    }
}
