package dev.ferry.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.CliRun;
import dev.ferry.cli.ExitCodes;
import dev.ferry.image.keys.ImageSigningKey;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The fleet commands against a real server process, through its public API only. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class FleetCommandsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    ServerJar server;
    String url;
    String admin;

    @BeforeAll
    void startServer(@TempDir Path data) throws Exception {
        server = ServerJar.start(data.resolve("server"));
        url = server.baseUrl();
        admin = server.adminToken();
    }

    @AfterAll
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** ferry with FERRY_SERVER and FERRY_TOKEN set to the admin's, and a config directory of this test. */
    CliRun ferry(String... args) {
        return CliRun.ferry(Map.of("XDG_CONFIG_HOME", dir.toString(), "FERRY_SERVER", url, "FERRY_TOKEN", admin), "",
                args);
    }

    @Test
    void login_stores_the_server_and_token_readable_by_the_owner_only_and_later_commands_use_them() throws Exception {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.toString());

        CliRun login = CliRun.ferry(env, "", "login", "--server", url + "/", "--token-file",
                server.adminTokenFile().toString());
        CliRun list = CliRun.ferry(env, "", "devices", "list");

        assertThat(login.exitCode()).as(login.toString()).isZero();
        Path config = dir.resolve("ferry/config");
        assertThat(Files.getPosixFilePermissions(config)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(config)).contains("server=" + url.replace(":", "\\:")).contains(admin);
        assertThat(list.exitCode()).as(list.toString()).isZero();
        assertThat(list.out()).startsWith("ENDPOINT");
    }

    @Test
    void login_reads_the_token_from_stdin_and_refuses_to_store_one_the_server_does_not_accept() throws Exception {
        Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.toString());

        CliRun wrong = CliRun.ferry(env, "ferry_not-a-token\n", "login", "--server", url, "--token", "-");
        assertThat(wrong.exitCode()).as(wrong.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(wrong.err()).contains("401").contains("ferry login");
        assertThat(dir.resolve("ferry/config")).doesNotExist();

        CliRun right = CliRun.ferry(env, admin + "\n", "login", "--server", url, "--token", "-");
        assertThat(right.exitCode()).as(right.toString()).isZero();
        assertThat(Files.readString(dir.resolve("ferry/config"))).contains(admin);
    }

    @Test
    void flags_win_over_the_environment_which_wins_over_the_stored_config() throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("XDG_CONFIG_HOME", dir.toString()));
        assertThat(CliRun.ferry(env, admin, "login", "--server", url, "--token", "-").exitCode()).isZero();
        assertThat(CliRun.ferry(env, "", "devices", "list").exitCode()).isZero();

        env.put("FERRY_TOKEN", "ferry_revoked-or-never-issued");
        CliRun environmentWins = CliRun.ferry(env, "", "devices", "list");
        CliRun flagWins = CliRun.ferry(env, "", "devices", "list", "--token", admin);
        env.put("FERRY_SERVER", "http://127.0.0.1:" + closedPort());
        CliRun serverFromEnvironment = CliRun.ferry(env, "", "devices", "list", "--token", admin);
        CliRun serverFlagWins = CliRun.ferry(env, "", "devices", "list", "--token", admin, "--server", url);

        assertThat(environmentWins.exitCode()).as(environmentWins.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(flagWins.exitCode()).as(flagWins.toString()).isZero();
        assertThat(serverFromEnvironment.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(serverFlagWins.exitCode()).as(serverFlagWins.toString()).isZero();
    }

    @Test
    void without_a_server_anywhere_the_command_says_how_to_give_one() {
        CliRun run = CliRun.ferry(Map.of("XDG_CONFIG_HOME", dir.toString()), "", "devices", "list");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("ferry login").contains("FERRY_SERVER").contains("--server");
    }

    @Test
    void a_server_that_does_not_listen_is_unreachable_with_exit_3() throws Exception {
        CliRun run = ferry("devices", "list", "--server", "http://127.0.0.1:" + closedPort(), "--timeout", "5s");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(run.err()).contains("cannot reach the server");
    }

    @Test
    void devices_are_provisioned_listed_shown_tagged_untagged_and_deleted() {
        CliRun provision = ferry("devices", "provision", "meter-1", "--tag", "hall-3");
        assertThat(provision.exitCode()).as(provision.toString()).isZero();
        assertThat(provision.out()).contains("provisioned meter-1 (psk)").containsPattern("key [0-9a-f]{32}");

        assertThat(ferry("devices", "tag", "meter-1", "line-a", "line-b").out()).contains("tags hall-3,line-a,line-b");
        assertThat(ferry("devices", "untag", "meter-1", "line-a").out()).contains("tags hall-3,line-b");
        CliRun listed = ferry("devices", "list", "--tag", "line-b", "--online", "false");
        assertThat(listed.out()).contains("meter-1").contains("hall-3,line-b").contains("1 of 1 device(s)");
        CliRun shown = ferry("devices", "show", "meter-1");
        assertThat(shown.out()).contains("Endpoint:      meter-1").contains("Tags:          hall-3,line-b")
                .contains("provisioned");

        CliRun deleted = ferry("devices", "delete", "meter-1");
        assertThat(deleted.exitCode()).isZero();
        CliRun gone = ferry("devices", "show", "meter-1");
        assertThat(gone.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(gone.err()).contains("404").contains("no device with endpoint 'meter-1'");
    }

    @Test
    void a_bulk_csv_provisions_every_row_or_none_and_names_each_bad_row() throws Exception {
        Path good = Files.writeString(dir.resolve("good.csv"),
                "endpoint,security,tags\nbulk-1,none,site-9\nbulk-2,psk,site-9;spare\n");
        Path bad = Files.writeString(dir.resolve("bad.csv"), "endpoint,security\nbulk-3,none\n-oops,psk\n");

        CliRun provisioned = ferry("devices", "provision", "--bulk", good.toString());
        CliRun refused = ferry("devices", "provision", "--bulk", bad.toString());

        assertThat(provisioned.exitCode()).as(provisioned.toString()).isZero();
        assertThat(provisioned.out()).contains("bulk-1").contains("bulk-2").contains("provisioned 2 device(s)");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("422").contains("row 2");
        assertThat(ferry("devices", "list", "--search", "bulk-").out()).contains("2 of 2 device(s)")
                .doesNotContain("bulk-3");
    }

    @Test
    void json_output_is_the_apis_json_unchanged_and_yaml_holds_the_same() throws Exception {
        ferry("devices", "provision", "json-1", "--security", "none", "--tag", "json");

        CliRun json = ferry("devices", "list", "--tag", "json", "-o", "json");
        CliRun yaml = ferry("devices", "show", "json-1", "-o", "yaml");

        assertThat(json.exitCode()).isZero();
        assertThat(json.out().strip()).isEqualTo(get("/api/v1/devices?tag=json").strip());
        assertThat(yaml.out()).contains("endpoint: json-1").contains("mode: none");
    }

    @Test
    void a_signed_image_is_uploaded_and_published_and_a_tampered_one_is_refused_with_the_servers_reason()
            throws Exception {
        ImageSigningKey key = TestImages.newKey();
        Path pub = Files.writeString(dir.resolve("release.pub.pem"), TestImages.publicPem(key));
        Path image = Files.write(dir.resolve("app-2.0.0.bin"), TestImages.signed("2.0.0", key));
        Path tampered = Files.write(dir.resolve("app-2.0.1.bin"), TestImages.tampered(TestImages.signed("2.0.1", key)));

        CliRun trusted = ferry("keys", "trust", "--name", "release", pub.toString());
        CliRun uploaded = ferry("firmware", "upload", image.toString(), "--model", "gauge-2", "--publish");
        CliRun refused = ferry("firmware", "upload", tampered.toString(), "--model", "gauge-2");

        assertThat(trusted.exitCode()).as(trusted.toString()).isZero();
        assertThat(ferry("keys", "list").out()).contains("release").contains("ecdsa-p256");
        assertThat(uploaded.exitCode()).as(uploaded.toString()).isZero();
        assertThat(uploaded.out()).contains("published firmware").contains("gauge-2 2.0.0");
        assertThat(ferry("firmware", "list", "--model", "gauge-2").out()).contains("2.0.0").contains("yes")
                .contains("1 of 1 image(s)");
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("422").containsIgnoringCase("tamper");
        Path unpublished = Files.write(dir.resolve("app-2.0.2.bin"), TestImages.signed("2.0.2", key));
        String stored = ferry("firmware", "upload", unpublished.toString(), "--model", "gauge-2", "-o", "json").out();
        String id = Long.toString(JSON.readTree(stored).path("id").asLong());
        assertThat(ferry("firmware", "show", id).out()).contains("published:       false");
        assertThat(ferry("firmware", "publish", id).out()).contains("published firmware " + id);
        assertThat(ferry("firmware", "show", id).out()).contains("published:       true");
        assertThat(ferry("firmware", "delete", id).exitCode()).isZero();
        assertThat(ferry("firmware", "show", id).exitCode()).isEqualTo(ExitCodes.REFUSED);
        String keyId = ferry("keys", "list", "-o", "json").out().replaceAll("(?s).*\"id\":\"([0-9a-f]+)\".*", "$1");
        CliRun inUse = ferry("keys", "remove", keyId);
        assertThat(inUse.exitCode()).as(inUse.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(inUse.err()).contains("409");
    }

    @Test
    void a_token_below_the_role_needed_is_refused_with_exit_2_and_the_problem_detail() {
        CliRun created = ferry("tokens", "create", "watcher", "--role", "viewer");
        String viewer = created.out().lines().filter(l -> l.startsWith("ferry_")).findFirst().orElseThrow();

        CliRun refused = ferry("devices", "provision", "nope-1", "--token", viewer);
        CliRun reads = ferry("devices", "list", "--token", viewer);

        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("403").contains("operator");
        assertThat(reads.exitCode()).isZero();
    }

    @Test
    void tokens_are_created_listed_and_revoked_and_a_revoked_one_stops_working() {
        CliRun created = ferry("tokens", "create", "pipeline", "--role", "ci", "--expires-in", "1d");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        String id = created.out().replaceAll("(?s)created token (\\S+) .*", "$1");
        String value = created.out().lines().filter(l -> l.startsWith("ferry_")).findFirst().orElseThrow();
        assertThat(ferry("firmware", "list", "--token", value).exitCode()).isZero();
        assertThat(ferry("tokens", "list").out()).contains("pipeline").contains("ci");

        assertThat(ferry("tokens", "revoke", id).exitCode()).isZero();
        CliRun revoked = ferry("firmware", "list", "--token", value);
        assertThat(revoked.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(revoked.err()).contains("401");
    }

    @Test
    void commands_are_queued_and_listed() {
        ferry("devices", "provision", "cmd-1", "--security", "none");

        CliRun sent = ferry("commands", "send", "cmd-1", "write", "/1/0/1", "--value", "600");
        CliRun listed = ferry("commands", "list", "cmd-1");
        CliRun invalid = ferry("commands", "send", "cmd-1", "juggle", "/3/0/4");

        assertThat(sent.exitCode()).as(sent.toString()).isZero();
        assertThat(sent.out()).contains("queued command").contains("write /1/0/1").contains("pending");
        assertThat(listed.out()).contains("write").contains("/1/0/1").contains("pending");
        assertThat(invalid.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(invalid.err()).contains("422");
    }

    @Test
    void a_command_job_queues_one_command_per_device_of_the_target() {
        ferry("devices", "provision", "job-1", "--security", "none", "--tag", "job-target");
        ferry("devices", "provision", "job-2", "--security", "none", "--tag", "job-target");

        CliRun sent = ferry("commands", "job", "send", "--tag", "job-target", "read", "/3/0/9");
        CliRun listed = ferry("commands", "job", "list");
        String id = sent.out().replaceAll("(?s)^job (\\d+):.*", "$1");
        CliRun shown = ferry("commands", "job", "show", id);

        assertThat(sent.exitCode()).as(sent.toString()).isZero();
        assertThat(sent.out()).contains("queued for 2 device(s)");
        assertThat(listed.out()).contains("read").contains("/3/0/9");
        assertThat(shown.out()).contains("job-1").contains("job-2").contains("pending");
    }

    @Test
    void groups_are_created_listed_and_deleted() {
        ferry("devices", "provision", "grp-1", "--security", "none", "--tag", "grouped");

        CliRun created = ferry("groups", "create", "grouped-ones", "--tag-all", "grouped");
        CliRun members = ferry("groups", "devices", "grouped-ones");
        CliRun edited = ferry("groups", "edit", "grouped-ones", "--description", "none of them", "--tag-all",
                "nobody-has-this");
        CliRun deleted = ferry("groups", "delete", "grouped-ones");

        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).contains("grouped-ones").contains("1");
        assertThat(members.out()).contains("grp-1");
        assertThat(edited.exitCode()).as(edited.toString()).isZero();
        assertThat(edited.out()).contains("none of them").contains("nobody-has-this");
        assertThat(deleted.exitCode()).isZero();
        assertThat(ferry("groups", "show", "grouped-ones").exitCode()).isEqualTo(ExitCodes.REFUSED);
    }

    @Test
    void the_audit_log_lists_what_was_done_and_verifies() {
        ferry("devices", "provision", "audited-1", "--security", "none");

        CliRun listed = ferry("audit", "list", "--target", "device:audited-1");
        CliRun verified = ferry("audit", "verify");

        assertThat(listed.out()).contains("POST /api/v1/devices").contains("201");
        assertThat(verified.exitCode()).as(verified.toString()).isZero();
        assertThat(verified.out()).contains("audit log valid");
    }

    @Test
    void events_replays_from_an_id_and_follows_the_live_stream_for_a_bounded_time() throws Exception {
        long before = JSON.readTree(get("/api/v1/events?limit=1")).path("items").path(0).path("id").asLong(0);
        ferry("devices", "provision", "evt-1", "--security", "none");

        CliRun replayed = ferry("events", "--since-id", Long.toString(before), "--type", "provisioned", "--count", "1",
                "--for", "30s");
        CliRun quiet = ferry("events", "--device", "no-such-device", "--for", "1s");

        assertThat(replayed.exitCode()).as(replayed.toString()).isZero();
        assertThat(replayed.out()).contains("provisioned").contains("evt-1");
        assertThat(quiet.exitCode()).isZero();
        assertThat(quiet.out()).isEmpty();
    }

    @Test
    void telemetry_of_a_path_without_values_prints_an_empty_series() {
        ferry("devices", "provision", "tele-1", "--security", "none");

        CliRun run = ferry("telemetry", "tele-1", "/3303/0/5700", "--since", "1h");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("AT");
    }

    private String get(String path) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + admin).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort(); // closed again when the run tries it
        }
    }
}
