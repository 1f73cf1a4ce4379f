package dev.ferry.sim.device;

import dev.ferry.image.ImageFormat;
import dev.ferry.image.ImageVersion;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.mcuboot.Bootloader;
import dev.ferry.sim.mcuboot.FlashStorage;
import dev.ferry.sim.mcuboot.ImageCheck;
import dev.ferry.sim.mcuboot.Slot;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Object 5's state machine, port of the Zephyr module's portable core ({@code firmware/src/core/update.c}):
 * State and Update Result change only in {@link #enter}, along the transitions of LwM2M 1.1 figure E.6.1-1;
 * packages stream into the secondary slot through a RAM buffer that is made durable every
 * {@code persistInterval} bytes; the image is verified before Downloaded; the record is persisted at every
 * change so a reboot or power cut resumes or reports the outcome.
 *
 * <p>Not thread-safe: the device calls it under its lock. No networking here.
 */
final class UpdateMachine {

    /** Publishes State and Update Result changes (object 5 notifications, device events). */
    interface Listener {
        void stateChanged(FirmwareState state, UpdateResult result);
    }

    /** What the device must do after {@link #restore}. */
    enum BootAction {
        /** Nothing pending. */
        NOTHING,
        /** A pull was cut by the reboot: resume it from {@link #written()}. */
        RESUME_PULL,
        /** A new, unconfirmed image runs: open the health check window. */
        TRIAL
    }

    /** Outcome of a Package URI write. */
    enum UriWrite {
        /** An empty URI cancelled the download. */
        CANCELLED,
        /** A download is under way or an update in progress: the write is refused. */
        BUSY,
        /** The URI was refused; Update Result says why. */
        REFUSED,
        /** State is Downloading: the device must start pulling. */
        START
    }

    private static final int HEADER_SIZE_OFFSET = 8;
    private static final int IMAGE_SIZE_OFFSET = 12;
    private static final int PROTECTED_SIZE_OFFSET = 10;

    private final FlashStorage flash;
    private final Bootloader bootloader;
    private final TrustedKeys trustedKeys;
    private final int slotSize;
    private final int persistInterval;
    private final Listener listener;

    private UpdateRecord record = new UpdateRecord();
    /** Bytes received for the current download, durable or still in {@link #buffer}. */
    private int written;
    /** Received bytes from {@code record.offset} to {@link #written}, not yet durable. */
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private String failureDetail = "";

    UpdateMachine(FlashStorage flash, Bootloader bootloader, TrustedKeys trustedKeys, int slotSize,
            int persistInterval, Listener listener) {
        this.flash = flash;
        this.bootloader = bootloader;
        this.trustedKeys = trustedKeys;
        this.slotSize = slotSize;
        this.persistInterval = persistInterval;
        this.listener = listener;
    }

    FirmwareState state() {
        return record.state;
    }

    UpdateResult result() {
        return record.result;
    }

    String packageUri() {
        return record.uri;
    }

    boolean isPush() {
        return record.uri.isEmpty();
    }

    /** Version of the last package that passed verification, if any. */
    Optional<ImageVersion> packageVersion() {
        return Optional.ofNullable(record.target);
    }

    int written() {
        return written;
    }

    /** Bytes durably in the slot: where a pull resumes after a power cut. */
    int durableOffset() {
        return record.offset;
    }

    Optional<byte[]> etag() {
        return Optional.ofNullable(record.etag).map(byte[]::clone);
    }

    /** What was wrong with the last refused package or URI, for events and logs. */
    String failureDetail() {
        return failureDetail;
    }

    /**
     * Restores the persisted progress after a boot and decides what happens next, like
     * {@code ferry_update_boot()}: resume an interrupted pull, judge a new image, or report its revert.
     */
    BootAction restore(ImageVersion running, boolean runningConfirmed) {
        record = flash.readSetting(UpdateRecord.SETTING).map(UpdateRecord::decode).orElseGet(UpdateRecord::new);
        written = record.offset;
        buffer.reset();
        switch (record.state) {
            case IDLE, DOWNLOADED -> {
                return BootAction.NOTHING;
            }
            case DOWNLOADING -> {
                if (!isPush()) {
                    return BootAction.RESUME_PULL;
                }
                // A push cannot be resumed by the device: the server must send it again.
                fail(UpdateResult.CONNECTION_LOST, "a pushed package was cut by a reboot");
                return BootAction.NOTHING;
            }
            case UPDATING -> {
                if (running.equals(record.target)) {
                    if (runningConfirmed) {
                        confirmed();
                        return BootAction.NOTHING;
                    }
                    return BootAction.TRIAL;
                }
                failureDetail = "running " + running + " instead of " + record.target + " after the update";
                forgetDownload();
                enter(FirmwareState.IDLE, UpdateResult.UPDATE_FAILED);
                return BootAction.NOTHING;
            }
            default -> throw new IllegalStateException("unknown state " + record.state);
        }
    }

    /**
     * A write of the Package URI (5/0/1). {@code refusal} is the Update Result for a URI this device
     * cannot use, null for a usable one.
     */
    UriWrite setUri(String uri, UpdateResult refusal, String refusalDetail) {
        if (uri.isEmpty()) {
            if (record.state == FirmwareState.UPDATING) {
                return UriWrite.BUSY;
            }
            forgetDownload();
            enter(FirmwareState.IDLE, UpdateResult.INITIAL);
            return UriWrite.CANCELLED;
        }
        if (record.state != FirmwareState.IDLE) {
            return UriWrite.BUSY;
        }
        if (refusal != null) {
            failureDetail = refusalDetail;
            enter(FirmwareState.IDLE, refusal);
            return UriWrite.REFUSED;
        }
        startDownload(uri);
        return UriWrite.START;
    }

    /** A pushed package (5/0/0) begins; false when the state does not allow one. */
    boolean beginPush() {
        if (record.state != FirmwareState.IDLE) {
            return false;
        }
        startDownload("");
        return true;
    }

    private void startDownload(String uri) {
        forgetDownload();
        flash.erase(Slot.SECONDARY);
        record.uri = uri;
        record.target = null;
        failureDetail = "";
        enter(FirmwareState.DOWNLOADING, UpdateResult.INITIAL);
    }

    /**
     * The server announced the package size; refuses (Not enough flash) a package larger than the slot.
     * Returns false when the download failed.
     */
    boolean announceSize(long totalSize) {
        if (totalSize > slotSize) {
            fail(UpdateResult.NOT_ENOUGH_FLASH, "the package is " + totalSize + " bytes, the slot " + slotSize);
            return false;
        }
        record.totalSize = (int) Math.max(totalSize, 0);
        return true;
    }

    /**
     * The ETag of the package as the server now sends it. Returns true when it differs from the one the
     * download started with: the package changed, the download restarts from zero.
     */
    boolean etagChanged(byte[] etag) {
        if (record.etag != null && Arrays.equals(record.etag, etag)) {
            return false;
        }
        boolean changed = record.etag != null || written > 0;
        record.etag = etag == null ? null : etag.clone();
        if (changed) {
            restartFromZero();
        }
        persist();
        return changed;
    }

    /** The server ignored the offset asked for and sends from byte 0 again. */
    void restartFromZero() {
        written = 0;
        record.offset = 0;
        buffer.reset();
        flash.erase(Slot.SECONDARY);
    }

    /**
     * Bytes {@code data} at {@code offset} of the package; bytes already held are skipped. Returns false
     * when the download failed (Update Result says why) or is no longer under way.
     */
    boolean write(int offset, byte[] data) {
        if (record.state != FirmwareState.DOWNLOADING) {
            return false;
        }
        if (offset > written) {
            fail(UpdateResult.CONNECTION_LOST, "bytes from " + written + " to " + offset + " never arrived");
            return false;
        }
        int skip = written - offset;
        if (skip >= data.length) {
            return true;
        }
        if (offset == 0 && data.length >= ImageFormat.HEADER_STRUCT_SIZE && !headerAcceptable(data)) {
            return false;
        }
        if ((long) written + data.length - skip > slotSize) {
            fail(UpdateResult.NOT_ENOUGH_FLASH, "the package does not fit the " + slotSize + "-byte slot");
            return false;
        }
        buffer.write(data, skip, data.length - skip);
        written += data.length - skip;
        if (written - record.offset >= persistInterval) {
            checkpoint();
        }
        return true;
    }

    /**
     * Like the module's first-block check: a package that is no MCUboot image, or whose header announces
     * more than the slot holds, is refused at once instead of after the whole download.
     */
    private boolean headerAcceptable(byte[] data) {
        if ((int) u32(data, 0) != ImageFormat.IMAGE_MAGIC) {
            fail(UpdateResult.UNSUPPORTED_PACKAGE_TYPE, "the package does not start with the MCUboot image magic");
            return false;
        }
        long headerSize = u16(data, HEADER_SIZE_OFFSET);
        long protectedSize = u16(data, PROTECTED_SIZE_OFFSET);
        long imageSize = u32(data, IMAGE_SIZE_OFFSET);
        if (headerSize + imageSize + protectedSize > slotSize) {
            fail(UpdateResult.NOT_ENOUGH_FLASH, "the image header announces " + (headerSize + imageSize + protectedSize)
                    + " bytes, the slot holds " + slotSize);
            return false;
        }
        return true;
    }

    /** Makes the buffered bytes durable and records how far the slot is written. */
    private void checkpoint() {
        if (buffer.size() > 0) {
            flash.write(Slot.SECONDARY, record.offset, buffer.toByteArray());
            buffer.reset();
        }
        record.offset = written;
        persist();
    }

    /** The whole package arrived: verify it and go to Downloaded, or fail with the reason. */
    boolean finish() {
        if (record.state != FirmwareState.DOWNLOADING) {
            return false;
        }
        checkpoint();
        byte[] image = Arrays.copyOf(flash.read(Slot.SECONDARY), written);
        ImageCheck.Outcome outcome = ImageCheck.check(image, trustedKeys);
        if (!outcome.isOk()) {
            fail(resultFor(outcome.failure()), outcome.message());
            return false;
        }
        record.target = outcome.image().version();
        record.totalSize = written;
        enter(FirmwareState.DOWNLOADED, UpdateResult.INITIAL);
        return true;
    }

    /** The one place that turns an image check failure into an Update Result. */
    static UpdateResult resultFor(ImageCheck.Failure failure) {
        return switch (failure) {
            case NOT_AN_IMAGE, UNSUPPORTED -> UpdateResult.UNSUPPORTED_PACKAGE_TYPE;
            case NOT_TRUSTED -> UpdateResult.INTEGRITY_CHECK_FAILURE;
        };
    }

    /** Ends the current attempt with {@code result}: back to Idle, or to Downloaded from Updating (E.6.1). */
    void fail(UpdateResult result, String detail) {
        failureDetail = detail;
        if (record.state == FirmwareState.UPDATING) {
            enter(FirmwareState.DOWNLOADED, result);
            return;
        }
        forgetDownload();
        enter(FirmwareState.IDLE, result);
    }

    /**
     * Update (5/0/2) was executed. Checks the slot again and asks MCUboot for a test swap; returns false
     * (and does nothing) unless the state is Downloaded.
     */
    boolean execute() {
        if (record.state != FirmwareState.DOWNLOADED) {
            return false;
        }
        byte[] image = Arrays.copyOf(flash.read(Slot.SECONDARY), record.totalSize);
        ImageCheck.Outcome outcome = ImageCheck.check(image, trustedKeys);
        if (!outcome.isOk()) {
            // The slot changed under us since the download: the package is gone.
            fail(resultFor(outcome.failure()), outcome.message());
            return true;
        }
        enter(FirmwareState.UPDATING, UpdateResult.INITIAL);
        bootloader.requestUpgrade(false);
        return true;
    }

    /**
     * Update (5/0/2) was executed on a device that installs nothing ({@link Faults#updateWithoutReboot()}):
     * Updating, then Idle with result 1 at once; no swap is requested. Returns false unless the state is
     * Downloaded.
     */
    boolean executeWithoutInstalling() {
        if (record.state != FirmwareState.DOWNLOADED) {
            return false;
        }
        enter(FirmwareState.UPDATING, UpdateResult.INITIAL);
        forgetDownload();
        enter(FirmwareState.IDLE, UpdateResult.SUCCESS);
        return true;
    }

    /**
     * A device that takes only its own package format refuses a pushed package after checking it
     * ({@link Faults#refusePushedPackage()}): Idle with result 6. Does nothing unless a push is under way.
     */
    void refusePushedPackage() {
        if (record.state == FirmwareState.DOWNLOADING && isPush()) {
            fail(UpdateResult.UNSUPPORTED_PACKAGE_TYPE, "the pushed package is not in this device's own format"
                    + " (injected fault)");
        }
    }

    /** The new image proved healthy and was confirmed. */
    void confirmed() {
        if (record.state != FirmwareState.UPDATING) {
            return;
        }
        forgetDownload();
        enter(FirmwareState.IDLE, UpdateResult.SUCCESS);
    }

    /** Power is gone: whatever was only in RAM is lost. */
    void powerLost() {
        buffer.reset();
        written = record.offset;
    }

    private void forgetDownload() {
        record.offset = 0;
        record.totalSize = 0;
        record.etag = null;
        record.uri = "";
        written = 0;
        buffer.reset();
    }

    /** The only place State and Update Result change. */
    private void enter(FirmwareState state, UpdateResult result) {
        if (!record.state.mayBecome(state)) {
            throw new IllegalStateException("object 5 may not go from " + record.state + " to " + state);
        }
        record.state = state;
        record.result = result;
        persist();
        listener.stateChanged(state, result);
    }

    private void persist() {
        flash.writeSetting(UpdateRecord.SETTING, record.encode());
    }

    private static long u16(byte[] data, int at) {
        return (data[at] & 0xffL) | (data[at + 1] & 0xffL) << 8;
    }

    private static long u32(byte[] data, int at) {
        return u16(data, at) | u16(data, at + 2) << 16;
    }
}
