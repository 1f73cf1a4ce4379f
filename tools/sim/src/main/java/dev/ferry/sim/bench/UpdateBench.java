package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.image.McubootImage;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.bench.FerryApi.Session;
import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.SimDevice;
import dev.ferry.sim.fleet.ApiProvisioner;
import dev.ferry.sim.fleet.SimFleet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Fleet update benchmark: N simulated devices registered with Ferry over plain CoAP are all asked at once to
 * update (pull-coap, CoAP block-wise) to a published image; the server lets {@code --concurrency} of them
 * download at a time. Reports wall time, the server's CPU seconds and peak heap, and compares the wall time
 * with the ideal of (one device's download time alone) x devices / concurrency. {@code tools/bench/update-bench}
 * prepares the server, the images and the key, and runs this.
 */
@Command(name = "update-bench", mixinStandardHelpOptions = true,
        description = "Updates N simulated devices at once and measures the server.")
public final class UpdateBench implements Callable<Integer> {
    @Option(names = "--api", defaultValue = "http://127.0.0.1:18080", description = "Ferry's HTTP API")
    URI api;
    @picocli.CommandLine.Mixin
    dev.ferry.sim.http.ApiToken token = new dev.ferry.sim.http.ApiToken();
    @Option(names = "--server", defaultValue = "coap://127.0.0.1:15683", description = "Ferry's LwM2M endpoint")
    String server;
    @Option(names = "--devices", defaultValue = "1000")
    int devices;
    @Option(names = "--concurrency", required = true,
            description = "The server's update.max-concurrent-downloads (for the ideal time; set on the server)")
    int concurrency;
    @Option(names = "--firmware-id", required = true, description = "Id of the published image to install")
    long firmwareId;
    @Option(names = "--image", required = true, description = "Signed MCUboot image the devices run at first")
    Path image;
    @Option(names = "--trusted-key", required = true, description = "Public key (PEM) the devices trust")
    Path trustedKey;
    @Option(names = "--model", defaultValue = "bench", description = "The devices' model (3/0/1)")
    String model;
    @Option(names = "--delivery", defaultValue = "pull-coap")
    String delivery;
    @Option(names = "--block-size", defaultValue = "512", description = "Block2 size the devices ask for")
    int blockSize;
    @Option(names = "--probes", defaultValue = "3", description = "Extra devices updated one at a time first;"
            + " their median download time is the per-device time")
    int probes;
    @Option(names = "--prefix", defaultValue = "ubench-", description = "Endpoint name prefix")
    String prefix;
    @Option(names = "--server-pid", description = "The server's process id, for its CPU time and heap")
    Long serverPid;
    @Option(names = "--gc-log", description = "The server's -Xlog:gc file, for its peak heap")
    Path gcLog;
    @Option(names = "--poll-ms", defaultValue = "500", description = "How often the update event log is read")
    long pollMillis;
    @Option(names = "--posts-in-flight", defaultValue = "16", description = "Update requests sent at once")
    int postsInFlight;
    @Option(names = "--timeout-minutes", defaultValue = "60", description = "Longest wait for the fleet's updates")
    long timeoutMinutes;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the figures to this JSON file")
    Path json;
    @Option(names = "--stuck-seconds", defaultValue = "60", description = "Stop waiting for sessions the server"
            + " keeps open this long after their devices reported their outcomes")
    long stuckSeconds;

    private FerryApi http;
    private final DownloadClock clock = new DownloadClock();

    public static void main(String[] args) {
        System.exit(new CommandLine(new UpdateBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (probes < 1 || devices < 1 || concurrency < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--devices, --concurrency and --probes must be at least 1");
        }
        http = new FerryApi(api, token.value());
        ServerProcess process = serverPid == null ? null : new ServerProcess(serverPid, gcLog);
        byte[] v1 = Files.readAllBytes(image);
        System.out.printf("devices run %s; %d devices + %d probes; concurrency %d; %s, %d-byte blocks%n",
                McubootImage.parse(v1).version(), devices, probes, concurrency, delivery, blockSize);
        try (SimFleet probeFleet = fleet(prefix + "probe-", probes, v1); SimFleet fleet = fleet(prefix, devices, v1)) {
            probeFleet.start().get();
            fleet.start().get();
            awaitOnlineAndRead(probeFleet, fleet);
            Duration perDevice = probe(probeFleet);
            FleetRun run = new FleetRun(http, clock, firmwareId, delivery, pollMillis, postsInFlight,
                    Duration.ofSeconds(stuckSeconds));
            FleetRun.Measured measured = run.update(fleet.devices(), process, Duration.ofMinutes(timeoutMinutes));
            return new UpdateReport(devices, concurrency, blockSize, perDevice, clock, measured).print(json);
        }
    }

    private SimFleet fleet(String endpointPrefix, int count, byte[] firstImage) throws Exception {
        TrustedKeys trusted = TrustedKeys.of(KeyPem.readPublicKey(trustedKey));
        return SimFleet.builder().devices(count).endpointPrefix(endpointPrefix).server(server)
                .provisioner(new ApiProvisioner(api, ApiProvisioner.KeySource.DERIVED, false, token.value()))
                .primaryImage(firstImage).trustedKeys(trusted)
                .eachDevice(d -> d.lifetime(3600).model(model).coapBlockSize(blockSize).listener(clock))
                .build();
    }

    /**
     * Waits until every device is registered and the server has read its objects 3 and 5 after registering, so
     * those reads do not run into the measurement.
     */
    private void awaitOnlineAndRead(SimFleet... fleets) throws Exception {
        Set<String> waiting = new HashSet<>();
        for (SimFleet fleet : fleets) {
            for (SimDevice device : fleet.devices()) {
                if (!device.isRegistered()) {
                    throw new IllegalStateException(device.endpoint() + " did not register: " + device);
                }
                waiting.add(device.endpoint());
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!waiting.isEmpty()) {
            for (JsonNode device : http.devices(prefix)) {
                if (device.path("online").asBoolean() && device.hasNonNull("firmwareVersion")
                        && device.hasNonNull("firmwareUpdate")) {
                    waiting.remove(device.path("endpoint").asText());
                }
            }
            if (waiting.isEmpty()) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(waiting.size() + " devices registered but the server did not read"
                        + " their objects 3 and 5 within 5 minutes, e.g. " + waiting.iterator().next());
            }
            Thread.sleep(pollMillis);
        }
        System.out.printf("all %d devices registered; the server read their objects 3 and 5%n",
                fleets[0].devices().size() + fleets[1].devices().size());
    }

    /** Updates each probe device alone; the median of their download times is the per-device time. */
    private Duration probe(SimFleet probeFleet) throws Exception {
        List<Duration> times = new ArrayList<>();
        for (SimDevice device : probeFleet.devices()) {
            CompletableFuture<DeviceEvent> outcome = device.nextUpdateOutcome();
            Session session = http.startUpdate(device.endpoint(), firmwareId, delivery).get(1, TimeUnit.MINUTES);
            outcome.get(10, TimeUnit.MINUTES);
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(stuckSeconds);
            do {
                if (System.nanoTime() > giveUp) {
                    throw new IllegalStateException("the server kept the probe update of " + device.endpoint()
                            + " open " + stuckSeconds + " s after the device reported its outcome: " + session);
                }
                Thread.sleep(100);
                session = http.session(device.endpoint(), session.id()).get(1, TimeUnit.MINUTES);
            } while (!session.isFinal());
            Duration download = clock.download(device.endpoint());
            if (!"succeeded".equals(session.state()) || download == null) {
                throw new IllegalStateException("the probe update of " + device.endpoint() + " ended "
                        + session.state() + " (" + session.failureReason() + "): " + session.detail());
            }
            times.add(download);
            System.out.printf(Locale.ROOT, "probe %s alone: download %.3f s (device), download slot %.3f s (server,"
                    + " starting to downloaded), whole update %.3f s%n", device.endpoint(),
                    DownloadClock.seconds(download),
                    seconds(session.entered("starting"), session.entered("downloaded")),
                    seconds(session.createdAt(), session.finishedAt()));
        }
        times.sort(null);
        return times.get(times.size() / 2);
    }

    static double seconds(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e9;
    }

    /** Bounded parallelism for the API calls. */
    static <T> List<T> all(List<java.util.function.Supplier<CompletableFuture<T>>> calls, int inFlight)
            throws Exception {
        Semaphore permits = new Semaphore(inFlight);
        List<CompletableFuture<T>> futures = new ArrayList<>();
        for (var call : calls) {
            permits.acquire();
            futures.add(call.get().whenComplete((v, e) -> permits.release()));
        }
        List<T> results = new ArrayList<>();
        for (CompletableFuture<T> future : futures) {
            results.add(future.get());
        }
        return results;
    }
}
