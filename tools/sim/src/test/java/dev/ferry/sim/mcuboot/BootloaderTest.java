package dev.ferry.sim.mcuboot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.keys.KeyType;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.testing.TestFirmware;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootloaderTest {

    private final FlashStorage flash = FlashStorage.inMemory();
    private final Bootloader mcuboot = new Bootloader(flash, TestFirmware.TRUSTED);

    @Test
    void programmed_image_boots_confirmed() {
        mcuboot.program(TestFirmware.OLD);

        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.NORMAL);
        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(mcuboot.isConfirmed()).isTrue();
    }

    @Test
    void test_swap_runs_the_new_image_unconfirmed_and_reverts_at_the_next_boot() {
        mcuboot.program(TestFirmware.OLD);
        mcuboot.boot();
        flash.write(Slot.SECONDARY, 0, TestFirmware.NEW);
        mcuboot.requestUpgrade(false);

        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.TEST_SWAP);
        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.NEW_VERSION);
        assertThat(mcuboot.isConfirmed()).isFalse();
        assertThat(flash.read(Slot.SECONDARY)).isEqualTo(TestFirmware.OLD);

        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.REVERT);
        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(mcuboot.isConfirmed()).isTrue();
        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.NORMAL);
    }

    @Test
    void a_confirmed_test_image_stays() {
        mcuboot.program(TestFirmware.OLD);
        flash.write(Slot.SECONDARY, 0, TestFirmware.NEW);
        mcuboot.requestUpgrade(false);
        mcuboot.boot();

        mcuboot.confirm();

        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.NORMAL);
        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.NEW_VERSION);
    }

    @Test
    void a_permanent_swap_needs_no_confirmation() {
        mcuboot.program(TestFirmware.OLD);
        flash.write(Slot.SECONDARY, 0, TestFirmware.NEW);
        mcuboot.requestUpgrade(true);

        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.PERMANENT_SWAP);
        assertThat(mcuboot.isConfirmed()).isTrue();
        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.NORMAL);
        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.NEW_VERSION);
    }

    @Test
    void a_damaged_secondary_image_is_erased_instead_of_swapped() {
        mcuboot.program(TestFirmware.OLD);
        byte[] damaged = TestFirmware.NEW.clone();
        damaged[damaged.length / 2] ^= 1;
        flash.write(Slot.SECONDARY, 0, damaged);
        mcuboot.requestUpgrade(false);

        assertThat(mcuboot.boot()).isEqualTo(BootOutcome.UPGRADE_REJECTED);
        assertThat(mcuboot.running().version()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(flash.length(Slot.SECONDARY)).isZero();
        assertThat(mcuboot.isUpgradePending()).isFalse();
    }

    @Test
    void an_image_signed_by_an_unknown_key_is_not_swapped_in() {
        Bootloader strict = new Bootloader(flash, TrustedKeys.of(
                ImageSigningKey.generate(KeyType.ED25519, new SecureRandom()).publicKey()));
        strict.program(TestFirmware.OLD);
        flash.write(Slot.SECONDARY, 0, TestFirmware.NEW);
        strict.requestUpgrade(false);

        assertThat(strict.boot()).isEqualTo(BootOutcome.UPGRADE_REJECTED);
    }

    @Test
    void an_empty_primary_slot_does_not_boot() {
        assertThatThrownBy(mcuboot::boot).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no bootable image");
    }

    @Test
    void slots_and_trailer_flags_survive_in_a_directory(@TempDir Path directory) throws IOException {
        FlashStorage disk = FlashStorage.inDirectory(directory);
        Bootloader first = new Bootloader(disk, TestFirmware.TRUSTED);
        first.program(TestFirmware.OLD);
        disk.write(Slot.SECONDARY, 0, Arrays.copyOf(TestFirmware.NEW, 1000));
        disk.write(Slot.SECONDARY, 1000, Arrays.copyOfRange(TestFirmware.NEW, 1000, TestFirmware.NEW.length));
        first.requestUpgrade(false);
        first.boot();

        // The JVM ends with the new image on trial; the next run's MCUboot reverts it.
        Bootloader next = new Bootloader(FlashStorage.inDirectory(directory), TestFirmware.TRUSTED);
        assertThat(next.boot()).isEqualTo(BootOutcome.REVERT);
        assertThat(next.running().version()).isEqualTo(TestFirmware.OLD_VERSION);
        assertThat(disk.read(Slot.SECONDARY)).isEqualTo(TestFirmware.NEW);
    }

    @Test
    void a_write_past_the_end_leaves_erased_bytes() {
        flash.write(Slot.SECONDARY, 4, new byte[] {1});

        assertThat(flash.read(Slot.SECONDARY)).containsExactly((byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 1);
    }
}
