package dev.ferry.sim.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the benchmark reads of the server's JVM from outside: CPU time and heap in use through a {@link ServerGauge}
 * (no collection forced), and heap occupancy before and after each collection from its {@code -Xlog:gc} file.
 */
final class ServerProcess {
    /** {@code [12.345s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause) 212M->31M(512M) 4.1ms}. */
    private static final Pattern PAUSE = Pattern.compile("Pause.*?(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    private final ServerGauge gauge;
    private final Path gcLog;

    /** @param gcLog the server's {@code -Xlog:gc:file=...}, or null */
    ServerProcess(long pid, Path gcLog) {
        this.gauge = new ServerGauge(pid);
        this.gcLog = gcLog;
    }

    /** User plus system CPU time of the whole process so far, in seconds. */
    double cpuSeconds() throws IOException {
        return gauge.cpuMillis() / 1000.0;
    }

    /** Heap in use now, in MiB, as {@code jcmd <pid> GC.heap_info} reports it; -1 when jcmd cannot tell. */
    double heapUsedMiB() {
        try {
            return gauge.heapUsedKiB(false) / 1024.0;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** How far the GC log has been written; {@link #collectionsSince} reads from here. */
    long gcLogPosition() throws IOException {
        return gcLog == null || !Files.exists(gcLog) ? 0 : Files.size(gcLog);
    }

    /** The collections logged after {@code position}: their count and largest occupancies. */
    Collections collectionsSince(long position) throws IOException {
        if (gcLog == null || !Files.exists(gcLog)) {
            return new Collections(0, -1, -1, -1);
        }
        byte[] bytes;
        try (RandomAccessFile file = new RandomAccessFile(gcLog.toFile(), "r")) {
            file.seek(Math.min(position, file.length()));
            bytes = new byte[(int) (file.length() - file.getFilePointer())];
            file.readFully(bytes);
        }
        int count = 0;
        double maxBefore = -1;
        double maxAfter = -1;
        double maxCapacity = -1;
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            Matcher m = PAUSE.matcher(line);
            if (m.find()) {
                count++;
                maxBefore = Math.max(maxBefore, mib(m.group(1), m.group(2)));
                maxAfter = Math.max(maxAfter, mib(m.group(3), m.group(4)));
                maxCapacity = Math.max(maxCapacity, mib(m.group(5), m.group(6)));
            }
        }
        return new Collections(count, maxBefore, maxAfter, maxCapacity);
    }

    private static double mib(String value, String unit) {
        double v = Double.parseDouble(value);
        return switch (unit) {
        case "K" -> v / 1024;
        case "G" -> v * 1024;
        default -> v;
        };
    }

    /**
     * Collections in a stretch of the GC log, sizes in MiB (-1 without any).
     *
     * @param maxBefore the largest heap occupancy a collection started from: the peak between collections
     * @param maxAfter the largest occupancy a collection left: what stayed reachable, roughly
     * @param maxCapacity the largest committed heap
     */
    record Collections(int count, double maxBefore, double maxAfter, double maxCapacity) {
    }
}
