package dev.ferry.server.api;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ferry.server.auth.FailedAttempts;
import dev.ferry.server.auth.RequestRate;
import dev.ferry.server.auth.Role;
import dev.ferry.server.auth.TokenSpec;
import dev.ferry.server.auth.TokenStore;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * What authentication adds to {@code GET /api/v1/devices/{ep}}: one Vert.x server, one database, and the device
 * route's own handler mounted twice, at {@code /api/v1/devices/:endpoint} behind the authentication handler the API
 * mounts (token sent, found in memory, rate bucket taken) and at {@code /open/devices/:endpoint} without it. Rounds
 * alternate between the two; each reports the server's CPU per request (the CPU time of the Vert.x event-loop and
 * worker threads, which also run the embedded database's queries; the client's threads are not counted) and the
 * requests per second. Benchmark only: the server itself has no way to serve the API without authentication.
 *
 * <pre>java -cp ... dev.ferry.server.api.AuthenticationCostBench [rounds] [requests-per-round] [clients]</pre>
 */
public final class AuthenticationCostBench {
    private AuthenticationCostBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path dir = Files.createTempDirectory("ferry-auth-bench-");
        FerryConfig config = FerryConfig.of(Map.of(Setting.DATA_DIR, dir.toString()));
        Vertx vertx = Vertx.vertx();
        try (Database database = Database.open(config); TokenStore tokens = new TokenStore(database, Clock.systemUTC())) {
            DeviceRepository repository = new DeviceRepository(database);
            repository.insert(DeviceCredentials.psk("bench-1", "bench-1", new byte[16]), List.of("bench"), "{}");
            String token = tokens.create(new TokenSpec("bench", Role.VIEWER, Optional.empty(), Optional.empty()),
                    "bench").value();
            Blocking blocking = new Blocking(vertx);
            // The rate limit's bucket is taken on every request, as in the server, at a rate the bench cannot reach.
            Authentication authentication = new Authentication(tokens, new FailedAttempts(10, Duration.ofMinutes(1),
                    Clock.systemUTC()), new RequestRate(10_000_000, 10_000_000, System::nanoTime), blocking,
                    endpoint -> repository.find(endpoint).map(d -> d.tags()));
            ApiRoute show = new DeviceRoutes(repository, null, null,
                    new dev.ferry.server.telemetry.TelemetryQueries(database), blocking).routes().stream()
                    .filter(r -> r.method() == HttpMethod.GET && r.path().equals("/api/v1/devices/:endpoint"))
                    .findFirst().orElseThrow();
            Router router = Router.router(vertx);
            router.get(show.path()).handler(authentication.handlerFor(show)).handler(show::check).handler(show.handler());
            router.get("/open/devices/:endpoint").handler(show::check).handler(show.handler());
            int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").toCompletionStage()
                    .toCompletableFuture().get(30, TimeUnit.SECONDS).actualPort();
            URI withAuth = URI.create("http://127.0.0.1:" + port + "/api/v1/devices/bench-1");
            URI without = URI.create("http://127.0.0.1:" + port + "/open/devices/bench-1");
            System.out.printf(Locale.ROOT, "%d rounds of %d requests each way, %d clients, %d cores%n", rounds,
                    requests, clients, Runtime.getRuntime().availableProcessors());
            for (int warm = 0; warm < 3; warm++) { // both paths compiled before anything is counted
                run(withAuth, token, requests, clients);
                run(without, null, requests, clients);
            }
            double[] authCpu = new double[rounds];
            double[] openCpu = new double[rounds];
            double[] authRate = new double[rounds];
            double[] openRate = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                double[] a = run(withAuth, token, requests, clients);
                double[] o = run(without, null, requests, clients);
                authCpu[round] = a[0];
                authRate[round] = a[1];
                openCpu[round] = o[0];
                openRate[round] = o[1];
                System.out.printf(Locale.ROOT, "round %2d: with auth %6.1f us CPU/request %7.0f req/s; without %6.1f us"
                        + " %7.0f req/s%n", round + 1, a[0], a[1], o[0], o[1]);
            }
            System.out.printf(Locale.ROOT, "the token check alone (hash, lookup in memory, rate bucket, last use),"
                    + " in a loop: %.2f us per request%n", checkAlone(tokens, token));
            double[] ratios = new double[rounds];
            for (int round = 0; round < rounds; round++) {
                ratios[round] = (authCpu[round] - openCpu[round]) / openCpu[round] * 100;
            }
            System.out.printf(Locale.ROOT, "median of the rounds' own differences: %+.1f %%%n", median(ratios));
            double a = median(authCpu);
            double o = median(openCpu);
            System.out.printf(Locale.ROOT, "median server CPU per request: with auth %.1f us, without %.1f us:"
                    + " authentication adds %.1f us (%.1f %%); median req/s %.0f vs %.0f%n", a, o, a - o,
                    (a - o) / o * 100, median(authRate), median(openRate));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** {@code requests} GETs from {@code clients} threads; returns server CPU microseconds per request and req/s. */
    private static double[] run(URI uri, String token, int requests, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        ExecutorService httpThreads = Executors.newFixedThreadPool(2);
        HttpClient http = HttpClient.newBuilder().executor(httpThreads).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
        HttpRequest request = token == null ? builder.build() : builder.header("Authorization", "Bearer " + token).build();
        long cpuBefore = serverCpuNanos();
        long started = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int share = requests / clients;
            done.add(pool.submit(() -> {
                for (int i = 0; i < share; i++) {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException(uri + " answered " + response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long cpu = serverCpuNanos() - cpuBefore;
        pool.shutdownNow();
        // The client's threads too: left running, they would keep the JVM from exiting after the last round.
        httpThreads.shutdownNow();
        int sent = requests / clients * clients;
        return new double[] {cpu / 1e3 / sent, sent / seconds};
    }

    /** The steps the authentication handler takes for a token in memory, timed alone: microseconds per check. */
    private static double checkAlone(TokenStore tokens, String token) {
        RequestRate rate = new RequestRate(10_000_000, 10_000_000, System::nanoTime);
        long found = 0;
        for (int round = 0; round < 3; round++) {
            long started = System.nanoTime();
            int checks = 1_000_000;
            for (int i = 0; i < checks; i++) {
                if (dev.ferry.server.auth.TokenSecret.wellFormed(token)) {
                    byte[] hash = dev.ferry.server.auth.TokenSecret.hash(token);
                    var known = tokens.cached(hash);
                    if (known.isPresent() && !known.get().expiredAt(tokens.now())
                            && rate.take(known.get().id()).isEmpty()) {
                        tokens.used(hash);
                        found++;
                    }
                }
            }
            if (round == 2) {
                if (found == 0) {
                    throw new IllegalStateException("the token was never found");
                }
                return (System.nanoTime() - started) / 1e3 / checks;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /** CPU time of the threads that serve requests: Vert.x event loops and workers. */
    private static long serverCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("vert.x-")) {
                long cpu = threads.getThreadCpuTime(info.getThreadId());
                total += Math.max(cpu, 0);
            }
        }
        return total;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
