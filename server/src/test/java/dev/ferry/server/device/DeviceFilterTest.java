package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/** Filters select the same devices in SQL (pages, counts) as in memory ({@link DeviceFilter#matches}). */
@Timeout(60)
class DeviceFilterTest {
    @TempDir
    Path dataDir;
    Database database;
    DeviceRepository repository;

    @BeforeEach
    void givenARegistry() {
        database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())));
        repository = new DeviceRepository(database);
        device("gw-1", "gateway", "1.0.0+0", true, "eu", "canary");
        device("gw-2", "gateway", "1.0.0+3", false, "eu");
        device("gw-3", "gateway", "2.0.0+0", true, "us");
        device("gw_x", "gateway", "1.5.0+0", true);
        device("gwAx", "gateway", "1.5.0+0", false, "us", "canary");
        device("meter-1", "meter", "1.0.0+0", true, "eu");
        device("meter-2", "meter", "v7", false, "eu");
        device("meter-3", "meter", null, false);
        device("new-1", null, null, false, "eu");
    }

    @AfterEach
    void closeRegistry() {
        database.close();
    }

    @Test
    void every_condition_selects_what_it_says() {
        assertThat(endpoints(filter().tagsAll("eu", "canary"))).containsExactly("gw-1");
        assertThat(endpoints(filter().tagsAny("us", "canary"))).containsExactly("gw-1", "gw-3", "gwAx");
        assertThat(endpoints(filter().model("meter"))).containsExactly("meter-1", "meter-2", "meter-3");
        assertThat(endpoints(filter().version("1.0.0"))).containsExactly("gw-1", "gw-2", "meter-1");
        assertThat(endpoints(filter().version("1.0.0+3"))).containsExactly("gw-2");
        assertThat(endpoints(filter().version(">=1.0.0 <2.0.0")))
                .containsExactly("gw-1", "gw-2", "gwAx", "gw_x", "meter-1");
        assertThat(endpoints(filter().version("<0.1.0"))).isEmpty();
        assertThat(endpoints(filter().online(true))).containsExactly("gw-1", "gw-3", "gw_x", "meter-1");
        assertThat(endpoints(filter().online(false))).containsExactly("gw-2", "gwAx", "meter-2", "meter-3", "new-1");
        assertThat(endpoints(filter().prefix("gw_"))).as("_ is no wildcard").containsExactly("gw_x");
        assertThat(endpoints(filter().prefix("gw"))).containsExactly("gw-1", "gw-2", "gw-3", "gwAx", "gw_x");
        assertThat(endpoints(filter().endpoints("meter-3", "gw-2", "unknown"))).containsExactly("gw-2", "meter-3");
        assertThat(endpoints(DeviceFilter.ALL)).hasSize(9);
    }

    @Test
    void conditions_combine_and_sql_agrees_with_the_in_memory_match() {
        List<DeviceFilter> filters = List.of(DeviceFilter.ALL,
                filter().tagsAll("eu").model("gateway").version("<2.0.0").build(),
                filter().tagsAny("eu", "us").online(false).build(),
                filter().prefix("gw").version(">1.0.0").online(true).build(),
                filter().tagsAll("eu").tagsAny("canary", "us").build(),
                filter().endpoints("gw-1", "meter-1", "meter-2").version("1.0.0").build(),
                filter().model("meter").version(">=0.0.0").build(),
                filter().prefix("x").build());
        List<Device> all = repository.matching(DeviceFilter.ALL, null, 100);
        for (DeviceFilter f : filters) {
            List<String> inMemory = all.stream().filter(f::matches).map(Device::endpoint).toList();
            assertThat(endpoints(f)).as(f.toString()).isEqualTo(inMemory);
            assertThat(repository.countMatching(f)).as(f.toString()).isEqualTo(inMemory.size());
        }
    }

    @Test
    void pages_follow_the_cursor_in_endpoint_order() {
        DeviceFilter gateways = filter().model("gateway").build();
        List<String> seen = new ArrayList<>();
        String after = null;
        for (int page = 0; page < 10; page++) {
            List<Device> devices = repository.matching(gateways, after, 2);
            if (devices.isEmpty()) {
                break;
            }
            devices.forEach(d -> seen.add(d.endpoint()));
            after = devices.get(devices.size() - 1).endpoint();
        }

        assertThat(seen).containsExactly("gw-1", "gw-2", "gw-3", "gwAx", "gw_x");
    }

    @Test
    void matched_devices_carry_their_tags() {
        assertThat(repository.matching(filter().endpoints("gw-1").build(), null, 10)).singleElement()
                .satisfies(d -> assertThat(d.tags()).containsExactly("canary", "eu"));
    }

    private List<String> endpoints(FilterBuilder builder) {
        return endpoints(builder.build());
    }

    private List<String> endpoints(DeviceFilter filter) {
        return repository.matching(filter, null, 1000).stream().map(Device::endpoint).toList();
    }

    private void device(String endpoint, String model, String version, boolean online, String... tags) {
        repository.insert(DeviceCredentials.none(endpoint), List.of(tags), "{}", model);
        database.dsl().update(DEVICE).set(DEVICE.FIRMWARE_VERSION, version).set(DEVICE.ONLINE, online)
                .where(DEVICE.ENDPOINT.eq(endpoint)).execute();
    }

    static FilterBuilder filter() {
        return new FilterBuilder();
    }

    static final class FilterBuilder {
        List<String> tagsAll = List.of();
        List<String> tagsAny = List.of();
        String model;
        String version;
        Boolean online;
        String prefix;
        List<String> endpoints = List.of();

        FilterBuilder tagsAll(String... tags) {
            tagsAll = List.of(tags);
            return this;
        }

        FilterBuilder tagsAny(String... tags) {
            tagsAny = List.of(tags);
            return this;
        }

        FilterBuilder model(String m) {
            model = m;
            return this;
        }

        FilterBuilder version(String v) {
            version = v;
            return this;
        }

        FilterBuilder online(boolean o) {
            online = o;
            return this;
        }

        FilterBuilder prefix(String p) {
            prefix = p;
            return this;
        }

        FilterBuilder endpoints(String... e) {
            endpoints = List.of(e);
            return this;
        }

        DeviceFilter build() {
            return new DeviceFilter(tagsAll, tagsAny, model, version, online, prefix, endpoints);
        }
    }
}
