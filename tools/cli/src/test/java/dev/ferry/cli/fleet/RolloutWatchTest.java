package dev.ferry.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.cli.CliRun;
import dev.ferry.cli.ExitCodes;
import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry rollout watch} over small fleets of simulated devices (real Leshan clients with an MCUboot slot
 * model): it exits 0 when the rollout completes, and {@link ExitCodes#PAUSED} when the gate pauses it because
 * devices failed their health check after the update and reverted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RolloutWatchTest {
    static final String MODEL = "meter-4";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration REGISTERED_DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    ServerJar server;
    Map<String, String> env;
    final ImageSigningKey key = TestImages.newKey();
    byte[] v1;
    final List<SimDevice> devices = new ArrayList<>();
    final ScheduledExecutorService threads = Executors.newScheduledThreadPool(16, task -> {
        Thread thread = new Thread(task, "rollout-watch-test-device");
        thread.setDaemon(true);
        return thread;
    });
    long firmwareV2;

    @BeforeAll
    void fleet(@TempDir Path data) throws Exception {
        server = ServerJar.start(data.resolve("server"));
        env = Map.of("XDG_CONFIG_HOME", data.resolve("config").toString(), "FERRY_SERVER", server.baseUrl(),
                "FERRY_TOKEN", server.adminToken());
        v1 = TestImages.signed("1.0.0", key);
        Path pub = Files.writeString(data.resolve("pub.pem"), TestImages.publicPem(key));
        Path v1File = Files.write(data.resolve("v1.bin"), v1);
        Path v2File = Files.write(data.resolve("v2.bin"), TestImages.signed("1.1.0", key));
        succeeds("keys", "trust", "--name", "release", pub.toString());
        succeeds("firmware", "upload", v1File.toString(), "--model", MODEL, "--publish");
        CliRun v2 = succeeds("firmware", "upload", v2File.toString(), "--model", MODEL, "--publish", "-o", "json");
        firmwareV2 = JSON.readTree(v2.out()).path("id").asLong();

        StringBuilder csv = new StringBuilder("endpoint,security,model,tags\n");
        for (int i = 0; i < 4; i++) {
            csv.append("good-").append(i).append(",none,").append(MODEL).append(",healthy\n");
            csv.append("bad-").append(i).append(",none,").append(MODEL).append(",reverting\n");
        }
        csv.append("solo-ok,none,").append(MODEL).append(",solo\n").append("solo-bad,none,").append(MODEL)
                .append(",solo\n");
        succeeds("devices", "provision", "--bulk", Files.writeString(data.resolve("fleet.csv"), csv).toString());
        for (int i = 0; i < 4; i++) {
            devices.add(device("good-" + i, Faults.none()));
            // Half of these boot the new image, fail their health check and revert to 1.0.0.
            devices.add(device("bad-" + i, i % 2 == 0 ? Faults.none().failHealthCheck() : Faults.none()));
        }
        devices.add(device("solo-ok", Faults.none()));
        devices.add(device("solo-bad", Faults.none().failHealthCheck()));
        List<CompletableFuture<dev.ferry.sim.device.DeviceEvent>> registered = devices.stream().map(SimDevice::awaitRegistered)
                .toList();
        devices.forEach(SimDevice::start);
        CompletableFuture.allOf(registered.toArray(CompletableFuture[]::new))
                .get(REGISTERED_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        awaitListedWithVersion("1.0.0+0", 10);
    }

    @AfterAll
    void stop() {
        List<CompletableFuture<Void>> off = devices.stream().map(SimDevice::powerOff).toList();
        try {
            CompletableFuture.allOf(off.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            // closed below either way
        }
        devices.forEach(SimDevice::close);
        threads.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void watch_exits_0_once_the_rollout_completes_and_prints_a_line_per_change_without_a_terminal() throws Exception {
        CliRun created = succeeds("rollout", "create", "--name", "healthy to 1.1", "--firmware", "1.1.0", "--model",
                MODEL, "--tag", "healthy", "--strategy", "waves", "--waves", "1,rest", "--success-percent", "100",
                "--start", "-o", "json");
        long id = JSON.readTree(created.out()).path("id").asLong();

        CliRun watch = CliRun.ferry(env, "", "rollout", "watch", Long.toString(id));

        assertThat(watch.exitCode()).as(watch.toString()).isEqualTo(ExitCodes.OK);
        assertThat(watch.out()).contains("wave 0 [").contains("wave 1 [")
                .contains("1/1 succeeded").contains("3/3 succeeded").doesNotContain("\033[");
        assertThat(watch.out().lines().filter(l -> l.startsWith("rollout " + id)).toList()).last().asString()
                .contains("completed");
        assertThat(watch.err()).contains("rollout " + id + " completed");
        CliRun again = CliRun.ferry(env, "", "rollout", "watch", Long.toString(id), "-o", "json");
        assertThat(again.exitCode()).as(again.toString()).isEqualTo(ExitCodes.OK);
        assertThat(JSON.readTree(again.out()).path("status").asText()).isEqualTo("completed");
        // A release pipeline's ci token may not read the fleet's event stream: its watch reads the rollout instead.
        String ci = succeeds("tokens", "create", "pipeline", "--role", "ci").out().lines()
                .filter(l -> l.startsWith("ferry_")).findFirst().orElseThrow();
        CliRun pipeline = CliRun.ferry(env, "", "rollout", "watch", Long.toString(id), "--token", ci);
        assertThat(pipeline.exitCode()).as(pipeline.toString()).isEqualTo(ExitCodes.OK);
        assertThat(CliRun.ferry(env, "", "devices", "list", "--tag", "healthy", "--firmware-version", "1.1.0").out())
                .contains("4 of 4 device(s)");
    }

    @Test
    void watch_exits_4_when_the_gate_pauses_the_rollout_because_devices_reverted() throws Exception {
        CliRun created = succeeds("rollout", "create", "--name", "reverting to 1.1", "--firmware",
                Long.toString(firmwareV2), "--tag", "reverting", "--strategy", "all-at-once", "--error-percent", "20",
                "--min-finished", "4", "--on-error", "pause", "--start", "-o", "json");
        long id = JSON.readTree(created.out()).path("id").asLong();

        CliRun watch = CliRun.ferry(env, "", "rollout", "watch", Long.toString(id), "--no-tty");

        assertThat(watch.exitCode()).as(watch.toString()).isEqualTo(ExitCodes.PAUSED);
        assertThat(watch.out()).contains("2 failed").contains("paused");
        assertThat(watch.err()).contains("rollout " + id + " paused");
        CliRun shown = CliRun.ferry(env, "", "rollout", "show", Long.toString(id));
        assertThat(shown.out()).contains("paused").contains("resume");

        CliRun wrongAction = CliRun.ferry(env, "", "rollout", "start", Long.toString(id));
        assertThat(wrongAction.exitCode()).isEqualTo(ExitCodes.REFUSED);
        assertThat(wrongAction.err()).contains("409");
        CliRun rolledBack = CliRun.ferry(env, "", "rollout", "rollback", Long.toString(id));
        assertThat(rolledBack.exitCode()).as(rolledBack.toString()).isZero();
        assertThat(rolledBack.out()).contains("rolling-back");
        CliRun watchAgain = CliRun.ferry(env, "", "rollout", "watch", Long.toString(id));
        assertThat(watchAgain.exitCode()).as(watchAgain.toString()).isEqualTo(ExitCodes.NOT_COMPLETED);
    }

    @Test
    void update_watch_follows_one_device_to_success_and_exits_5_when_the_device_reverts() {
        CliRun updated = CliRun.ferry(env, "", "update", "solo-ok", "--firmware", "1.1.0", "--watch");
        CliRun reverted = CliRun.ferry(env, "", "update", "solo-bad", "--firmware", Long.toString(firmwareV2),
                "--watch", "--no-tty");

        assertThat(updated.exitCode()).as(updated.toString()).isEqualTo(ExitCodes.OK);
        assertThat(updated.out().lines().toList()).last().asString().startsWith("solo-ok update ")
                .contains("[####################] succeeded");
        assertThat(reverted.exitCode()).as(reverted.toString()).isEqualTo(ExitCodes.NOT_COMPLETED);
        assertThat(reverted.out()).contains("failed");
        assertThat(reverted.err()).contains("failed: reverted");
        CliRun again = CliRun.ferry(env, "", "update", "watch", "solo-ok");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(CliRun.ferry(env, "", "update", "list", "solo-bad").out()).contains("reverted");
    }

    @Test
    void a_plan_file_in_yaml_makes_a_draft_and_a_plan_that_cannot_run_is_refused_with_every_problem()
            throws Exception {
        Path plan = Files.writeString(dir.resolve("rollout.yaml"), "name: from a file\nfirmwareId: " + firmwareV2
                + "\ntarget: { filter: { tagsAll: [solo] } }\nstrategy: { type: rolling, waveSize: { count: 1 } }\n"
                + "gate: { successPercent: 100, onError: pause }\n");
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"name\": \"broken\", \"firmwareId\": "
                + firmwareV2 + ", \"target\": {\"group\": \"no-such-group\"}, \"strategy\": {\"type\": \"all-at-once\"},"
                + " \"gate\": {\"errorPercent\": 150}}");

        CliRun draft = CliRun.ferry(env, "", "rollout", "create", "-f", plan.toString(), "--name", "renamed draft");
        CliRun refused = CliRun.ferry(env, "", "rollout", "create", "-f", broken.toString());

        assertThat(draft.exitCode()).as(draft.toString()).isZero();
        assertThat(draft.out()).contains("'renamed draft': draft").contains("start");
        long id = Long.parseLong(draft.out().replaceAll("(?s)^rollout (\\d+) .*", "$1"));
        CliRun shown = CliRun.ferry(env, "", "rollout", "show", Long.toString(id), "-o", "json");
        JsonNode rollout = JSON.readTree(shown.out());
        assertThat(rollout.path("plan").path("strategy").path("waveSize").path("count").asInt()).isEqualTo(1);
        assertThat(rollout.path("plan").path("target").path("filter").path("tagsAll").get(0).asText())
                .isEqualTo("solo");
        assertThat(CliRun.ferry(env, "", "rollout", "list", "--status", "draft").out()).contains("renamed draft");
        assertThat(CliRun.ferry(env, "", "rollout", "delete", Long.toString(id)).exitCode()).isZero();
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(refused.err()).contains("422").contains("gate.errorPercent").contains("target");
    }

    private SimDevice device(String endpoint, Faults faults) {
        return SimDevice.builder(endpoint).server(server.coapUri()).noSec().model(MODEL)
                .trustedKeys(TrustedKeys.of(key.publicKey())).primaryImage(v1).faults(faults)
                .lifetime(Duration.ofSeconds(120)).rebootDelay(Duration.ofMillis(50))
                .downloadRetries(2, Duration.ofMillis(50)).coapTimeouts(Duration.ofMillis(500), 3)
                .confirmDeadline(Duration.ofSeconds(20)).powerOffTime(Duration.ofMillis(100))
                .sharedExecutor(threads).build();
    }

    /** The registry reads 3/0/3 after a registration: wait until it lists every device with its version. */
    private void awaitListedWithVersion(String version, int count) throws Exception {
        long deadline = System.nanoTime() + REGISTERED_DEADLINE.toNanos();
        while (true) {
            CliRun listed = CliRun.ferry(env, "", "devices", "list", "--online", "true", "--firmware-version", version,
                    "-o", "json");
            JsonNode page = JSON.readTree(listed.out());
            if (page.path("total").asInt() == count) {
                return;
            }
            assertThat(System.nanoTime()).as("devices listed with " + version + ": " + page).isLessThan(deadline);
            Thread.sleep(250);
        }
    }

    private CliRun succeeds(String... args) {
        CliRun run = CliRun.ferry(env, "", args);
        assertThat(run.exitCode()).as(String.join(" ", args) + "\n" + run).isZero();
        return run;
    }
}
