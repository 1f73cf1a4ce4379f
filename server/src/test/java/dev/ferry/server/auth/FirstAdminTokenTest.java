package dev.ferry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.server.testing.TestServer;

/**
 * The first start makes one admin token, in {@code <data-dir>/admin.token} with mode 0600, and names that file in
 * the log; no token value ever appears in the log or in a list.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FirstAdminTokenTest {
    ListAppender<ILoggingEvent> log;
    TestServer server;

    @BeforeEach
    void captureLog() {
        log = new ListAppender<>();
        log.start();
        root().addAppender(log);
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stop() {
        server.close();
        root().detachAppender(log);
    }

    @Test
    void the_first_start_writes_one_admin_token_readable_by_the_owner_only_and_logs_its_path() throws Exception {
        Path file = server.dataDir().resolve("admin.token");

        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String value = server.adminToken();
        assertThat(value).matches("ferry_[A-Za-z0-9_-]{43}");
        assertThat(server.get("/api/v1/devices").status()).isEqualTo(200);
        assertThat(messages()).filteredOn(m -> m.contains(file.toAbsolutePath().toString())).hasSize(1);
        assertThat(Files.list(server.dataDir()).map(p -> p.getFileName().toString())).doesNotContain("admin.token.tmp");
    }

    @Test
    void a_restart_keeps_the_token_and_makes_no_other() throws Exception {
        String value = server.adminToken();
        long modified = Files.getLastModifiedTime(server.dataDir().resolve("admin.token")).toMillis();

        server.restart();

        assertThat(server.adminToken()).isEqualTo(value);
        assertThat(Files.getLastModifiedTime(server.dataDir().resolve("admin.token")).toMillis()).isEqualTo(modified);
        assertThat(server.get("/api/v1/tokens").json().getJsonArray("items")).hasSize(1);
        assertThat(messages()).filteredOn(m -> m.contains("admin.token")).hasSize(1);
    }

    @Test
    void no_token_value_appears_in_the_log() {
        String made = server.post("/api/v1/tokens", "{\"name\":\"other\",\"role\":\"viewer\"}").json().getString("value");
        server.sendAs(made, "GET", "/api/v1/devices", null);
        server.sendAs(made, "DELETE", "/api/v1/devices/nobody", null);
        server.sendAs(made + "x", "GET", "/api/v1/devices", null);
        server.restart();

        List<String> all = messages();
        assertThat(all).isNotEmpty();
        assertThat(all).noneMatch(m -> m.contains(server.adminToken()) || m.contains(made) || m.contains("ferry_"));
    }

    private List<String> messages() {
        return log.list.stream().map(e -> e.getFormattedMessage() + (e.getThrowableProxy() == null ? ""
                : " " + e.getThrowableProxy().getMessage())).toList();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
