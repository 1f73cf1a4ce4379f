package dev.ferry.server.testing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Ferry server in a JVM of its own ({@code dev.ferry.server.Main} on the test class path), bound to loopback,
 * so a test can stop it the way a service manager does (SIGTERM) or kill it as the operating system would
 * (SIGKILL). Its ports are ephemeral unless fixed {@link Ports} are given, so that a server started again on the
 * same data directory is found where its devices left it; either way they are read from the server's log.
 */
public final class ServerProcess implements AutoCloseable {
    public static final Duration START_DEADLINE = Duration.ofSeconds(90);
    /** The exit status of a process ended by SIGKILL: 128 + signal 9. */
    public static final int KILLED_BY_SIGKILL = 137;

    private static final Duration KILL_DEADLINE = Duration.ofSeconds(30);
    private static final Pattern HTTP_LISTENING = Pattern.compile("HTTP API listening on http://[^/]*:(\\d+)/");
    private static final Pattern COAPS_LISTENING = Pattern.compile("LwM2M CoAPS listening on coaps://[^ ]*:(\\d+)");
    /** Main logs this once the server started and its shutdown hook is in place, after the lines above. */
    private static final Pattern RUNNING = Pattern.compile("SIGTERM or Ctrl-C shuts the server down cleanly$");

    private final Process process;
    private final Path log;
    /** Every line the server wrote so far; guarded by itself, notified on each line and at the end. */
    private final List<String> output = new ArrayList<>();
    private boolean outputEnded;

    /** The loopback ports a server listens on; 0 lets the operating system pick one. */
    public record Ports(int http, int coap, int coaps) {
        public static final Ports EPHEMERAL = new Ports(0, 0, 0);

        /** Ports free now, to be used by every start of one server. */
        public static Ports free() {
            return new Ports(freeTcpPort(), freeUdpPort(), freeUdpPort());
        }
    }

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread reader = new Thread(this::readOutput, "server-process-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** A server to start on {@code dataDir}: ephemeral ports, output kept in memory, {@link #START_DEADLINE}. */
    public static Launch on(Path dataDir) {
        return new Launch(dataDir, Ports.EPHEMERAL, null, START_DEADLINE);
    }

    /** How to start a server; one launch can start it again on the same data directory and ports. */
    public record Launch(Path dataDir, Ports ports, Path log, Duration deadline) {
        public Launch ports(Ports fixed) {
            return new Launch(dataDir, fixed, log, deadline);
        }

        /** Every line of output is also appended to {@code file}, so it outlives the test. */
        public Launch log(Path file) {
            return new Launch(dataDir, ports, file, deadline);
        }

        /** How long the server may take to run, from its start to its shutdown hook in place. */
        public Launch within(Duration startDeadline) {
            return new Launch(dataDir, ports, log, startDeadline);
        }

        /** Starts the server with {@code flags} appended; returns once it runs with its shutdown hook in place. */
        public ServerProcess start(String... flags) {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), "dev.ferry.server.Main",
                    "--data-dir", dataDir.toString(), "--bind-address", "127.0.0.1",
                    "--http-port", Integer.toString(ports.http()), "--coap-port", Integer.toString(ports.coap()),
                    "--coaps-port", Integer.toString(ports.coaps()),
                    // Free ports, so that servers of tests running side by side do not contend for 5783/5784.
                    "--bootstrap-coap-port", "0", "--bootstrap-coaps-port", "0",
                    // Tests send bursts of requests with one token; the rate limit has tests of its own.
                    "--http-token-rate-limit", "0"));
            command.addAll(List.of(flags));
            ServerProcess server;
            try {
                ProcessBuilder builder = new ProcessBuilder(command)
                        .directory(Files.createDirectories(dataDir).toFile()).redirectErrorStream(true);
                builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
                server = new ServerProcess(builder.start(), log);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start a server process: " + e.getMessage(), e);
            }
            try {
                server.awaitLine(RUNNING, "running with its shutdown hook in place", deadline);
                return server;
            } catch (RuntimeException | AssertionError e) {
                server.close();
                throw e;
            }
        }
    }

    public int httpPort() {
        return port(HTTP_LISTENING, "its HTTP API to listen");
    }

    public int coapsPort() {
        return port(COAPS_LISTENING, "its CoAPS endpoint to listen");
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + httpPort();
    }

    public long pid() {
        return process.pid();
    }

    /** Kills the process with SIGKILL (what {@link Process#destroyForcibly()} sends on Linux) and returns its exit status. */
    public int kill() {
        process.destroyForcibly();
        return awaitExit(KILL_DEADLINE);
    }

    /**
     * Sends SIGTERM, as {@link Process#destroy()} does, but through the process handle: {@code Process.destroy()}
     * also closes the output pipe, which would hide what the server says while it shuts down.
     *
     * @return whether the signal was sent
     */
    public boolean terminate() {
        return process.toHandle().destroy();
    }

    /** Waits for the process to exit and returns its exit status; fails after {@code deadline}. */
    public int awaitExit(Duration deadline) {
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("server process " + process.pid() + " did not exit within " + deadline
                        + "; its output:\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for server process " + process.pid() + " to exit");
        }
    }

    /** Waits for the first line of output that contains a match of {@code pattern}; fails after {@code deadline}. */
    public Matcher awaitLine(Pattern pattern, String what, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (output) {
            int next = 0;
            while (true) {
                for (; next < output.size(); next++) {
                    Matcher matcher = pattern.matcher(output.get(next));
                    if (matcher.find()) {
                        return matcher;
                    }
                }
                long left = end - System.nanoTime();
                if (outputEnded || left <= 0) {
                    throw new AssertionError("server process " + process.pid() + " did not get " + what
                            + (outputEnded ? " before its output ended" : " within " + deadline)
                            + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
                            + "; its output:\n" + String.join("\n", output));
                }
                waitForOutput(left);
            }
        }
    }

    /** Every line of output, once the process closed it; fails after {@code deadline}. */
    public List<String> awaitOutputEnd(Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        synchronized (output) {
            while (!outputEnded) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("the output of server process " + process.pid()
                            + " did not end within " + deadline + "; so far:\n" + String.join("\n", output));
                }
                waitForOutput(left);
            }
            return List.copyOf(output);
        }
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private int port(Pattern listening, String what) {
        return Integer.parseInt(awaitLine(listening, what, Duration.ZERO).group(1)); // logged before it ran
    }

    private void waitForOutput(long nanos) {
        try {
            output.wait(TimeUnit.NANOSECONDS.toMillis(nanos) + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for the output of server process " + process.pid());
        }
    }

    private void readOutput() {
        BufferedWriter copy = openLog();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
                copy = copyToLog(copy, line);
            }
        } catch (IOException ignored) {
            // The process is gone; its output ends here.
        }
        synchronized (output) {
            outputEnded = true;
            output.notifyAll();
        }
        copyToLog(copy, null);
    }

    private BufferedWriter openLog() {
        try {
            if (log == null) {
                return null;
            }
            Files.createDirectories(log.toAbsolutePath().getParent());
            return Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            return null; // the output is still kept in memory
        }
    }

    /** Appends {@code line} to the log (null: closes it); returns the writer to use next, null once it failed. */
    private static BufferedWriter copyToLog(BufferedWriter copy, String line) {
        if (copy == null) {
            return null;
        }
        try {
            if (line == null) {
                copy.close();
                return null;
            }
            copy.write(line);
            copy.newLine();
            copy.flush();
            return copy;
        } catch (IOException e) {
            return null; // the output is still kept in memory; reading it must go on, or the server blocks
        }
    }

    /** Kills the process if it still runs; never leaves it behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            awaitExit(KILL_DEADLINE);
        }
    }

    private static int freeTcpPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freeUdpPort() {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
