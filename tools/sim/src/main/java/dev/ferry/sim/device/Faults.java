package dev.ferry.sim.device;

import dev.ferry.sim.link.LinkConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What goes wrong for one device. Immutable: every method returns a copy with one more fault, so
 * {@code Faults.none().lossRate(0.1).failHealthCheck()} reads as what it does.
 *
 * <p>Transient faults fire once per device, across reboots: a corrupt download, dropped connections,
 * power losses. A failing health check is a property of the device and fails every new image. Link
 * faults (loss, bandwidth, latency, sleep) last as long as the device.
 */
public final class Faults {
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kKmM]?)");

    private boolean failHealthCheck;
    private boolean corruptDownload;
    private boolean foreignPackage;
    private long dropConnectionAt = -1;
    private int connectionDrops;
    private long bytesPerSecond;
    private Duration latency = Duration.ZERO;
    private double lossRate;
    private Duration sleepPeriod;
    private Duration awakeTime;
    private long powerLossDuringDownloadAt = -1;
    private boolean powerLossBeforeConfirm;
    private boolean refusePushedPackage;
    private boolean refuseUpdate;
    private boolean updateWithoutReboot;
    private boolean ignoreUpdate;
    private long failDownloadOnceAt = -1;
    private long silentAt = -1;
    private int crashLoopReboots;
    private Duration crashLoopUpTime;

    private Faults() {
    }

    public static Faults none() {
        return new Faults();
    }

    private Faults copy() {
        Faults c = new Faults();
        c.failHealthCheck = failHealthCheck;
        c.corruptDownload = corruptDownload;
        c.foreignPackage = foreignPackage;
        c.dropConnectionAt = dropConnectionAt;
        c.connectionDrops = connectionDrops;
        c.bytesPerSecond = bytesPerSecond;
        c.latency = latency;
        c.lossRate = lossRate;
        c.sleepPeriod = sleepPeriod;
        c.awakeTime = awakeTime;
        c.powerLossDuringDownloadAt = powerLossDuringDownloadAt;
        c.powerLossBeforeConfirm = powerLossBeforeConfirm;
        c.refusePushedPackage = refusePushedPackage;
        c.refuseUpdate = refuseUpdate;
        c.updateWithoutReboot = updateWithoutReboot;
        c.ignoreUpdate = ignoreUpdate;
        c.failDownloadOnceAt = failDownloadOnceAt;
        c.silentAt = silentAt;
        c.crashLoopReboots = crashLoopReboots;
        c.crashLoopUpTime = crashLoopUpTime;
        return c;
    }

    /** Every new image fails its health check after the swap: the device reboots, MCUboot reverts, result 8. */
    public Faults failHealthCheck() {
        Faults c = copy();
        c.failHealthCheck = true;
        return c;
    }

    /**
     * Once: one byte in the middle of the next downloaded image's body is flipped on its way to the slot,
     * so verification fails before any reboot: result 5.
     */
    public Faults corruptDownload() {
        Faults c = copy();
        c.corruptDownload = true;
        return c;
    }

    /**
     * Once: the next package arrives with its first bytes overwritten, as when something other than an MCUboot
     * image (say, a package built for another kind of device) is delivered; the first-block check refuses it with
     * result 6 (unsupported package type).
     */
    public Faults foreignPackage() {
        Faults c = copy();
        c.foreignPackage = true;
        return c;
    }

    /** Once: a pull loses its connection after {@code bytes} of the package; the device resumes from there. */
    public Faults dropConnectionAt(long bytes) {
        return dropConnectionAt(bytes, 1);
    }

    /**
     * The pull loses its connection at {@code bytes} of the package {@code times} times in a row (each resume
     * fails at once). More drops than the device's download retries end the download with result 4.
     */
    public Faults dropConnectionAt(long bytes, int times) {
        if (bytes < 0 || times < 1) {
            throw new IllegalArgumentException("drop the connection at a byte offset >= 0, at least once");
        }
        Faults c = copy();
        c.dropConnectionAt = bytes;
        c.connectionDrops = times;
        return c;
    }

    /** The link carries at most {@code bytesPerSecond} in each direction (LwM2M, CoAP and HTTP pulls). */
    public Faults slowLink(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a slow link still needs a positive bandwidth");
        }
        Faults c = copy();
        c.bytesPerSecond = bytesPerSecond;
        return c;
    }

    /** Every datagram (and every HTTP body chunk) is delayed by {@code latency} one way. */
    public Faults latency(Duration latency) {
        Faults c = copy();
        c.latency = latency;
        return c;
    }

    /**
     * Each UDP datagram (LwM2M, CoAP pulls, DTLS handshakes) is lost with this probability, in each
     * direction; CoAP and DTLS retransmissions recover. HTTP pulls run over TCP and see no loss.
     */
    public Faults lossRate(double rate) {
        if (rate < 0 || rate >= 1) {
            throw new IllegalArgumentException("loss rate " + rate + " must be in [0, 1)");
        }
        Faults c = copy();
        c.lossRate = rate;
        return c;
    }

    /**
     * A sleepy device in LwM2M queue mode: it registers with the Q flag, wakes every {@code sleepPeriod} to
     * send a registration update, and keeps its radio on for {@code awakeTime} after it last sent something.
     * Requests arriving while the radio is off are lost. A download keeps the radio on.
     */
    public Faults sleeping(Duration sleepPeriod, Duration awakeTime) {
        if (sleepPeriod.isNegative() || sleepPeriod.isZero() || awakeTime.isNegative()) {
            throw new IllegalArgumentException("a sleeping device needs a positive sleep period");
        }
        Faults c = copy();
        c.sleepPeriod = sleepPeriod;
        c.awakeTime = awakeTime;
        return c;
    }

    /**
     * Once: power fails when a download reaches {@code bytes}. Bytes not yet made durable are lost; after
     * power returns a pull resumes from the last checkpoint, a push ends with result 4.
     */
    public Faults powerLossDuringDownload(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("power loss offset must be >= 0");
        }
        Faults c = copy();
        c.powerLossDuringDownloadAt = bytes;
        return c;
    }

    /**
     * Once: power fails while a new image runs on trial, after it registered and before it was confirmed.
     * MCUboot reverts at the next boot: result 8 and the old version.
     */
    public Faults powerLossBeforeConfirm() {
        Faults c = copy();
        c.powerLossBeforeConfirm = true;
        return c;
    }

    /**
     * Every pushed package (5/0/0) is acknowledged block by block, including the last, and then refused after the
     * device's own check ({@link #PUSH_CHECK_TIME} later): Idle with result 6 (unsupported package type), as a
     * device does that takes only its own package format. Pulls are not affected.
     */
    public Faults refusePushedPackage() {
        Faults c = copy();
        c.refusePushedPackage = true;
        return c;
    }

    /** How long a device with {@link #refusePushedPackage()} checks a pushed package before refusing it. */
    public static final Duration PUSH_CHECK_TIME = Duration.ofMillis(500);

    /**
     * Every Execute of Update (5/0/2) is answered 4.05 (Method Not Allowed) and changes nothing, whatever the
     * state: the device holds a downloaded image (state 2) until it is cancelled.
     */
    public Faults refuseUpdate() {
        Faults c = copy();
        c.refuseUpdate = true;
        return c;
    }

    /**
     * Executing Update (5/0/2) in state 2 is answered 2.04, and object 5 goes to Updating and straight back to
     * Idle with result 1 (success) without installing anything or rebooting: the device still runs its old
     * version, as Zephyr's own lwm2m_client sample does on a board without an update back end.
     */
    public Faults updateWithoutReboot() {
        Faults c = copy();
        c.updateWithoutReboot = true;
        return c;
    }

    /**
     * Every Execute of Update (5/0/2) is answered 2.04 and nothing happens: object 5 stays in state 2
     * (downloaded), as on a device that installs only at a time of its own choosing.
     */
    public Faults ignoreUpdate() {
        Faults c = copy();
        c.ignoreUpdate = true;
        return c;
    }

    /**
     * Once: the pull loses its connection at {@code bytes} of the package and every resume fails the same way,
     * until the download ends with result 4 (connection lost) after the device's download retries. The next
     * download runs clean: what a server's retry of the update overcomes.
     */
    public Faults failDownloadOnce(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("fail the download at a byte offset >= 0");
        }
        Faults c = copy();
        c.failDownloadOnceAt = bytes;
        return c;
    }

    /**
     * Once: the radio dies for good when a download reaches {@code bytes} (0: as soon as a pull starts). The
     * device keeps running, but nothing leaves or reaches it any more, as with a dead modem or a device carried
     * out of range; the server hears nothing, not even a deregistration. Powering it off and on brings the
     * radio back ({@link SimDevice#goSilent()} silences a device at once, without a download).
     */
    public Faults silentAt(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("the radio dies at a byte offset >= 0");
        }
        Faults c = copy();
        c.silentAt = bytes;
        return c;
    }

    /**
     * Once: the next image that is confirmed crashes {@code reboots} times, each {@code upTime} after it
     * registered; each crash reboots the device without deregistering, and it registers again. MCUboot keeps the
     * image (it was confirmed), so only a server that watches registrations after an update notices.
     */
    public Faults crashLoopAfterUpdate(int reboots, Duration upTime) {
        if (reboots < 1 || upTime.isNegative()) {
            throw new IllegalArgumentException("a crash loop needs at least one reboot and an up time >= 0");
        }
        Faults c = copy();
        c.crashLoopReboots = reboots;
        c.crashLoopUpTime = upTime;
        return c;
    }

    /** These faults and {@code other}'s; where both set a value, {@code other}'s wins. */
    public Faults and(Faults other) {
        Faults c = copy();
        c.failHealthCheck |= other.failHealthCheck;
        c.corruptDownload |= other.corruptDownload;
        c.foreignPackage |= other.foreignPackage;
        if (other.dropConnectionAt >= 0) {
            c.dropConnectionAt = other.dropConnectionAt;
            c.connectionDrops = other.connectionDrops;
        }
        if (other.bytesPerSecond > 0) {
            c.bytesPerSecond = other.bytesPerSecond;
        }
        if (!other.latency.isZero()) {
            c.latency = other.latency;
        }
        if (other.lossRate > 0) {
            c.lossRate = other.lossRate;
        }
        if (other.sleepPeriod != null) {
            c.sleepPeriod = other.sleepPeriod;
            c.awakeTime = other.awakeTime;
        }
        if (other.powerLossDuringDownloadAt >= 0) {
            c.powerLossDuringDownloadAt = other.powerLossDuringDownloadAt;
        }
        c.powerLossBeforeConfirm |= other.powerLossBeforeConfirm;
        c.refusePushedPackage |= other.refusePushedPackage;
        c.refuseUpdate |= other.refuseUpdate;
        c.updateWithoutReboot |= other.updateWithoutReboot;
        c.ignoreUpdate |= other.ignoreUpdate;
        if (other.failDownloadOnceAt >= 0) {
            c.failDownloadOnceAt = other.failDownloadOnceAt;
        }
        if (other.silentAt >= 0) {
            c.silentAt = other.silentAt;
        }
        if (other.crashLoopReboots > 0) {
            c.crashLoopReboots = other.crashLoopReboots;
            c.crashLoopUpTime = other.crashLoopUpTime;
        }
        return c;
    }

    public boolean failsHealthCheck() {
        return failHealthCheck;
    }

    public boolean corruptsDownload() {
        return corruptDownload;
    }

    public boolean deliversForeignPackage() {
        return foreignPackage;
    }

    /** The byte offset where pulls lose their connection, -1 for never. */
    public long dropConnectionOffset() {
        return dropConnectionAt;
    }

    public int connectionDrops() {
        return connectionDrops;
    }

    /** The byte offset where a download loses power, -1 for never. */
    public long powerLossDuringDownloadOffset() {
        return powerLossDuringDownloadAt;
    }

    public boolean losesPowerBeforeConfirm() {
        return powerLossBeforeConfirm;
    }

    public boolean refusesPushedPackages() {
        return refusePushedPackage;
    }

    public boolean refusesUpdate() {
        return refuseUpdate;
    }

    public boolean updatesWithoutReboot() {
        return updateWithoutReboot;
    }

    public boolean ignoresUpdate() {
        return ignoreUpdate;
    }

    /** The byte offset where the one download that fails loses its connection, -1 for never. */
    public long failDownloadOnceOffset() {
        return failDownloadOnceAt;
    }

    /** The byte offset of a download where the radio dies, -1 for never. */
    public long silentOffset() {
        return silentAt;
    }

    /** How often the first confirmed image crashes, 0 for never. */
    public int crashLoopReboots() {
        return crashLoopReboots;
    }

    /** How long a crash-looping image runs after each registration before it crashes; null without a crash loop. */
    public Duration crashLoopUpTime() {
        return crashLoopUpTime;
    }

    /** The sleep period of a sleeping device, null for one that is always awake. */
    public Duration sleepPeriod() {
        return sleepPeriod;
    }

    public boolean isSleeping() {
        return sleepPeriod != null;
    }

    /** The link these faults describe. */
    public LinkConditions link() {
        return new LinkConditions(lossRate, bytesPerSecond, latency, awakeTime);
    }

    public boolean isNone() {
        return toString().equals("none");
    }

    /**
     * Parses the comma-separated form {@link #toString()} writes, for command lines:
     * {@code fail-health-check}, {@code corrupt-download}, {@code foreign-package}, {@code drop-connection-at=64k} or {@code =64kx6},
     * {@code slow-link=20k} (bytes per second), {@code latency=50ms}, {@code loss=0.05},
     * {@code sleeping=30s/5s} (sleep period/awake time), {@code power-loss-during-download=8k},
     * {@code power-loss-before-confirm}, {@code refuse-pushed-package}, {@code refuse-update},
     * {@code update-without-reboot}, {@code ignore-update}, {@code fail-download-once=8k}, {@code silent-at=8k},
     * {@code crash-loop=4/200ms} (reboots/up time).
     *
     * @throws IllegalArgumentException naming the part that is not understood
     */
    public static Faults parse(String spec) {
        Faults faults = none();
        if (spec == null || spec.isBlank() || spec.trim().equals("none")) {
            return faults;
        }
        for (String part : spec.split(",")) {
            String[] kv = part.trim().split("=", 2);
            String name = kv[0].trim().toLowerCase(Locale.ROOT);
            String value = kv.length > 1 ? kv[1].trim() : null;
            try {
                faults = switch (name) {
                    case "fail-health-check" -> faults.failHealthCheck();
                    case "corrupt-download" -> faults.corruptDownload();
                    case "foreign-package" -> faults.foreignPackage();
                    case "power-loss-before-confirm" -> faults.powerLossBeforeConfirm();
                    case "refuse-pushed-package" -> faults.refusePushedPackage();
                    case "refuse-update" -> faults.refuseUpdate();
                    case "update-without-reboot" -> faults.updateWithoutReboot();
                    case "ignore-update" -> faults.ignoreUpdate();
                    case "drop-connection-at" -> {
                        String[] times = required(name, value).split("x", 2);
                        yield faults.dropConnectionAt(size(times[0]), times.length > 1 ? Integer.parseInt(times[1]) : 1);
                    }
                    case "slow-link" -> faults.slowLink(size(required(name, value)));
                    case "latency" -> faults.latency(duration(required(name, value)));
                    case "loss" -> faults.lossRate(Double.parseDouble(required(name, value)));
                    case "sleeping" -> {
                        String[] periods = required(name, value).split("/", 2);
                        yield faults.sleeping(duration(periods[0]),
                                periods.length > 1 ? duration(periods[1]) : Duration.ofSeconds(1));
                    }
                    case "power-loss-during-download" -> faults.powerLossDuringDownload(size(required(name, value)));
                    case "fail-download-once" -> faults.failDownloadOnce(size(required(name, value)));
                    case "silent-at" -> faults.silentAt(size(required(name, value)));
                    case "crash-loop" -> {
                        String[] loop = required(name, value).split("/", 2);
                        yield faults.crashLoopAfterUpdate(Integer.parseInt(loop[0]),
                                loop.length > 1 ? duration(loop[1]) : Duration.ZERO);
                    }
                    default -> throw new IllegalArgumentException("unknown fault '" + name + "'");
                };
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault '" + part.trim() + "': " + value + " is not a number", e);
            }
        }
        return faults;
    }

    private static String required(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("fault '" + name + "' needs a value: " + name + "=...");
        }
        return value;
    }

    private static long size(String text) {
        Matcher m = SIZE.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a size (e.g. 4096, 64k, 1m)");
        }
        long unit = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 1024;
            case "m" -> 1024 * 1024;
            default -> 1;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private static Duration duration(String text) {
        String t = text.toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        throw new IllegalArgumentException("'" + text + "' is not a duration (e.g. 200ms, 5s, 2m)");
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        if (failHealthCheck) {
            parts.add("fail-health-check");
        }
        if (corruptDownload) {
            parts.add("corrupt-download");
        }
        if (foreignPackage) {
            parts.add("foreign-package");
        }
        if (dropConnectionAt >= 0) {
            parts.add("drop-connection-at=" + dropConnectionAt + (connectionDrops > 1 ? "x" + connectionDrops : ""));
        }
        if (bytesPerSecond > 0) {
            parts.add("slow-link=" + bytesPerSecond);
        }
        if (!latency.isZero()) {
            parts.add("latency=" + latency.toMillis() + "ms");
        }
        if (lossRate > 0) {
            parts.add("loss=" + lossRate);
        }
        if (sleepPeriod != null) {
            parts.add("sleeping=" + sleepPeriod.toMillis() + "ms/" + awakeTime.toMillis() + "ms");
        }
        if (powerLossDuringDownloadAt >= 0) {
            parts.add("power-loss-during-download=" + powerLossDuringDownloadAt);
        }
        if (powerLossBeforeConfirm) {
            parts.add("power-loss-before-confirm");
        }
        if (refusePushedPackage) {
            parts.add("refuse-pushed-package");
        }
        if (refuseUpdate) {
            parts.add("refuse-update");
        }
        if (updateWithoutReboot) {
            parts.add("update-without-reboot");
        }
        if (ignoreUpdate) {
            parts.add("ignore-update");
        }
        if (failDownloadOnceAt >= 0) {
            parts.add("fail-download-once=" + failDownloadOnceAt);
        }
        if (silentAt >= 0) {
            parts.add("silent-at=" + silentAt);
        }
        if (crashLoopReboots > 0) {
            parts.add("crash-loop=" + crashLoopReboots + "/" + crashLoopUpTime.toMillis() + "ms");
        }
        return parts.isEmpty() ? "none" : String.join(",", parts);
    }
}
