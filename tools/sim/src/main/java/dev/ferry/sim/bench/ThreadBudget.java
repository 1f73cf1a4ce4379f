package dev.ferry.sim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How many more threads this JVM can start on this machine, from what Linux limits: kernel.threads-max and
 * kernel.pid_max (every thread takes a pid) against the threads running on the whole machine, the pids
 * cgroup of this process, and vm.max_map_count (each thread stack takes two memory mappings). A benchmark that
 * starts a thread or two per simulated device checks it before it starts and explains a failure with it.
 */
public final class ThreadBudget {
    private final long headroom;
    private final String limits;

    ThreadBudget(long headroom, String limits) {
        this.headroom = headroom;
        this.limits = limits;
    }

    /** Reads the limits now; a limit that cannot be read does not count. */
    public static ThreadBudget read() {
        List<String> limits = new ArrayList<>();
        long headroom = Long.MAX_VALUE;
        long machineThreads = machineThreads();
        for (String name : List.of("threads-max", "pid_max")) {
            long max = number(Path.of("/proc/sys/kernel/" + name));
            if (max > 0 && machineThreads > 0) {
                headroom = Math.min(headroom, max - machineThreads);
                limits.add(String.format(Locale.ROOT, "kernel.%s %d with %d threads running on the machine",
                        name, max, machineThreads));
            }
        }
        Path cgroup = pidsCgroup();
        if (cgroup != null) {
            long max = number(cgroup.resolve("pids.max"));
            long current = number(cgroup.resolve("pids.current"));
            if (max > 0 && current >= 0) {
                headroom = Math.min(headroom, max - current);
                limits.add(String.format(Locale.ROOT, "cgroup pids.max %d with %d in use", max, current));
            }
        }
        long maps = number(Path.of("/proc/sys/vm/max_map_count"));
        long mapped = lines(Path.of("/proc/self/maps"));
        if (maps > 0 && mapped >= 0) {
            headroom = Math.min(headroom, (maps - mapped) / 2);
            limits.add(String.format(Locale.ROOT, "vm.max_map_count %d with %d mappings in this JVM", maps, mapped));
        }
        return new ThreadBudget(headroom, String.join("; ", limits));
    }

    /** Threads this JVM can still start, at most; {@link Long#MAX_VALUE} when no limit could be read. */
    public long headroom() {
        return headroom;
    }

    /** The limits that were read, for a message. */
    public String limits() {
        return limits.isEmpty() ? "no limits readable" : limits;
    }

    /** What to do when a run needs more threads than the machine allows; said once, the same everywhere. */
    public static String advice() {
        return "Lower --devices, stop other work on the machine, or raise the limit (e.g. sysctl -w"
                + " kernel.pid_max=4194304 kernel.threads-max=4194304 vm.max_map_count=1048576; the shell's"
                + " ulimit -u and ulimit -v apply too)";
    }

    /** Threads of this process now, from /proc/self/status; -1 when unreadable. */
    public static long threadsOfThisProcess() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Threads:")) {
                    return Long.parseLong(line.substring("Threads:".length()).strip());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or a kernel without the field
        }
        return -1;
    }

    /** Whether a failure is the JVM being unable to start a thread. */
    public static boolean isThreadLimit(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError && t.getMessage() != null && t.getMessage().contains("native thread")) {
                return true;
            }
        }
        return false;
    }

    /** Threads on the whole machine: the fourth field of /proc/loadavg is running/total. */
    private static long machineThreads() {
        try {
            String[] fields = firstLine(Path.of("/proc/loadavg")).split(" ");
            return Long.parseLong(fields[3].substring(fields[3].indexOf('/') + 1));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The directory of this process's pids cgroup (v2 unified or v1 pids controller), or null. */
    private static Path pidsCgroup() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                String[] parts = line.split(":", 3);
                if (parts.length < 3) {
                    continue;
                }
                Path dir = parts[1].isEmpty() ? Path.of("/sys/fs/cgroup" + parts[2])
                        : parts[1].contains("pids") ? Path.of("/sys/fs/cgroup/pids" + parts[2]) : null;
                if (dir != null && Files.exists(dir.resolve("pids.max"))) {
                    return dir;
                }
            }
        } catch (IOException e) {
            // no cgroups
        }
        return null;
    }

    /** A number in a file, or -1 when missing or "max". */
    private static long number(Path file) {
        try {
            return Long.parseLong(firstLine(file).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The first line of a file. Not {@code Files.readString}: it sizes its buffer from the file's size, and a
     * file in /proc or /sys reports a size of 0 or 4096 whatever it holds, so the text can come back cut short.
     */
    private static String firstLine(Path file) throws IOException {
        try (var reader = Files.newBufferedReader(file)) {
            String line = reader.readLine();
            return line == null ? "" : line;
        }
    }

    private static long lines(Path file) {
        try (var lines = Files.lines(file)) {
            return lines.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
