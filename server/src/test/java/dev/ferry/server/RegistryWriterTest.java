package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.RegistrationRows;
import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.store.Database;

class RegistryWriterTest {
    @TempDir
    Path dataDir;

    @Test
    void a_registration_storm_is_written_in_batches_and_everything_queued_is_flushed_on_close() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            for (int i = 0; i < 200; i++) {
                repository.insert(DeviceCredentials.none("storm-" + i), List.of(), "{}");
            }
            DeviceEventBus bus = new DeviceEventBus();
            AtomicInteger published = new AtomicInteger();
            bus.subscribe(e -> published.incrementAndGet());
            RegistryWriter writer = new RegistryWriter(database, bus, 10_000, 50);
            writer.start();

            for (int i = 0; i < 200; i++) {
                assertThat(writer.submit(new RegistryChange.Registered("storm-" + i, "reg-" + i, "1.1", "U", false,
                        "1,3", "127.0.0.1:" + (10000 + i), 60, OffsetDateTime.now(), stored()))).isTrue();
            }
            writer.close();

            assertThat(writer.writtenCount()).isEqualTo(200);
            assertThat(writer.droppedCount()).isZero();
            assertThat(published.get()).isEqualTo(200);
            assertThat(repository.events(null, DeviceEventType.REGISTERED, 1000)).hasSize(200);
            assertThat(repository.find("storm-199").orElseThrow().online()).isTrue();
        }
    }

    @Test
    void submitting_to_a_full_queue_drops_and_counts_instead_of_blocking_the_caller() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            // Not started: nothing drains the queue, so it fills up.
            RegistryWriter writer = new RegistryWriter(database, new DeviceEventBus(), 100, 10);
            int accepted = 0;
            for (int i = 0; i < 150; i++) {
                if (writer.submit(new RegistryChange.Rejected(null, "test " + i, null, OffsetDateTime.now()))) {
                    accepted++;
                }
            }

            assertThat(accepted).isEqualTo(100);
            assertThat(writer.droppedCount()).isEqualTo(50);
            assertThat(writer.pending()).isEqualTo(100);
        }
    }

    @Test
    void a_deregistration_of_an_old_registration_does_not_take_the_new_one_offline() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            repository.insert(DeviceCredentials.none("flappy"), List.of(), "{}");
            RegistryWriter writer = new RegistryWriter(database, new DeviceEventBus(), 100, 10);
            writer.start();
            OffsetDateTime now = OffsetDateTime.now();
            writer.submit(new RegistryChange.Registered("flappy", "old", "1.1", "U", false, "3", "a", 60, now,
                    stored()));
            writer.submit(new RegistryChange.Registered("flappy", "new", "1.1", "U", false, "3", "b", 60, now,
                    stored()));
            writer.submit(new RegistryChange.Deregistered("flappy", "old", true, now));
            writer.close();

            assertThat(repository.find("flappy").orElseThrow().online()).isTrue();
            assertThat(repository.find("flappy").orElseThrow().registrationId()).isEqualTo("new");
        }
    }

    @Test
    void the_registration_row_is_written_and_removed_with_the_online_flag_and_goes_with_the_device() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            RegistrationRows rows = new RegistrationRows(database);
            repository.insert(DeviceCredentials.none("kept"), List.of(), "{}");
            OffsetDateTime now = OffsetDateTime.now();
            RegistryWriter writer = new RegistryWriter(database, new DeviceEventBus(), 100, 10);
            writer.start();
            writer.submit(new RegistryChange.Registered("kept", "r1", "1.1", "U", false, "3", "a", 60, now,
                    new RegistryChange.StoredRegistration("first", now.plusSeconds(60))));
            writer.submit(new RegistryChange.Updated("kept", "r1", "a", 60, null, now,
                    new RegistryChange.StoredRegistration("updated", now.plusSeconds(90))));
            writer.submit(new RegistryChange.Registered("unprovisioned", "r2", "1.1", "U", false, "3", "b", 60, now,
                    stored()));
            writer.close();

            assertThat(rows.all()).singleElement().satisfies(row -> {
                assertThat(row.endpoint()).isEqualTo("kept");
                assertThat(row.registrationId()).isEqualTo("r1");
                assertThat(row.data()).isEqualTo("updated");
            });
            assertThat(repository.find("kept").orElseThrow().online()).isTrue();

            RegistryWriter ending = new RegistryWriter(database, new DeviceEventBus(), 100, 10);
            ending.start();
            ending.submit(new RegistryChange.Deregistered("kept", "r1", false, now));
            ending.close();
            assertThat(rows.all()).isEmpty();
            assertThat(repository.find("kept").orElseThrow().online()).isFalse();

            RegistryWriter again = new RegistryWriter(database, new DeviceEventBus(), 100, 10);
            again.start();
            again.submit(new RegistryChange.Registered("kept", "r3", "1.1", "U", false, "3", "a", 60, now, stored()));
            again.close();
            assertThat(rows.all()).hasSize(1);
            repository.delete("kept");
            assertThat(rows.all()).as("deprovisioning removes the registration").isEmpty();
        }
    }

    @Test
    void a_device_that_registers_deregisters_and_registers_again_in_one_batch_ends_with_its_last_registration() {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            RegistrationRows rows = new RegistrationRows(database);
            repository.insert(DeviceCredentials.none("bouncing"), List.of(), "{}");
            repository.insert(DeviceCredentials.none("leaving"), List.of(), "{}");
            DeviceEventBus bus = new DeviceEventBus();
            List<DeviceEvent> published = new java.util.concurrent.CopyOnWriteArrayList<>();
            bus.subscribe(published::add);
            // Not started until everything is queued, so all of it is written in one transaction.
            RegistryWriter writer = new RegistryWriter(database, bus, 100, 100);
            OffsetDateTime now = OffsetDateTime.now();
            writer.submit(new RegistryChange.Registered("bouncing", "b1", "1.1", "U", false, "3", "a", 60, now,
                    new RegistryChange.StoredRegistration("first", now.plusSeconds(60))));
            writer.submit(new RegistryChange.Registered("leaving", "l1", "1.1", "U", false, "3", "c", 60, now,
                    stored()));
            writer.submit(new RegistryChange.Deregistered("bouncing", "b1", false, now));
            writer.submit(new RegistryChange.Deregistered("leaving", "l1", false, now));
            writer.submit(new RegistryChange.Registered("bouncing", "b2", "1.1", "U", false, "3", "b", 60, now,
                    new RegistryChange.StoredRegistration("second", now.plusSeconds(60))));
            writer.start();
            writer.close();

            assertThat(writer.writtenCount()).isEqualTo(5);
            assertThat(repository.find("bouncing").orElseThrow().registrationId()).isEqualTo("b2");
            assertThat(repository.find("bouncing").orElseThrow().online()).isTrue();
            assertThat(repository.find("leaving").orElseThrow().online()).isFalse();
            assertThat(rows.all()).singleElement().satisfies(row -> assertThat(row.data()).isEqualTo("second"));
            assertThat(published).extracting(DeviceEvent::endpoint, DeviceEvent::type).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("bouncing", DeviceEventType.REGISTERED),
                    org.assertj.core.groups.Tuple.tuple("leaving", DeviceEventType.REGISTERED),
                    org.assertj.core.groups.Tuple.tuple("bouncing", DeviceEventType.DEREGISTERED),
                    org.assertj.core.groups.Tuple.tuple("leaving", DeviceEventType.DEREGISTERED),
                    org.assertj.core.groups.Tuple.tuple("bouncing", DeviceEventType.REGISTERED));
            assertThat(published).extracting(DeviceEvent::id).isSorted().doesNotHaveDuplicates();
            assertThat(repository.events(null, null, published.size())).extracting(DeviceEvent::id)
                    .containsExactlyInAnyOrderElementsOf(published.stream().map(DeviceEvent::id).toList());
        }
    }

    private static RegistryChange.StoredRegistration stored() {
        return new RegistryChange.StoredRegistration("{}", OffsetDateTime.now().plusSeconds(60));
    }
}
