package dev.ferry.sim.mcuboot;

import dev.ferry.image.McubootImage;
import dev.ferry.image.verify.TrustedKeys;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * A model of MCUboot's swap upgrade for one image: the two slots in {@link FlashStorage}, and the
 * trailer flags MCUboot keeps at the end of each slot (here one setting, {@value #SETTING}).
 *
 * <ul>
 *   <li>{@link #requestUpgrade(boolean)} is {@code boot_request_upgrade()}: marks the secondary slot pending.
 *   <li>{@link #boot()} is what MCUboot does at reset: validates a pending secondary image with the trusted
 *       keys and swaps it in (test or permanent), or reverts an unconfirmed test image, or does nothing.
 *   <li>{@link #confirm()} is {@code boot_write_img_confirmed()}: the running image stays for good.
 * </ul>
 *
 * A swap here is atomic; the real one is resumable after a power cut, which gives the same outcome.
 * Not thread-safe: the device serialises its calls.
 */
public final class Bootloader {
    static final String SETTING = "mcuboot";

    private enum Pending { NONE, TEST, PERMANENT }

    private final FlashStorage flash;
    private final TrustedKeys trustedKeys;
    private Pending pending = Pending.NONE;
    private boolean primaryConfirmed = true;
    private boolean primaryOnTrial;
    private McubootImage running;

    public Bootloader(FlashStorage flash, TrustedKeys trustedKeys) {
        this.flash = flash;
        this.trustedKeys = trustedKeys;
        flash.readSetting(SETTING).ifPresent(this::decode);
    }

    /**
     * Factory programming: {@code image} becomes the confirmed primary image, the secondary slot is erased.
     *
     * @throws IllegalArgumentException when the image is not one MCUboot would boot
     */
    public void program(byte[] image) {
        ImageCheck.Outcome outcome = ImageCheck.check(image, TrustedKeys.none());
        if (!outcome.isOk()) {
            throw new IllegalArgumentException("the primary image is not a valid MCUboot image: " + outcome.message());
        }
        flash.erase(Slot.PRIMARY);
        flash.write(Slot.PRIMARY, 0, image);
        flash.erase(Slot.SECONDARY);
        pending = Pending.NONE;
        primaryConfirmed = true;
        primaryOnTrial = false;
        persist();
    }

    /** True once a primary image was programmed (now or in an earlier run with the same storage). */
    public boolean hasPrimaryImage() {
        return flash.length(Slot.PRIMARY) > 0;
    }

    /**
     * Runs the boot decision and returns what was done; afterwards {@link #running()} is the image that runs.
     *
     * @throws IllegalStateException when the primary slot holds no bootable image (the device is bricked)
     */
    public BootOutcome boot() {
        BootOutcome outcome = BootOutcome.NORMAL;
        if (pending != Pending.NONE) {
            if (ImageCheck.check(flash.read(Slot.SECONDARY), trustedKeys).isOk()) {
                flash.swap();
                outcome = pending == Pending.TEST ? BootOutcome.TEST_SWAP : BootOutcome.PERMANENT_SWAP;
                primaryConfirmed = pending == Pending.PERMANENT;
                primaryOnTrial = pending == Pending.TEST;
            } else {
                flash.erase(Slot.SECONDARY);
                outcome = BootOutcome.UPGRADE_REJECTED;
            }
            pending = Pending.NONE;
        } else if (primaryOnTrial && !primaryConfirmed) {
            flash.swap();
            outcome = BootOutcome.REVERT;
            primaryConfirmed = true;
            primaryOnTrial = false;
        }
        persist();
        ImageCheck.Outcome primary = ImageCheck.check(flash.read(Slot.PRIMARY), TrustedKeys.none());
        if (!primary.isOk()) {
            running = null;
            throw new IllegalStateException("no bootable image in the primary slot: " + primary.message());
        }
        running = primary.image();
        return outcome;
    }

    /** The image that runs since the last {@link #boot()}. */
    public McubootImage running() {
        if (running == null) {
            throw new IllegalStateException("the device has not booted");
        }
        return running;
    }

    /** False while a test image runs that was not confirmed yet. */
    public boolean isConfirmed() {
        return primaryConfirmed;
    }

    /** Marks the secondary slot for a swap at the next boot: a test swap, or a permanent one. */
    public void requestUpgrade(boolean permanent) {
        pending = permanent ? Pending.PERMANENT : Pending.TEST;
        persist();
    }

    /** True while a swap is requested for the next boot. */
    public boolean isUpgradePending() {
        return pending != Pending.NONE;
    }

    /** Confirms the running image (writes image_ok), so the next boot keeps it. */
    public void confirm() {
        primaryConfirmed = true;
        primaryOnTrial = false;
        persist();
    }

    private void persist() {
        Properties flags = new Properties();
        flags.setProperty("pending", pending.name());
        flags.setProperty("primary-confirmed", Boolean.toString(primaryConfirmed));
        flags.setProperty("primary-on-trial", Boolean.toString(primaryOnTrial));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            flags.store(out, "MCUboot trailer flags");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        flash.writeSetting(SETTING, out.toByteArray());
    }

    private void decode(byte[] stored) {
        Properties flags = new Properties();
        try {
            flags.load(new ByteArrayInputStream(stored));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pending = Pending.valueOf(flags.getProperty("pending", "NONE"));
        primaryConfirmed = Boolean.parseBoolean(flags.getProperty("primary-confirmed", "true"));
        primaryOnTrial = Boolean.parseBoolean(flags.getProperty("primary-on-trial", "false"));
    }
}
