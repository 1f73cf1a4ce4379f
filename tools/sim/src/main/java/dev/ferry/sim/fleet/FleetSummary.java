package dev.ferry.sim.fleet;

import dev.ferry.sim.device.UpdateResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A fleet at one moment. Outcomes count each device's last update outcome: {@code succeeded} (result 1),
 * {@code reverted} (result 8: MCUboot reverted, or refused the swap) and {@code failed} by result (2..7, 9).
 *
 * @param devices devices in the fleet
 * @param poweredOn devices with power
 * @param registered devices registered with the server now
 * @param downloading devices in object 5 state Downloading
 * @param downloaded devices in state Downloaded, waiting for Update
 * @param updating devices in state Updating (rebooting into, or on trial with, a new image)
 * @param succeeded devices whose last update succeeded
 * @param reverted devices whose last update was reverted (result 8)
 * @param failed devices whose last update failed otherwise, by result
 * @param versions running versions and how many devices run each
 * @param faulty devices with injected faults
 */
public record FleetSummary(int devices, int poweredOn, int registered, int downloading, int downloaded, int updating,
        int succeeded, int reverted, Map<UpdateResult, Integer> failed, Map<String, Integer> versions, int faulty) {

    public FleetSummary {
        failed = Map.copyOf(failed);
        versions = Map.copyOf(versions);
    }

    public int failedTotal() {
        return failed.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** One line for a terminal, e.g. {@code registered 498/500, updating 3, succeeded 90, reverted 4, ...}. */
    public String format() {
        List<String> parts = new ArrayList<>();
        parts.add("registered " + registered + "/" + devices);
        if (poweredOn < devices) {
            parts.add("powered off " + (devices - poweredOn));
        }
        parts.add("downloading " + downloading);
        if (downloaded > 0) {
            parts.add("downloaded " + downloaded);
        }
        parts.add("updating " + updating);
        parts.add("succeeded " + succeeded);
        parts.add("reverted " + reverted);
        if (failed.isEmpty()) {
            parts.add("failed 0");
        } else {
            List<String> results = new ArrayList<>();
            failed.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> results.add(
                    e.getValue() + "x " + e.getKey().code() + " " + e.getKey().name().toLowerCase(Locale.ROOT)
                            .replace('_', '-')));
            parts.add("failed " + failedTotal() + " (" + String.join(", ", results) + ")");
        }
        List<String> running = new ArrayList<>();
        versions.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> running.add(e.getKey() + " x" + e.getValue()));
        parts.add("running " + String.join(", ", running));
        if (faulty > 0) {
            parts.add(faulty + " with faults");
        }
        return String.join(" | ", parts);
    }

    @Override
    public String toString() {
        return format();
    }
}
