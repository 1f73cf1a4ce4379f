package dev.ferry.sim;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ferry.sim.http.WholeExchange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Registration benchmark: N real Leshan clients in this JVM register with a server (Ferry, or the plain
 * Leshan baseline); reports registrations/s, p50/p99 latency, and when given the server's pid its CPU time per
 * registration and heap per registered device.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Register N simulated devices and measure the server.")
final class BenchCommand implements Callable<Integer> {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Duration PROVISIONING_TIMEOUT = Duration.ofSeconds(30);

    @Option(names = "--server", required = true, description = "coap://127.0.0.1:5683 or coaps://127.0.0.1:5684")
    String server;

    @Option(names = "--api", description = "Ferry's HTTP API (e.g. http://127.0.0.1:8080) to provision the devices")
    String api;

    @Option(names = "--devices", defaultValue = "1000")
    int devices;

    @Option(names = "--prefix", defaultValue = "bench")
    String prefix;

    @Option(names = "--concurrency", defaultValue = "50", description = "Registrations in flight at once")
    int concurrency;

    @Option(names = "--server-pid", description = "Server process id, to read its CPU time and heap")
    Long serverPid;

    @Option(names = "--settle-seconds", defaultValue = "0",
            description = "Wait this long before measuring heap (e.g. 250 to pass CoAP deduplication)")
    int settleSeconds;

    @Option(names = "--label", defaultValue = "server")
    String label;

    @Override
    public Integer call() throws Exception {
        boolean secure = server.startsWith("coaps://");
        if (api != null) {
            provision(secure);
        }
        long heapBefore = serverPid == null ? -1 : heapUsedKiB();
        long cpuBefore = serverPid == null ? -1 : cpuMillis();
        ScheduledExecutorService shared = Executors.newScheduledThreadPool(4);
        List<SimulatedDevice> started = new ArrayList<>(devices);
        long[] latencies = new long[devices];
        AtomicInteger failures = new AtomicInteger();
        Semaphore inFlight = new Semaphore(concurrency);
        List<CompletableFuture<Void>> all = new ArrayList<>(devices);
        long begin = System.nanoTime();
        for (int i = 0; i < devices; i++) {
            String endpoint = BenchKeys.endpoint(prefix, i);
            SimulatedDevice device = new SimulatedDevice(endpoint, server, endpoint,
                    secure ? BenchKeys.psk(endpoint) : null, 3600, shared);
            started.add(device);
            inFlight.acquire();
            int index = i;
            device.start();
            all.add(device.registered().handle((nanos, error) -> {
                inFlight.release();
                if (error != null) {
                    failures.incrementAndGet();
                    latencies[index] = Long.MAX_VALUE;
                } else {
                    latencies[index] = nanos;
                }
                return null;
            }));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.MINUTES);
        double seconds = (System.nanoTime() - begin) / 1e9;
        long cpuAfter = serverPid == null ? -1 : cpuMillis();
        Arrays.sort(latencies);
        int ok = devices - failures.get();
        System.out.printf("%s: %d/%d registered over %s in %.1f s: %.0f registrations/s, p50 %.1f ms, p99 %.1f ms%n",
                label, ok, devices, secure ? "DTLS-PSK (TLS_PSK_WITH_AES_128_CCM_8)" : "CoAP", seconds,
                ok / seconds, latencies[(int) (ok * 0.50)] / 1e6, latencies[Math.max(0, (int) (ok * 0.99) - 1)] / 1e6);
        if (serverPid != null) {
            System.out.printf("%s: server CPU %.2f ms per registration (%d ms total)%n", label,
                    (cpuAfter - cpuBefore) / (double) ok, cpuAfter - cpuBefore);
            if (settleSeconds > 0) {
                Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
            }
            long heapAfter = heapUsedKiB();
            System.out.printf("%s: server heap %d KiB before, %d KiB with %d devices registered: %.2f KiB per device"
                    + " (after %d s settle)%n", label, heapBefore, heapAfter, ok, (heapAfter - heapBefore) / (double) ok,
                    settleSeconds);
        }
        started.forEach(d -> d.stop(false));
        shared.shutdownNow();
        return failures.get() == 0 ? 0 : 1;
    }

    private void provision(boolean secure) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            String endpoint = BenchKeys.endpoint(prefix, i);
            String security = secure ? "{\"mode\":\"psk\",\"identity\":\"" + endpoint + "\",\"key\":\""
                    + HexFormat.of().formatHex(BenchKeys.psk(endpoint)) + "\"}" : "{\"mode\":\"none\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(api + "/api/v1/devices"))
                    .timeout(PROVISIONING_TIMEOUT).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"endpoint\":\"" + endpoint + "\",\"security\":" + security + "}"))
                    .build();
            inFlight.acquire();
            replies.add(WholeExchange.sendAsync(http, request, HttpResponse.BodyHandlers.ofString(),
                    PROVISIONING_TIMEOUT)
                    .whenComplete((r, e) -> inFlight.release()));
        }
        int conflicts = 0;
        for (CompletableFuture<HttpResponse<String>> reply : replies) {
            int status = reply.get().statusCode();
            if (status == 409) {
                conflicts++;
            } else if (status != 201) {
                throw new IllegalStateException("provisioning failed: " + status + " " + reply.get().body());
            }
        }
        System.out.printf("provisioned %d devices through %s (%d already there)%n", devices, api, conflicts);
    }

    private long cpuMillis() throws IOException {
        String[] fields = Files.readString(Path.of("/proc/" + serverPid + "/stat")).split("\\) ")[1].split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
        return ticks * 1000 / 100; // USER_HZ is 100 on Linux
    }

    private long heapUsedKiB() throws IOException, InterruptedException {
        run("jcmd", serverPid.toString(), "GC.run");
        String info = run("jcmd", serverPid.toString(), "GC.heap_info");
        Matcher matcher = HEAP_USED.matcher(info);
        if (!matcher.find()) {
            throw new IllegalStateException("cannot read heap use from jcmd: " + info);
        }
        return Long.parseLong(matcher.group(1));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return output;
    }
}
