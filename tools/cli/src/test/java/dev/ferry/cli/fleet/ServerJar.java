package dev.ferry.cli.fleet;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real Ferry server, {@code server/target/ferry-server.jar} (the reactor packages it before this module's
 * tests run), in a process of its own on loopback with ephemeral ports read from its log and a data directory of
 * the test's. {@link #close()} stops it by its PID.
 */
final class ServerJar implements AutoCloseable {
    static final Path JAR = Path.of("../../server/target/ferry-server.jar").toAbsolutePath().normalize();
    private static final Duration START_DEADLINE = Duration.ofSeconds(90);
    private static final Pattern HTTP = Pattern.compile("HTTP API listening on http://[^/]*:(\\d+)/");
    private static final Pattern COAP = Pattern.compile("LwM2M CoAP listening on (coap://[^ ]*:\\d+)");
    private static final Pattern RUNNING = Pattern.compile("SIGTERM or Ctrl-C shuts the server down cleanly$");

    private final Process process;
    private final Path dataDir;
    private final List<String> output = new ArrayList<>();
    private boolean ended;

    private ServerJar(Process process, Path dataDir) {
        this.process = process;
        this.dataDir = dataDir;
        Thread reader = new Thread(this::read, "ferry-server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    static ServerJar start(Path dataDir) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: build the server first (mvn -pl server -am package"
                    + " -DskipTests), or run the whole reactor, which packages it before these tests");
        }
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-jar", JAR.toString(), "--data-dir", dataDir.toString(),
                "--bind-address", "127.0.0.1", "--http-port", "0", "--coap-port", "0", "--coaps-port", "0",
                "--bootstrap-coap-port", "0", "--bootstrap-coaps-port", "0", "--http-token-rate-limit", "0");
        ProcessBuilder builder = new ProcessBuilder(command).directory(Files.createDirectories(dataDir).toFile())
                .redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        ServerJar server = new ServerJar(builder.start(), dataDir);
        try {
            server.await(RUNNING, "to run");
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    String baseUrl() {
        return "http://127.0.0.1:" + await(HTTP, "its HTTP port").group(1);
    }

    String coapUri() {
        return await(COAP, "its CoAP endpoint").group(1);
    }

    String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin.token")).strip();
    }

    Path adminTokenFile() {
        return dataDir.resolve("admin.token");
    }

    private Matcher await(Pattern pattern, String what) {
        long end = System.nanoTime() + START_DEADLINE.toNanos();
        synchronized (output) {
            int next = 0;
            while (true) {
                for (; next < output.size(); next++) {
                    Matcher m = pattern.matcher(output.get(next));
                    if (m.find()) {
                        return m;
                    }
                }
                long left = end - System.nanoTime();
                if (ended || left <= 0) {
                    throw new AssertionError("the server did not log " + what + (ended ? " before it ended" : " within "
                            + START_DEADLINE) + "; its output:\n" + String.join("\n", output));
                }
                try {
                    output.wait(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted waiting for the server");
                }
            }
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the process is gone
        }
        synchronized (output) {
            ended = true;
            output.notifyAll();
        }
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.toHandle().destroy(); // SIGTERM: the server shuts down cleanly
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
