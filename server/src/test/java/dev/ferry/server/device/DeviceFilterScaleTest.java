package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/**
 * Counting a rollout's target over a registry of 100,000 devices is most of creating the rollout, which must take
 * under 2 s; the bound here is looser, for a shared test machine, but a filter that read every device's tags row by
 * row, or sorted the fleet for each page, would miss it by far.
 */
@Timeout(300)
class DeviceFilterScaleTest {
    static final int DEVICES = 100_000;

    @TempDir
    Path dataDir;

    @Test
    void filters_count_and_page_a_registry_of_100000_devices_quickly() throws Exception {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            List<BulkInsert.NewDevice> devices = new ArrayList<>(DEVICES);
            for (int i = 0; i < DEVICES; i++) {
                List<String> tags = i % 2 == 0 ? List.of("fleet", "eu") : List.of("fleet");
                devices.add(new BulkInsert.NewDevice(DeviceCredentials.none(String.format("dev-%06d", i)),
                        i % 4 == 0 ? "meter" : "gateway", tags, "{}", null));
            }
            database.dsl().connection(c -> BulkInsert.insert(c, devices, OffsetDateTime.now()));
            database.dsl().update(DEVICE).set(DEVICE.FIRMWARE_VERSION, DSL.when(DEVICE.ID.mod(10).eq(0L), "2.0.0+0")
                    .otherwise("1.0.0+0")).execute();
            DeviceFilter target = new DeviceFilter(List.of("fleet", "eu"), List.of(), "gateway", "<2.0.0", null,
                    "dev-", List.of());
            int expected = (int) java.util.stream.IntStream.range(0, DEVICES)
                    .filter(i -> i % 2 == 0 && i % 4 != 0).filter(i -> (i + 1) % 10 != 0).count();
            repository.countMatching(target);

            long started = System.nanoTime();
            int count = repository.countMatching(target);
            long countMillis = (System.nanoTime() - started) / 1_000_000;
            started = System.nanoTime();
            int paged = 0;
            String after = null;
            while (true) {
                List<Device> page = repository.matching(target, after, 1000);
                if (page.isEmpty()) {
                    break;
                }
                paged += page.size();
                after = page.get(page.size() - 1).endpoint();
            }
            long pageMillis = (System.nanoTime() - started) / 1_000_000;
            System.out.printf("count of %d devices in %d ms, paged through them in %d ms%n", count, countMillis,
                    pageMillis);

            assertThat(count).isEqualTo(expected);
            assertThat(paged).isEqualTo(expected);
            assertThat(countMillis).as("counting a target of 100,000 devices").isLessThan(1500);
        }
    }
}
