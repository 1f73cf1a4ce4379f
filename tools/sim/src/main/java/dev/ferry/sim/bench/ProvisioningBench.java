package dev.ferry.sim.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.ferry.sim.http.WholeExchange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What the database durability setting costs: provisioning requests per second and their latency against a fresh
 * server for each setting, the settings taking turns so that a change in machine load hits them alike. Each run
 * starts the server jar on an empty data directory, provisions a warm-up batch, then measures; the table shows
 * the median of the runs.
 */
@Command(name = "provisioning-bench", mixinStandardHelpOptions = true,
        description = "Measures POST /api/v1/devices per database.durability setting.")
public final class ProvisioningBench implements Runnable {
    /** The server's database URL before the durability setting existed: H2 writes commits up to 500 ms later. */
    private static final String LAZY_URL = "jdbc:h2:file:%s/ferry;DB_CLOSE_ON_EXIT=FALSE";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration REQUEST_LIMIT = Duration.ofSeconds(60);
    private static final Duration HEALTH_LIMIT = Duration.ofSeconds(5);

    @Option(names = "--server-jar", defaultValue = "server/target/ferry-server.jar")
    Path serverJar;
    @Option(names = "--work-dir", required = true, description = "Where each run's data directory is made")
    Path workDir;
    @Option(names = "--settings", split = ",", defaultValue = "lazy,process-crash,power-loss",
            description = "database.durability values; 'lazy' is H2's own default write delay, for comparison")
    List<String> settings;
    @Option(names = "--runs", defaultValue = "3")
    int runs;
    @Option(names = "--warm-up", defaultValue = "1000", description = "Requests before measuring, per run")
    int warmUp;
    @Option(names = "--requests", defaultValue = "3000", description = "Measured requests per run")
    int requests;
    @Option(names = "--concurrency", defaultValue = "16")
    int concurrency;
    @Option(names = "--port", defaultValue = "18090")
    int port;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProvisioningBench()).execute(args));
    }

    /**
     * One measured run: throughput, latency percentiles in ms, and the size of the database file while the server
     * still runs (a clean stop compacts it), which shows whether the file grows without H2's background writer.
     */
    record Run(double perSecond, double p50, double p99, double databaseMiB) {
    }

    @Override
    public void run() {
        Map<String, List<Run>> results = new LinkedHashMap<>();
        settings.forEach(s -> results.put(s, new ArrayList<>()));
        try {
            for (int run = 1; run <= runs; run++) {
                for (String setting : settings) {
                    Run measured = measure(setting, run);
                    results.get(setting).add(measured);
                    System.err.printf(Locale.ROOT, "run %d %-13s %7.0f req/s  p50 %6.2f ms  p99 %6.2f ms  %.1f MiB%n",
                            run, setting, measured.perSecond(), measured.p50(), measured.p99(), measured.databaseMiB());
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.out.printf(Locale.ROOT, "| database.durability | requests/s | p50 | p99 | database file |%n");
        System.out.printf("| --- | --- | --- | --- | --- |%n");
        results.forEach((setting, list) -> System.out.printf(Locale.ROOT, "| %s | %.0f | %.2f ms | %.2f ms | %.1f MiB |%n",
                setting, median(list, Run::perSecond), median(list, Run::p50), median(list, Run::p99),
                median(list, Run::databaseMiB)));
    }

    private Run measure(String setting, int run) throws Exception {
        Path data = Files.createDirectories(workDir.resolve(setting + "-" + run));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", serverJar.toString(), "--data-dir", data.toString(), "--bind-address",
                "127.0.0.1", "--http-port", Integer.toString(port), "--coap-port", "0", "--coaps-port", "0",
                // The figure is the server's provisioning rate, not the per-token request limit's.
                "--http-token-rate-limit", "0"));
        if (setting.equals("lazy")) {
            command.addAll(List.of("--database-url", String.format(LAZY_URL, data.toAbsolutePath())));
        } else {
            command.addAll(List.of("--database-durability", setting));
        }
        Process server = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(data.resolve("server.log").toFile()).start();
        ExecutorService httpThreads = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(httpThreads).build();
        URI base = URI.create("http://127.0.0.1:" + port);
        try {
            awaitHealthy(http, base, server);
            String token = dev.ferry.sim.http.ApiToken.read(data.resolve("admin.token"));
            provision(http, base, token, "warm-" + run + "-", warmUp);
            long started = System.nanoTime();
            long[] latencies = provision(http, base, token, "dev-" + run + "-", requests);
            double seconds = (System.nanoTime() - started) / 1e9;
            List<Duration> sorted = Arrays.stream(latencies).sorted().mapToObj(Duration::ofNanos).toList();
            double mib = Files.size(data.resolve("ferry.mv.db")) / (1024.0 * 1024.0);
            server.destroy();
            server.waitFor(60, TimeUnit.SECONDS);
            return new Run(requests / seconds, DownloadClock.percentile(sorted, 50) * 1000,
                    DownloadClock.percentile(sorted, 99) * 1000, mib);
        } finally {
            server.destroyForcibly();
            server.waitFor(60, TimeUnit.SECONDS);
            httpThreads.shutdownNow();
        }
    }

    /** Sends {@code count} provisioning requests from {@code concurrency} clients; returns each one's latency. */
    private long[] provision(HttpClient http, URI base, String token, String prefix, int count) throws Exception {
        long[] latencies = new long[count];
        AtomicInteger next = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                done.add(clients.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < count;) {
                        latencies[i] = provisionOne(http, base, token, prefix + i);
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get();
            }
        } finally {
            clients.shutdownNow();
        }
        return latencies;
    }

    private static long provisionOne(HttpClient http, URI base, String token, String endpoint) throws IOException,
            InterruptedException {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        String body = "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"psk\",\"key\":\""
                + HexFormat.of().formatHex(key) + "\"}}";
        HttpRequest request = dev.ferry.sim.http.ApiToken.authorize(HttpRequest.newBuilder(
                base.resolve("/api/v1/devices")), token).timeout(REQUEST_LIMIT)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        long started = System.nanoTime();
        HttpResponse<String> response = WholeExchange.send(http, request, HttpResponse.BodyHandlers.ofString(),
                REQUEST_LIMIT);
        long elapsed = System.nanoTime() - started;
        if (response.statusCode() != 201) {
            throw new IllegalStateException("provisioning " + endpoint + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return elapsed;
    }

    private static void awaitHealthy(HttpClient http, URI base, Process server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited with " + server.exitValue());
            }
            try {
                HttpResponse<Void> health = WholeExchange.send(http, HttpRequest.newBuilder(base.resolve("/health"))
                        .timeout(HEALTH_LIMIT).build(), HttpResponse.BodyHandlers.discarding(), HEALTH_LIMIT);
                if (health.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the server did not become healthy within 120 s");
    }

    private static double median(List<Run> runs, java.util.function.ToDoubleFunction<Run> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
