package dev.ferry.server.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.store.Database;

/** Saved groups on a real database; a group a rollout uses keeps its filter and stays. */
@Timeout(60)
class DeviceGroupsTest {
    static final DeviceFilter EU = new DeviceFilter(List.of("eu"), null, null, null, null, null, null);
    static final DeviceFilter US = new DeviceFilter(List.of("us"), null, null, null, null, null, null);

    @TempDir
    Path dataDir;
    Database database;
    DeviceRepository registry;
    DeviceGroups groups;

    @BeforeEach
    void givenARegistry() {
        database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())));
        registry = new DeviceRepository(database);
        groups = new DeviceGroups(database, registry, Clock.systemUTC());
        registry.insert(DeviceCredentials.none("a"), List.of("eu"), "{}");
        registry.insert(DeviceCredentials.none("b"), List.of("eu", "us"), "{}");
    }

    @AfterEach
    void close() {
        database.close();
    }

    @Test
    void a_group_is_stored_with_its_filter_and_read_back_the_same() {
        DeviceFilter filter = new DeviceFilter(List.of("eu"), List.of("x", "y"), "gw", ">=1.0.0 <2.0.0", true, "a",
                List.of("a", "b"));
        groups.create("g", "described", filter, "ops");

        DeviceGroup read = groups.find("g").orElseThrow();
        assertThat(read.filter()).isEqualTo(filter);
        assertThat(read.description()).isEqualTo("described");
        assertThat(read.createdBy()).isEqualTo("ops");
    }

    @Test
    void a_group_used_by_a_rollout_cannot_be_deleted_or_refiltered_but_can_be_described() {
        groups.create("eu", null, EU, null);
        groups.usedBy(name -> name.equals("eu") ? Optional.of("rollout 7 ('spring', running)") : Optional.empty());

        assertThatThrownBy(() -> groups.delete("eu")).isInstanceOfSatisfying(GroupException.class,
                e -> assertThat(e.kind()).isEqualTo(GroupException.Kind.IN_USE))
                .hasMessageContaining("rollout 7 ('spring', running)");
        assertThatThrownBy(() -> groups.change("eu", null, US)).isInstanceOf(GroupException.class)
                .hasMessageContaining("rollout 7");
        assertThat(groups.change("eu", "now described", EU).description()).isEqualTo("now described");
        assertThat(groups.find("eu").orElseThrow().filter()).isEqualTo(EU);

        groups.usedBy(GroupUsage.UNUSED);
        groups.delete("eu");
        assertThat(groups.find("eu")).isEmpty();
    }

    @Test
    void members_and_counts_follow_the_registry_and_a_tag_scope_narrows_them() {
        DeviceGroup eu = groups.create("eu", null, EU, null);
        registry.insert(DeviceCredentials.none("c"), List.of("eu"), "{}");

        assertThat(groups.members(eu, DeviceFilter.ALL, null, 10)).extracting(Device::endpoint)
                .containsExactly("a", "b", "c");
        assertThat(groups.count(eu, US)).isEqualTo(1);
        assertThat(groups.members(eu, US, null, 10)).extracting(Device::endpoint).containsExactly("b");
    }
}
