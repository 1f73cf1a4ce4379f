package dev.ferry.server.telemetry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/**
 * The downsampling query over one device path of many values (ten million by default, one a second: 116 days),
 * read from the rollups as the API does, side by side with the same buckets computed from the values themselves
 * (the reference). The values are stored first through the telemetry store, in batches as the writer stores them,
 * which keeps the rollups; the store's rate is reported too. Each query runs once to warm up, then {@code runs}
 * times; the median is reported. Benchmark only.
 *
 * <pre>java -cp ... dev.ferry.server.telemetry.TelemetryQueryBench [values] [runs] [batch]</pre>
 */
public final class TelemetryQueryBench {
    private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private TelemetryQueryBench() {
    }

    public static void main(String[] args) throws Exception {
        int values = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 2_000;
        Path dir = Files.createTempDirectory("ferry-telemetry-query-bench-");
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dir.toString())))) {
            TelemetryStore store = new TelemetryStore(database);
            ingestCost(database, store, batch, runs);
            long started = System.nanoTime();
            List<TelemetryPoint> points = new ArrayList<>(batch);
            for (int i = 0; i < values; i++) {
                points.add(new TelemetryPoint("meter-1", "/3303/0/5700", START.plusSeconds(i), "FLOAT",
                        20 + (i % 1000) / 100.0, null));
                if (points.size() == batch || i == values - 1) {
                    store.insert(points, START);
                    points.clear();
                }
                if ((i + 1) % 1_000_000 == 0) {
                    System.out.printf("stored %,d values, %.0f/s%n", i + 1, (i + 1) / seconds(started));
                }
            }
            System.out.printf("stored %,d values in %.1f s: %.0f values/s (with rollups, batches of %,d)%n",
                    values, seconds(started), values / seconds(started), batch);

            TelemetryQueries queries = new TelemetryQueries(database);
            Instant to = START.plusSeconds(values);
            Instant alignedTo = Instant.ofEpochSecond(Math.floorDiv(to.getEpochSecond() + 3599, 3600) * 3600);
            for (Duration step : List.of(Duration.ofDays(1), Duration.ofHours(1))) {
                int limit = TelemetryQueries.MAX_LIMIT;
                time("rollups, step " + step, runs, () -> queries.buckets("meter-1", "/3303/0/5700", START,
                        alignedTo, step, limit).size());
                time("values (reference), step " + step, runs, () -> queries.bucketsFromValues("meter-1",
                        "/3303/0/5700", START, alignedTo, step, limit).size());
            }
        }
    }

    /**
     * What keeping the rollups costs the store: rounds of 100,000 values stored with them and without (the values'
     * rows alone), alternating, for one series and for a batch of 2,000 devices' values (each its own bucket).
     */
    private static void ingestCost(Database database, TelemetryStore store, int batch, int runs) {
        int perRound = 100_000;
        for (int devices : new int[] { 1, batch }) {
            double[] with = new double[runs];
            double[] without = new double[runs];
            for (int round = -1; round < runs; round++) {
                for (boolean rollups : new boolean[] { true, false }) {
                    String prefix = "cost-" + devices + "-" + rollups + "-" + round + "-";
                    long started = System.nanoTime();
                    for (int from = 0; from < perRound; from += batch) {
                        List<TelemetryPoint> points = new ArrayList<>(batch);
                        for (int i = from; i < from + batch; i++) {
                            points.add(new TelemetryPoint(prefix + (i % devices), "/3303/0/5700",
                                    START.plusSeconds(i / devices * 5L), "FLOAT", i / 10.0, null));
                        }
                        if (rollups) {
                            store.insert(points, START);
                        } else {
                            database.dsl().transaction(tx -> TelemetryStore.insertValues(tx.dsl(), points,
                                    START.atOffset(java.time.ZoneOffset.UTC)));
                        }
                    }
                    double rate = perRound / seconds(started);
                    if (round >= 0) {
                        (rollups ? with : without)[round] = rate;
                    }
                }
            }
            Arrays.sort(with);
            Arrays.sort(without);
            System.out.printf("store, %,d series per batch: with rollups median %,.0f values/s %s; values alone"
                    + " median %,.0f values/s %s%n", devices, with[runs / 2], Arrays.toString(with),
                    without[runs / 2], Arrays.toString(without));
        }
    }

    private static void time(String what, int runs, Supplier<Integer> query) {
        int buckets = query.get();
        double[] millis = new double[runs];
        for (int i = 0; i < runs; i++) {
            long started = System.nanoTime();
            query.get();
            millis[i] = (System.nanoTime() - started) / 1e6;
        }
        Arrays.sort(millis);
        System.out.printf("%-40s %,6d buckets: median %8.1f ms (runs %s)%n", what, buckets, millis[runs / 2],
                Arrays.toString(millis));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
