package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as its own process, stopped the way a service manager stops it. More time than the suite's
 * default timeout: a whole JVM starts the server (database, migrations, endpoints) and shuts it down, with a
 * deadline of its own for each step, on machines busy with other builds.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ShutdownTest {
    private static final long DEADLINE_SECONDS = 60;

    @TempDir
    Path dataDir;

    private Process server;
    private final List<String> output = new CopyOnWriteArrayList<>();
    /** Completes once the server is up and its shutdown hook is in place. */
    private final CompletableFuture<Void> running = new CompletableFuture<>();
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();

    @AfterEach
    void killWhatIsLeft() throws InterruptedException {
        if (server != null && server.isAlive()) {
            server.destroyForcibly().waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigterm_shuts_the_server_down_cleanly_and_it_exits_0() throws Exception {
        startServer();
        running.get(DEADLINE_SECONDS, TimeUnit.SECONDS);

        // SIGTERM, as Process.destroy() sends, but through the handle: Process.destroy() also closes the
        // output pipe, which would hide what the server says while it shuts down.
        assertThat(server.toHandle().destroy()).isTrue();

        assertThat(server.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)).as("exited: %s", output).isTrue();
        outputEnded.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertThat(server.exitValue()).as(String.join("\n", output)).isZero();
        assertThat(output).anySatisfy(line -> assertThat(line).endsWith("Shut down cleanly"));
    }

    private void startServer() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        server = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--bind-address", "127.0.0.1", "--http-port", "0", "--coap-port", "0",
                "--coaps-port", "0", "--data-dir", dataDir.toString())
                .directory(Files.createDirectories(dataDir.resolve("cwd")).toFile())
                .redirectErrorStream(true).start();
        Thread reader = new Thread(this::readOutput, "server-output");
        reader.setDaemon(true);
        reader.start();
    }

    private void readOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                output.add(line);
                if (line.endsWith("SIGTERM or Ctrl-C shuts the server down cleanly")) {
                    running.complete(null);
                }
            }
        } catch (IOException e) {
            running.completeExceptionally(e);
        }
        running.completeExceptionally(new IllegalStateException("the server ended before it ran: " + output));
        outputEnded.complete(null);
    }
}
