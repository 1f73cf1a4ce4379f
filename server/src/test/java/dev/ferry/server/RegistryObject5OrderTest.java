package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.DeviceEventBus;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.device.ReceiptClock;
import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.store.Database;

/** The registry's copy of object 5 keeps the value received last, whatever order its writers queue them in. */
class RegistryObject5OrderTest {
    @TempDir
    Path dataDir;

    @Test
    void a_read_received_before_a_notification_but_queued_after_it_does_not_overwrite_it() {
        Device stored = writeInOrder(List.of(
                // The device confirmed its new image: state 0, result 1 notified...
                (older, newer) -> new RegistryChange.FirmwareResourceNotified("confirming", 3, 0, newer, now()),
                (older, newer) -> new RegistryChange.FirmwareResourceNotified("confirming", 5, 1, newer, now()),
                // ...while a read answered earlier (state 3, result 0) reaches the queue only now.
                (older, newer) -> new RegistryChange.FirmwareStateRead("confirming", 3, 0, older, now())));

        assertThat(stored.firmwareState()).isZero();
        assertThat(stored.firmwareResult()).isEqualTo(1);
    }

    @Test
    void a_newer_read_replaces_an_older_notification_and_a_value_not_read_is_kept() {
        Device stored = writeInOrder(List.of(
                (older, newer) -> new RegistryChange.FirmwareResourceNotified("confirming", 5, 8, older, now()),
                (older, newer) -> new RegistryChange.FirmwareResourceNotified("confirming", 3, 2, older, now()),
                (older, newer) -> new RegistryChange.FirmwareStateRead("confirming", null, 1, newer, now())));

        assertThat(stored.firmwareState()).isEqualTo(2);
        assertThat(stored.firmwareResult()).isEqualTo(1);
    }

    private interface Change {
        RegistryChange of(long older, long newer);
    }

    private Device writeInOrder(List<Change> changes) {
        try (Database database = Database.open(FerryConfig.of(Map.of(Setting.DATA_DIR, dataDir.toString())))) {
            DeviceRepository repository = new DeviceRepository(database);
            repository.insert(DeviceCredentials.none("confirming"), List.of(), "{}");
            RegistryWriter writer = new RegistryWriter(database, new DeviceEventBus(), 100, 10);
            writer.start();
            long older = ReceiptClock.next();
            long newer = ReceiptClock.next();
            for (Change change : changes) {
                assertThat(writer.submit(change.of(older, newer))).isTrue();
            }
            writer.close();
            return repository.find("confirming").orElseThrow();
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now();
    }
}
