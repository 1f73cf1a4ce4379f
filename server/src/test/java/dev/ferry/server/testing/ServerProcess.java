package dev.ferry.server.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Ferry server in a JVM of its own ({@code dev.ferry.server.Main} on the test class path), bound to loopback on
 * ephemeral ports, so a test can kill it as the operating system would. The ports are read from the server's log.
 */
public final class ServerProcess implements AutoCloseable {
    public static final Duration START_DEADLINE = Duration.ofSeconds(90);
    /** The exit status of a process ended by SIGKILL: 128 + signal 9. */
    public static final int KILLED_BY_SIGKILL = 137;

    private static final Pattern HTTP_LISTENING = Pattern.compile("HTTP API listening on http://[^/]*:(\\d+)/");
    private static final Pattern COAPS_LISTENING = Pattern.compile("LwM2M CoAPS listening on coaps://[^ ]*:(\\d+)");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<Integer> httpPort = new CompletableFuture<>();
    private final CompletableFuture<Integer> coapsPort = new CompletableFuture<>();

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::readOutput, "server-process-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts a server on {@code dataDir} and returns once its HTTP API listens. Extra flags are appended. */
    public static ServerProcess start(Path dataDir, String... flags) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "dev.ferry.server.Main",
                "--data-dir", dataDir.toString(), "--bind-address", "127.0.0.1",
                "--http-port", "0", "--coap-port", "0", "--coaps-port", "0"));
        command.addAll(List.of(flags));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dataDir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        ServerProcess server;
        try {
            server = new ServerProcess(builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a server process: " + e.getMessage(), e);
        }
        try {
            server.httpPort();
            return server;
        } catch (RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
    }

    public int httpPort() {
        return await(httpPort, "its HTTP API to listen");
    }

    public int coapsPort() {
        return await(coapsPort, "its CoAPS endpoint to listen");
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
        return waitForExit();
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    private int await(CompletableFuture<Integer> port, String what) {
        try {
            return port.get(START_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw new AssertionError("server process " + process.pid() + " did not get " + what + " within "
                    + START_DEADLINE + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")")
                    + "; its output:\n" + output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for the server process to start");
        }
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                complete(HTTP_LISTENING.matcher(line), httpPort);
                complete(COAPS_LISTENING.matcher(line), coapsPort);
            }
        } catch (IOException ignored) {
            // The process is gone; its output ends here.
        }
        IllegalStateException ended = new IllegalStateException("the server process ended");
        httpPort.completeExceptionally(ended);
        coapsPort.completeExceptionally(ended);
    }

    private static void complete(Matcher matcher, CompletableFuture<Integer> port) {
        if (matcher.find()) {
            port.complete(Integer.parseInt(matcher.group(1)));
        }
    }

    private int waitForExit() {
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError("server process " + process.pid() + " did not exit within 30 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for server process " + process.pid() + " to exit");
        }
    }

    /** Kills the process if it still runs; never leaves it behind. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            waitForExit();
        }
    }
}
