package dev.ferry.server.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/**
 * What one audit append costs on the server's own H2 setup: appends one at a time, each awaited (the latency a
 * mutating API call waits for), then from many threads at once (the writer batches them into one commit).
 * A benchmark, not a test: {@code java -cp server/target/ferry-server.jar:server/target/test-classes
 * dev.ferry.server.audit.AuditAppendBench [appends] [threads]}.
 */
public final class AuditAppendBench {
    private AuditAppendBench() {
    }

    public static void main(String[] args) throws Exception {
        int appends = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path dir = Files.createTempDirectory("ferry-audit-bench-");
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dir.toString())));
                AuditLog log = AuditLog.open(database)) {
            sequential(log, appends / 3); // warm-up
            double[] latencies = sequential(log, appends);
            Arrays.sort(latencies);
            double total = Arrays.stream(latencies).sum();
            System.out.printf("one at a time: %d appends, %.0f appends/s, p50 %.2f ms, p99 %.2f ms%n", appends,
                    appends / (total / 1000), latencies[appends / 2], latencies[(int) (appends * 0.99)]);
            concurrent(log, appends, threads);
            System.out.println("chain valid: " + log.verify().valid() + ", entries: " + log.verify().entries());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double[] sequential(AuditLog log, int count) throws Exception {
        double[] millis = new double[count];
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            log.append(event(i)).get(30, TimeUnit.SECONDS);
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return millis;
    }

    private static void concurrent(AuditLog log, int count, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                workers.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        CompletableFuture<AuditEntry> done = log.append(event(i));
                        done.get(30, TimeUnit.SECONDS);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(5, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("%d threads, each awaiting its append: %d appends, %.0f appends/s%n", threads, count,
                    count / seconds);
        } finally {
            pool.shutdownNow();
        }
    }

    /** About the size of a provisioning call's entry. */
    private static AuditEvent event(int i) {
        return new AuditEvent(Instant.now(), new Actor("release-pipeline", "operator"), "POST /api/v1/devices",
                "device:bench-" + i, "201", "{\"body\":{\"endpoint\":\"bench-" + i + "\",\"security\":{\"mode\":\"psk\","
                        + "\"key\":\"[redacted]\"},\"tags\":[\"hall-3\",\"line-2\"]}}");
    }
}
