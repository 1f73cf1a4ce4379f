package dev.ferry.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cli.ExitCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable jar as operators run it ({@code java -jar target/ferry-cli.jar}, a process of its own with its own
 * environment, stdin and exit status) against the real server: what the in-process tests cannot show, such as a
 * shaded dependency missing from the jar or an exit status lost on the way out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FerryJarIT {
    static final Path JAR = Path.of("target/ferry-cli.jar").toAbsolutePath();

    record Run(int exitCode, String out, String err) {
    }

    @TempDir
    Path dir;
    ServerJar server;

    @BeforeAll
    void startServer(@TempDir Path data) throws IOException {
        assertThat(JAR).as("the package phase builds the jar before this test").isRegularFile();
        server = ServerJar.start(data.resolve("server"));
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void the_jar_logs_in_from_stdin_and_then_provisions_lists_as_yaml_and_exits_with_the_documented_codes()
            throws Exception {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.toString());

        Run login = run(env, server.adminToken() + "\n", "login", "--server", server.baseUrl(), "--token", "-");
        Run provision = run(env, "", "devices", "provision", "jar-1", "--security", "none", "--tag", "from-jar");
        Run yaml = run(env, "", "devices", "list", "--tag", "from-jar", "-o", "yaml");
        Run refused = run(env, "", "devices", "show", "no-such-device");
        Run typo = run(env, "", "devices", "lst");
        Run unreachable = run(Map.of("XDG_CONFIG_HOME", dir.toString(), "FERRY_SERVER", "http://127.0.0.1:" + closedPort()),
                "", "devices", "list", "--timeout", "5s");
        Run completion = run(env, "", "completion", "bash");

        assertThat(login.exitCode()).as(login.toString()).isEqualTo(ExitCodes.OK);
        assertThat(provision.exitCode()).as(provision.toString()).isEqualTo(ExitCodes.OK);
        assertThat(yaml.out()).contains("endpoint: jar-1").contains("total: 1");
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("404").contains("no-such-device");
        assertThat(typo.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(completion.out()).contains("complete -F");
    }

    private Run run(Map<String, String> env, String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("ferry " + String.join(" ", args) + " did not end within 60 s");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
