package dev.ferry.sim.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a benchmark reads of a server's JVM from outside, by its process id: CPU time from
 * {@code /proc/<pid>/stat} and heap in use from {@code jcmd <pid> GC.heap_info}, after a full collection when
 * asked ({@code jcmd <pid> GC.run}), so that only what is still reachable counts.
 */
public final class ServerGauge {
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    /** Linux reports process times in clock ticks of USER_HZ, which is 100 on every architecture Java runs on. */
    private static final int USER_HZ = 100;
    private static final long JCMD_TIMEOUT_SECONDS = 60;

    private final long pid;

    public ServerGauge(long pid) {
        this.pid = pid;
    }

    public long pid() {
        return pid;
    }

    /** User plus system CPU time of the whole process so far, in milliseconds (10 ms resolution). */
    public long cpuMillis() throws IOException {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        } catch (NoSuchFileException e) {
            throw new IOException("no process " + pid + " on this machine (is the server still running?)", e);
        }
        return cpuMillis(stat);
    }

    /** The CPU time in a {@code /proc/<pid>/stat} line; the command name in parentheses may hold spaces. */
    static long cpuMillis(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(") ") + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime
        return ticks * 1000 / USER_HZ;
    }

    /**
     * Heap in use now, in KiB, as {@code jcmd GC.heap_info} reports it.
     *
     * @param collectFirst run a full collection first, so garbage does not count
     * @throws IOException when jcmd cannot be run or cannot read the process
     */
    public long heapUsedKiB(boolean collectFirst) throws IOException, InterruptedException {
        if (collectFirst) {
            jcmd("GC.run");
        }
        String info = jcmd("GC.heap_info");
        Matcher matcher = HEAP_USED.matcher(info);
        if (!matcher.find()) {
            throw new IOException("jcmd " + pid + " GC.heap_info did not report the heap in use: " + info.strip());
        }
        return Long.parseLong(matcher.group(1));
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run jcmd (part of the JDK; put it on the PATH): " + e.getMessage(), e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " did not finish within " + JCMD_TIMEOUT_SECONDS
                    + " s");
        }
        int status = process.exitValue();
        if (status != 0) {
            throw new IOException("jcmd " + pid + " " + command + " failed (" + status + "): " + output.strip());
        }
        return output;
    }
}
