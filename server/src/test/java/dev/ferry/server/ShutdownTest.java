package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.testing.ServerProcess;

/**
 * The server as its own process, stopped the way a service manager stops it. More time than the suite's
 * default timeout: a whole JVM starts the server (database, migrations, endpoints) and shuts it down, with a
 * deadline of its own for each step, on machines busy with other builds.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ShutdownTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    private ServerProcess server;

    @AfterEach
    void killWhatIsLeft() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sigterm_shuts_the_server_down_cleanly_and_it_exits_0() {
        server = ServerProcess.on(dataDir).within(DEADLINE).start();

        assertThat(server.terminate()).isTrue();

        int exitStatus = server.awaitExit(DEADLINE);
        List<String> output = server.awaitOutputEnd(DEADLINE);
        assertThat(exitStatus).as(String.join("\n", output)).isZero();
        assertThat(output).anySatisfy(line -> assertThat(line).endsWith("Shut down cleanly"));
    }
}
