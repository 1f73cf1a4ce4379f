package dev.ferry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;

/**
 * {@code ferry-server token create}, run as its own process against the data directory as an operator runs it:
 * with the server stopped, and with the server running, which then accepts the new token on its next request.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class TokenCommandTest {
    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_token_made_while_the_server_runs_is_accepted_on_its_next_request() throws Exception {
        Result made = tokenCreate("--role", "operator", "--name", "made while running", "--data-dir",
                server.dataDir().toString());

        assertThat(made.status()).as(made.stderr()).isZero();
        assertThat(made.stdout()).matches("ferry_[A-Za-z0-9_-]{43}\n");
        String value = made.stdout().strip();
        assertThat(server.sendAs(value, "DELETE", "/api/v1/devices/nobody", null).status()).isEqualTo(404);
        assertThat(server.get("/api/v1/tokens").body()).contains("made while running").doesNotContain(value);
    }

    @Test
    void a_token_made_while_the_server_is_stopped_is_accepted_after_the_start() throws Exception {
        server.stop();

        Result made = tokenCreate("--role", "admin", "--data-dir", server.dataDir().toString());
        server.startAgain();

        assertThat(made.status()).as(made.stderr()).isZero();
        assertThat(made.stderr()).contains("role admin").doesNotContain(made.stdout().strip());
        assertThat(server.sendAs(made.stdout().strip(), "GET", "/api/v1/tokens", null).status()).isEqualTo(200);
    }

    @Test
    void a_wrong_role_is_refused_and_makes_nothing() throws Exception {
        Result made = tokenCreate("--role", "root", "--data-dir", server.dataDir().toString());

        assertThat(made.status()).isEqualTo(2);
        assertThat(made.stdout()).isEmpty();
        assertThat(made.stderr()).contains("role must be one of viewer, operator, admin, ci");
        assertThat(server.get("/api/v1/tokens").json().getJsonArray("items")).hasSize(1);
    }

    record Result(int status, String stdout, String stderr) {
    }

    private static Result tokenCreate(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "dev.ferry.server.Main", "token", "create"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("FERRY_"));
        Process process = builder.start();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                throw new AssertionError("token create did not finish within 90 s");
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8), new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }
}
