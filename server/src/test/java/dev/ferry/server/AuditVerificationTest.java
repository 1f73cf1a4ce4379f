package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.audit.AuditCommand;
import dev.ferry.server.config.FerryConfig;
import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/**
 * The hash chain against tampering: rows edited or deleted straight in H2 (with the server stopped, as someone
 * with access to the data directory would) are found, at that row, by the API and by the offline command.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AuditVerificationTest {
    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.givenServer().start();
        for (int i = 0; i < 4; i++) {
            assertThat(server.post("/api/v1/devices", AuditTrailTest.device("chain-" + i, "none")).status())
                    .isEqualTo(201);
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_normal_log_verifies_also_across_a_restart() {
        JsonObject before = verify();
        assertThat(before.getBoolean("valid")).isTrue();
        assertThat(before.getLong("entries")).isEqualTo(8); // each provisioning: its transition and the call
        assertThat(before.getValue("firstBroken")).isNull();

        server.restart();
        server.delete("/api/v1/devices/chain-0");
        JsonObject after = verify();

        assertThat(after.getBoolean("valid")).as(after.encode()).isTrue();
        assertThat(after.getLong("entries")).isEqualTo(10);
        assertThat(after.getJsonObject("head").getLong("sequence")).isEqualTo(10);
        server.stop();
        assertThat(offline("verify", "--data-dir", server.dataDir().toString()))
                .isEqualTo(new Result(0, "audit log valid: 10 entries; head: entry 10, hash "
                        + after.getJsonObject("head").getString("hash") + "\n", ""));
        server.startAgain();
    }

    @Test
    void one_row_edited_in_h2_fails_verification_at_that_row() throws Exception {
        server.stop();
        sql("UPDATE audit_log SET outcome = '400' WHERE seq = 4");

        Result offline = offline("verify", "--data-dir", server.dataDir().toString());
        server.startAgain();
        JsonObject online = verify();

        assertThat(offline.status()).isEqualTo(1);
        assertThat(offline.out()).startsWith("audit log BROKEN at entry 4: its hash does not match its contents");
        assertThat(online.getBoolean("valid")).isFalse();
        assertThat(online.getLong("entries")).isEqualTo(8);
        assertThat(online.getJsonObject("firstBroken").getLong("sequence")).isEqualTo(4);
        assertThat(online.getJsonObject("firstBroken").getString("reason")).contains("does not match its contents");
    }

    @Test
    void a_row_rewritten_with_its_hash_recomputed_breaks_the_chain_at_the_next_row() throws Exception {
        server.stop();
        try (Connection db = connect()) {
            Row row = Row.read(db, 5);
            assertThat(row.documentedHash()).as("the hash as the documented encoding gives it").isEqualTo(row.hash);
            Row forged = new Row(row.seq, row.time, "nobody", row.role, row.action, row.target, row.outcome,
                    row.summary, row.prevHash, null);
            try (PreparedStatement update = db.prepareStatement(
                    "UPDATE audit_log SET actor = ?, entry_hash = ? WHERE seq = 5")) {
                update.setString(1, forged.actor);
                update.setString(2, forged.documentedHash());
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
        }

        Result offline = offline("verify", "--data-dir", server.dataDir().toString());
        JsonObject online = verifyAfterRestart();

        assertThat(offline.out()).startsWith("audit log BROKEN at entry 6: its previous hash does not match the hash"
                + " of entry 5");
        assertThat(online.getJsonObject("firstBroken").getLong("sequence")).isEqualTo(6);
    }

    @Test
    void a_row_deleted_in_the_middle_is_found_where_it_is_missing() throws Exception {
        server.stop();
        sql("DELETE FROM audit_log WHERE seq = 3");

        Result offline = offline("verify", "--data-dir", server.dataDir().toString());
        JsonObject online = verifyAfterRestart();

        assertThat(offline.status()).isEqualTo(1);
        assertThat(offline.out()).startsWith("audit log BROKEN at entry 4: entry 3 is missing");
        assertThat(online.getBoolean("valid")).isFalse();
        assertThat(online.getLong("entries")).isEqualTo(7);
        assertThat(online.getJsonObject("firstBroken")).isEqualTo(new JsonObject().put("sequence", 4)
                .put("reason", "entry 3 is missing: the entry before this one was deleted"));
    }

    @Test
    void the_offline_command_answers_usage_errors_and_a_running_server_with_2() throws Exception {
        String dir = server.dataDir().toString();

        // In its own JVM, as an operator runs it: H2 lets only one process open the database.
        Result running = inOwnProcess("verify", "--data-dir", dir);
        assertThat(running.status()).as(running.toString()).isEqualTo(2);
        assertThat(running.err()).contains("is in use, most likely by a running server")
                .contains("GET /api/v1/audit/verify");
        assertThat(offline().status()).isEqualTo(2);
        assertThat(offline("check").err()).contains("unknown subcommand 'check'");
        assertThat(offline("verify", "--data-dir").err()).contains("--data-dir needs a value");
        assertThat(offline("verify", "--data-dir", dir, "--config", "ferry.conf").status()).isEqualTo(2);
        assertThat(offline("verify", "--force").err()).contains("unknown option '--force'");
        Path empty = Files.createTempDirectory("ferry-no-db-");
        try {
            Result nothing = offline("verify", "--data-dir=" + empty);
            assertThat(nothing.status()).isEqualTo(2);
            assertThat(nothing.err()).contains("there is no database in");
            assertThat(empty.toFile().list()).isEmpty(); // verifying created nothing
        } finally {
            Files.deleteIfExists(empty);
        }
        Path config = Files.createTempFile("ferry-audit-", ".conf");
        try {
            server.stop();
            Files.writeString(config, "data-dir=" + dir + "\n");
            assertThat(inOwnProcess("verify", "--config", config.toString())).extracting(Result::status, Result::err)
                    .containsExactly(0, "");
            server.startAgain();
        } finally {
            Files.deleteIfExists(config);
        }
    }

    private JsonObject verify() {
        TestServer.Reply reply = server.get("/api/v1/audit/verify");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private JsonObject verifyAfterRestart() {
        server.startAgain();
        return verify();
    }

    /** Runs a statement on the stopped server's H2 database, as anyone with the data directory could. */
    private void sql(String statement) throws SQLException {
        try (Connection connection = connect(); PreparedStatement update = connection.prepareStatement(statement)) {
            assertThat(update.executeUpdate()).as(statement).isEqualTo(1);
        }
    }

    private Connection connect() throws SQLException {
        FerryConfig config = FerryConfig.of(Map.of(Setting.DATA_DIR, server.dataDir().toString()));
        return DriverManager.getConnection(config.databaseUrl() + ";IFEXISTS=TRUE", config.databaseUser(),
                config.databasePassword());
    }

    /** One audit_log row, and its hash computed from the encoding the audit package documents, written anew. */
    record Row(long seq, OffsetDateTime time, String actor, String role, String action, String target,
            String outcome, String summary, String prevHash, String hash) {
        static Row read(Connection db, long seq) throws SQLException {
            try (PreparedStatement query = db.prepareStatement("SELECT seq, occurred_at, actor, actor_role, action,"
                    + " target, outcome, summary, prev_hash, entry_hash FROM audit_log WHERE seq = ?")) {
                query.setLong(1, seq);
                try (ResultSet r = query.executeQuery()) {
                    assertThat(r.next()).isTrue();
                    return new Row(r.getLong(1), r.getObject(2, OffsetDateTime.class), r.getString(3), r.getString(4),
                            r.getString(5), r.getString(6), r.getString(7), r.getString(8), r.getString(9),
                            r.getString(10));
                }
            }
        }

        String documentedHash() throws Exception {
            String time = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
                    .format(this.time.withOffsetSameInstant(ZoneOffset.UTC));
            StringBuilder encoded = new StringBuilder("ferry-audit-v1\n");
            for (String field : new String[] { Long.toString(seq), time, actor, role, action, target, outcome, summary,
                    prevHash }) {
                encoded.append(field.getBytes(StandardCharsets.UTF_8).length).append(':').append(field).append(',');
            }
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(encoded.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    record Result(int status, String out, String err) {
    }

    /** {@code ferry-server audit ARGS...} as its own process, through the server's main class. */
    private static Result inOwnProcess(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "audit"));
        command.addAll(java.util.List.of(args));
        Path out = Files.createTempFile("ferry-audit-out-", ".txt");
        Path err = Files.createTempFile("ferry-audit-err-", ".txt");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("ferry-server audit did not finish within 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Result offline(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = AuditCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
