package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.impl.DSL;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/**
 * How long counting and paging a rollout-sized target takes in a registry of many devices (creating a rollout over
 * 100,000 registered devices must take under 2 s, and counting its target is most of that). Half the devices carry
 * tag {@code eu}, every one {@code fleet}; a quarter are meters, the rest gateways; every tenth runs 2.0.0. The
 * target is the gateways tagged both, below 2.0.0, whose endpoint starts with {@code dev-}. Benchmark only.
 *
 * <pre>java -cp ... dev.ferry.server.device.DeviceFilterBench [devices] [rounds]</pre>
 */
public final class DeviceFilterBench {
    private DeviceFilterBench() {
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path dir = Files.createTempDirectory("ferry-filter-bench-");
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            List<BulkInsert.NewDevice> devices = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                List<String> tags = i % 2 == 0 ? List.of("fleet", "eu") : List.of("fleet");
                devices.add(new BulkInsert.NewDevice(DeviceCredentials.none(String.format("dev-%06d", i)),
                        i % 4 == 0 ? "meter" : "gateway", tags, "{}", null));
            }
            database.dsl().connection(c -> BulkInsert.insert(c, devices, OffsetDateTime.now()));
            database.dsl().update(DEVICE).set(DEVICE.FIRMWARE_VERSION,
                    DSL.when(DEVICE.ID.mod(10).eq(0L), "2.0.0+0").otherwise("1.0.0+0")).execute();
            DeviceFilter target = new DeviceFilter(List.of("fleet", "eu"), List.of(), "gateway", "<2.0.0", null,
                    "dev-", List.of());
            for (int round = 0; round < rounds; round++) {
                long started = System.nanoTime();
                int matched = repository.countMatching(target);
                long countMillis = (System.nanoTime() - started) / 1_000_000;
                started = System.nanoTime();
                int paged = 0;
                String after = null;
                for (List<Device> page = repository.matching(target, null, 1000); !page.isEmpty();
                        page = repository.matching(target, after, 1000)) {
                    paged += page.size();
                    after = page.get(page.size() - 1).endpoint();
                }
                long pageMillis = (System.nanoTime() - started) / 1_000_000;
                System.out.printf("round %d: counted %d of %d devices in %d ms; paged through %d in pages of 1000"
                        + " in %d ms%n", round, matched, count, countMillis, paged, pageMillis);
            }
        }
    }
}
