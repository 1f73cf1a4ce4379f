package dev.ferry.sim.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * How many more files (each simulated device's socket is one) this process may open: the soft "Max open files"
 * limit ({@code ulimit -n}) less the descriptors open now. A benchmark checks it before it starts its devices,
 * since a socket that cannot be opened inside a client's start-up only shows as a device that never registers.
 */
public final class SocketBudget {
    private SocketBudget() {
    }

    /** Files this process can still open, or {@link Long#MAX_VALUE} when the limit cannot be read. */
    public static long headroom() {
        long limit = limit();
        long open = open();
        return limit < 0 || open < 0 ? Long.MAX_VALUE : limit - open;
    }

    /** The soft limit on open files of this process, or -1 when unknown or unlimited. */
    public static long limit() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/limits"))) {
            return lines.filter(line -> line.startsWith("Max open files")).findFirst()
                    .map(line -> line.substring("Max open files".length()).strip().split("\\s+")[0])
                    .map(soft -> soft.equals("unlimited") ? -1L : Long.parseLong(soft)).orElse(-1L);
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static long open() {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
