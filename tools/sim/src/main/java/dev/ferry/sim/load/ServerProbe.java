package dev.ferry.sim.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server process's CPU time ({@code /proc/<pid>/stat}, utime + stime) and its heap in use after a full
 * collection ({@code jcmd <pid> GC.run}, then {@code GC.heap_info}), as {@code ferry-sim bench} reads them.
 */
final class ServerProbe {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final long USER_HZ = 100; // clock ticks per second on Linux
    private static final long JCMD_TIMEOUT_SECONDS = 60;

    private final long pid;

    ServerProbe(long pid) {
        this.pid = pid;
        if (!Files.isReadable(stat())) {
            throw new IllegalArgumentException("no process " + pid + " to measure (" + stat() + " unreadable)");
        }
    }

    private Path stat() {
        return Path.of("/proc/" + pid + "/stat");
    }

    long cpuMillis() throws IOException {
        // the command name in parentheses may contain spaces: the fields start after the last ") "
        String line = Files.readString(stat());
        String[] fields = line.substring(line.lastIndexOf(") ") + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / USER_HZ;
    }

    long heapUsedKiB() throws IOException, InterruptedException {
        jcmd("GC.run");
        String info = jcmd("GC.heap_info");
        Matcher matcher = HEAP_USED.matcher(info);
        if (!matcher.find()) {
            throw new IllegalStateException("cannot read heap use from jcmd " + pid + " GC.heap_info: " + info);
        }
        return Long.parseLong(matcher.group(1));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " did not finish within " + JCMD_TIMEOUT_SECONDS
                    + " s");
        }
        return new String(output);
    }
}
