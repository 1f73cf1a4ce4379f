package dev.ferry.sim.device;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.image.ImageVersion;
import dev.ferry.sim.mcuboot.BootOutcome;
import dev.ferry.sim.mcuboot.Bootloader;
import dev.ferry.sim.mcuboot.FlashStorage;
import dev.ferry.sim.testing.TestFirmware;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UpdateMachineTest {
    private static final String URI = "coap://127.0.0.1:5683/fw/abc";
    private static final int CHECKPOINT = 4096;

    private final FlashStorage flash = FlashStorage.inMemory();
    private final Bootloader mcuboot = new Bootloader(flash, TestFirmware.TRUSTED);
    private final List<String> notified = new ArrayList<>();
    private UpdateMachine machine;

    @BeforeEach
    void programmed_device() {
        mcuboot.program(TestFirmware.OLD);
        boot();
    }

    private UpdateMachine.BootAction boot() {
        mcuboot.boot();
        machine = newMachine(64 * 1024);
        return machine.restore(mcuboot.running().version(), mcuboot.isConfirmed());
    }

    private UpdateMachine newMachine(int slotSize) {
        return new UpdateMachine(flash, mcuboot, TestFirmware.TRUSTED, slotSize, CHECKPOINT,
                (state, result) -> notified.add(state + "/" + result));
    }

    private void download(byte[] image, int chunk) {
        for (int at = 0; at < image.length; at += chunk) {
            assertThat(machine.write(at, Arrays.copyOfRange(image, at, Math.min(at + chunk, image.length)))).isTrue();
        }
        machine.finish();
    }

    @Test
    void a_verified_download_becomes_downloaded_with_its_version() {
        assertThat(machine.setUri(URI, null, "")).isEqualTo(UpdateMachine.UriWrite.START);
        download(TestFirmware.NEW, 512);

        assertThat(machine.state()).isEqualTo(FirmwareState.DOWNLOADED);
        assertThat(machine.packageVersion()).contains(TestFirmware.NEW_VERSION);
        assertThat(notified).containsExactly("DOWNLOADING/INITIAL", "DOWNLOADED/INITIAL");
    }

    @Test
    void update_swaps_on_trial_and_confirmation_reports_success() {
        machine.setUri(URI, null, "");
        download(TestFirmware.NEW, 1024);
        assertThat(machine.execute()).isTrue();
        assertThat(machine.state()).isEqualTo(FirmwareState.UPDATING);
        assertThat(mcuboot.isUpgradePending()).isTrue();

        assertThat(boot()).isEqualTo(UpdateMachine.BootAction.TRIAL);
        assertThat(machine.state()).isEqualTo(FirmwareState.UPDATING);
        mcuboot.confirm();
        machine.confirmed();

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.NORMAL);
    }

    @Test
    void an_update_without_installing_reports_success_and_leaves_the_old_image_running() {
        machine.setUri(URI, null, "");
        download(TestFirmware.NEW, 1024);

        assertThat(machine.executeWithoutInstalling()).isTrue();

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.SUCCESS);
        assertThat(notified).endsWith("UPDATING/INITIAL", "IDLE/SUCCESS");
        assertThat(mcuboot.isUpgradePending()).isFalse();
        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.NORMAL);
        assertThat(mcuboot.running().version()).isNotEqualTo(TestFirmware.NEW_VERSION);
    }

    @Test
    void a_refused_push_ends_idle_with_result_6_and_a_pull_is_not_refused() {
        assertThat(machine.beginPush()).isTrue();
        assertThat(machine.write(0, TestFirmware.NEW)).isTrue();

        machine.refusePushedPackage();

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.UNSUPPORTED_PACKAGE_TYPE);
        machine.setUri(URI, null, "");
        machine.refusePushedPackage();
        assertThat(machine.state()).isEqualTo(FirmwareState.DOWNLOADING);
    }

    @Test
    void an_unconfirmed_image_is_reverted_and_reported_as_update_failed() {
        machine.setUri(URI, null, "");
        download(TestFirmware.NEW, 1024);
        machine.execute();
        assertThat(boot()).isEqualTo(UpdateMachine.BootAction.TRIAL);

        assertThat(boot()).isEqualTo(UpdateMachine.BootAction.NOTHING); // no confirmation: MCUboot reverts

        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.UPDATE_FAILED);
        assertThat(machine.packageVersion()).contains(TestFirmware.NEW_VERSION);
    }

    @Test
    void a_power_cut_loses_the_bytes_after_the_last_checkpoint_and_the_pull_resumes_there() {
        machine.setUri(URI, null, "");
        machine.etagChanged(new byte[] {1, 2});
        machine.write(0, Arrays.copyOf(TestFirmware.NEW, CHECKPOINT));
        machine.write(CHECKPOINT, Arrays.copyOfRange(TestFirmware.NEW, CHECKPOINT, CHECKPOINT + 1000));
        assertThat(machine.written()).isEqualTo(CHECKPOINT + 1000);

        machine.powerLost();
        assertThat(boot()).isEqualTo(UpdateMachine.BootAction.RESUME_PULL);

        assertThat(machine.written()).isEqualTo(CHECKPOINT);
        assertThat(machine.packageUri()).isEqualTo(URI);
        assertThat(machine.etag()).contains(new byte[] {1, 2});
        machine.write(CHECKPOINT, Arrays.copyOfRange(TestFirmware.NEW, CHECKPOINT, TestFirmware.NEW.length));
        machine.finish();
        assertThat(machine.state()).isEqualTo(FirmwareState.DOWNLOADED);
    }

    @Test
    void a_changed_etag_restarts_the_download_from_zero() {
        machine.setUri(URI, null, "");
        assertThat(machine.etagChanged(new byte[] {1})).isFalse();
        machine.write(0, Arrays.copyOf(TestFirmware.NEW, 5000));

        assertThat(machine.etagChanged(new byte[] {2})).isTrue();

        assertThat(machine.written()).isZero();
    }

    @Test
    void a_push_cut_by_a_reboot_reports_connection_lost() {
        assertThat(machine.beginPush()).isTrue();
        machine.write(0, Arrays.copyOf(TestFirmware.NEW, CHECKPOINT * 2));

        assertThat(boot()).isEqualTo(UpdateMachine.BootAction.NOTHING);

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.CONNECTION_LOST);
    }

    @Test
    void a_damaged_image_fails_its_integrity_check_before_any_reboot() {
        byte[] damaged = TestFirmware.NEW.clone();
        damaged[damaged.length / 2] ^= 0x10;
        machine.beginPush();
        download(damaged, damaged.length);

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.INTEGRITY_CHECK_FAILURE);
        assertThat(mcuboot.isUpgradePending()).isFalse();
    }

    @Test
    void something_that_is_no_mcuboot_image_is_an_unsupported_package() {
        machine.beginPush();

        assertThat(machine.write(0, new byte[100])).isFalse();

        assertThat(machine.result()).isEqualTo(UpdateResult.UNSUPPORTED_PACKAGE_TYPE);
    }

    @Test
    void an_image_larger_than_the_slot_is_refused_at_its_header() {
        machine = newMachine(TestFirmware.NEW.length / 2);
        machine.restore(mcuboot.running().version(), true);
        machine.setUri(URI, null, "");

        assertThat(machine.write(0, Arrays.copyOf(TestFirmware.NEW, 512))).isFalse();

        assertThat(machine.result()).isEqualTo(UpdateResult.NOT_ENOUGH_FLASH);
        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
    }

    @Test
    void an_announced_size_larger_than_the_slot_is_refused() {
        machine.setUri(URI, null, "");

        assertThat(machine.announceSize(10_000_000)).isFalse();

        assertThat(machine.result()).isEqualTo(UpdateResult.NOT_ENOUGH_FLASH);
    }

    @Test
    void an_empty_uri_cancels_a_download_and_a_new_uri_waits_until_then() {
        machine.setUri(URI, null, "");
        assertThat(machine.setUri(URI, null, "")).isEqualTo(UpdateMachine.UriWrite.BUSY);

        assertThat(machine.setUri("", null, "")).isEqualTo(UpdateMachine.UriWrite.CANCELLED);

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.INITIAL);
        assertThat(machine.setUri(URI, null, "")).isEqualTo(UpdateMachine.UriWrite.START);
    }

    @Test
    void a_refused_uri_stays_idle_with_its_result() {
        assertThat(machine.setUri("ftp://x/y", UpdateResult.UNSUPPORTED_PROTOCOL, "ftp"))
                .isEqualTo(UpdateMachine.UriWrite.REFUSED);

        assertThat(machine.state()).isEqualTo(FirmwareState.IDLE);
        assertThat(machine.result()).isEqualTo(UpdateResult.UNSUPPORTED_PROTOCOL);
    }

    @Test
    void update_is_refused_unless_downloaded() {
        assertThat(machine.execute()).isFalse();
        assertThat(mcuboot.isUpgradePending()).isFalse();
    }

    @Test
    void the_record_survives_a_fresh_machine() {
        machine.setUri(URI, null, "");
        download(TestFirmware.NEW, 700);

        UpdateMachine after = newMachine(64 * 1024);
        after.restore(new ImageVersion(1, 0, 0, 0), true);

        assertThat(after.state()).isEqualTo(FirmwareState.DOWNLOADED);
        assertThat(after.packageVersion()).contains(TestFirmware.NEW_VERSION);
        assertThat(after.execute()).isTrue();
    }
}
