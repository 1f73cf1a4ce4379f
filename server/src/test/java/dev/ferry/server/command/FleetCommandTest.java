package dev.ferry.server.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** A fleet command job over 50 simulated devices on loopback: one command per device, a concurrency limit. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class FleetCommandTest {
    private static final int FLEET = 50;
    private static final int CONCURRENCY = 5;
    private final ImageSigningKey key = Images.newKey();
    private final byte[] image = Images.signed("1.0.0", 8 * 1024, key);
    // A thread per device: Leshan's client registers synchronously on a shared thread (see the rollout fleets).
    private final ScheduledThreadPoolExecutor threads = new ScheduledThreadPoolExecutor(FLEET + 8, r -> {
        Thread t = new Thread(r, "fleet-device");
        t.setDaemon(true);
        return t;
    });
    private final List<SimDevice> devices = new ArrayList<>();
    private TestServer server;

    @AfterEach
    void stop() {
        devices.forEach(SimDevice::close);
        threads.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void a_reboot_job_over_50_tagged_devices_reboots_each_once_with_at_most_its_concurrency_in_flight()
            throws Exception {
        server = TestServer.givenServer().start();
        givenFleet("line3-", FLEET, "line-3");
        givenFleet("other-", 3, "line-4");
        List<CompletableFuture<DeviceEvent>> reboots = devices.stream().filter(d -> d.endpoint().startsWith("line3-"))
                .map(d -> d.next(DeviceEvent.Type.REBOOTING)).toList();

        TestServer.Reply created = server.post("/api/v1/commands", new JsonObject().put("kind", "execute")
                .put("path", "/3/0/4").put("target", new JsonObject().put("filter", new JsonObject()
                        .put("tagsAll", new JsonArray().add("line-3")))).put("concurrency", CONCURRENCY).encode());

        assertThat(created.status()).as(created.body()).isEqualTo(202);
        long job = created.json().getLong("id");
        assertThat(created.json().getInteger("devices")).isEqualTo(FLEET);
        for (int i = 0; i < FLEET; i++) {
            String endpoint = "line3-" + i;
            server.waitForEvent(e -> e.type() == DeviceEventType.COMMAND && endpoint.equals(e.endpoint())
                    && e.detail().contains("(job " + job + ")"), "the end of job " + job + " on " + endpoint,
                    Duration.ofSeconds(60));
        }
        JsonObject shown = server.get("/api/v1/commands/" + job).json();
        assertThat(shown.getBoolean("finished")).isTrue();
        assertThat(shown.getJsonObject("counts").getInteger("succeeded")).as(shown.encodePrettily()).isEqualTo(FLEET);
        for (CompletableFuture<DeviceEvent> reboot : reboots) {
            assertThat(reboot.get(30, TimeUnit.SECONDS).detail()).contains("3/0/4");
        }
        assertThat(devices.stream().filter(d -> d.endpoint().startsWith("other-")))
                .allMatch(d -> d.events().stream().noneMatch(e -> e.type() == DeviceEvent.Type.REBOOTING));
        List<JsonObject> outcomes = jobDevices(job);
        assertThat(outcomes).hasSize(FLEET).allMatch(c -> c.getString("state").equals("succeeded")
                && c.getJsonObject("outcome").getString("responseCode").equals("CHANGED")
                && c.getString("endpoint").startsWith("line3-") && c.getLong("jobId") == job);
        assertThat(mostInFlightAtOnce(outcomes)).isEqualTo(CONCURRENCY);
        assertThat(server.delete("/api/v1/commands/" + job).status()).as("nothing left to cancel").isEqualTo(409);
    }

    @Test
    void a_job_for_an_unknown_group_or_a_target_matching_nothing_is_refused() throws Exception {
        server = TestServer.givenServer().start();
        JsonObject reboot = new JsonObject().put("kind", "execute").put("path", "/3/0/4");

        TestServer.Reply unknownGroup = server.post("/api/v1/commands", reboot.copy()
                .put("target", new JsonObject().put("group", "nobody")).encode());
        TestServer.Reply matchesNothing = server.post("/api/v1/commands", reboot.copy().put("target",
                new JsonObject().put("filter", new JsonObject().put("tagsAll", new JsonArray().add("none")))).encode());
        TestServer.Reply noTarget = server.post("/api/v1/commands", reboot.encode());

        assertThat(unknownGroup.status()).as(unknownGroup.body()).isEqualTo(422);
        assertThat(unknownGroup.json().getString("detail")).contains("nobody");
        assertThat(matchesNothing.status()).as(matchesNothing.body()).isEqualTo(422);
        assertThat(noTarget.status()).as(noTarget.body()).isEqualTo(422);
        assertThat(server.get("/api/v1/commands").json().getJsonArray("items")).isEmpty();
    }

    @Test
    void cancelling_a_job_cancels_the_commands_of_devices_not_reached_yet() throws Exception {
        server = TestServer.givenServer().start();
        for (String endpoint : List.of("unplugged-0", "unplugged-1")) {
            assertThat(server.post("/api/v1/devices", new JsonObject().put("endpoint", endpoint)
                    .put("security", new JsonObject().put("mode", "none")).encode()).status()).isEqualTo(201);
        }
        TestServer.Reply created = server.post("/api/v1/commands", new JsonObject().put("kind", "read")
                .put("path", "/3/0/0").put("target", new JsonObject().put("filter", new JsonObject()
                        .put("endpointPrefix", "unplugged-"))).encode());
        assertThat(created.status()).as(created.body()).isEqualTo(202);
        long job = created.json().getLong("id");
        assertThat(created.json().getJsonObject("counts").getInteger("pending")).isEqualTo(2);

        TestServer.Reply cancelled = server.delete("/api/v1/commands/" + job);

        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().getJsonObject("counts").getInteger("cancelled")).isEqualTo(2);
        assertThat(cancelled.json().getBoolean("finished")).isTrue();
        assertThat(cancelled.json().getString("cancelledAt")).isNotNull();
        assertThat(jobDevices(job)).extracting(c -> c.getString("state")).containsOnly("cancelled");
        server.waitForEvent(e -> e.type() == DeviceEventType.COMMAND && "unplugged-1".equals(e.endpoint())
                && e.detail().contains("cancelled"), "the cancellation event of unplugged-1");
        assertThat(server.delete("/api/v1/commands/" + job).status()).isEqualTo(409);
    }

    /** Replays the stored send and end times: the most commands of the job that were in flight at one instant. */
    private static int mostInFlightAtOnce(List<JsonObject> commands) {
        int most = 0;
        for (JsonObject c : commands) {
            Instant at = Instant.parse(c.getString("sentAt"));
            int inFlight = (int) commands.stream().filter(o -> !Instant.parse(o.getString("sentAt")).isAfter(at)
                    && Instant.parse(o.getString("finishedAt")).isAfter(at)).count();
            most = Math.max(most, inFlight);
        }
        return most;
    }

    private List<JsonObject> jobDevices(long job) {
        List<JsonObject> all = new ArrayList<>();
        String after = null;
        while (true) {
            TestServer.Reply page = server.get("/api/v1/commands/" + job + "/devices?limit=20"
                    + (after == null ? "" : "&after=" + after));
            assertThat(page.status()).as(page.body()).isEqualTo(200);
            page.json().getJsonArray("items").forEach(item -> all.add((JsonObject) item));
            after = page.json().getString("next");
            if (after == null) {
                return all;
            }
        }
    }

    private void givenFleet(String prefix, int count, String tag) throws Exception {
        JsonArray rows = new JsonArray();
        for (int i = 0; i < count; i++) {
            rows.add(new JsonObject().put("endpoint", prefix + i).put("security", new JsonObject().put("mode", "none"))
                    .put("tags", new JsonArray().add(tag)));
        }
        TestServer.Reply provisioned = server.post("/api/v1/devices:bulk", new JsonObject().put("devices", rows)
                .encode());
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        List<CompletableFuture<DeviceEvent>> registered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SimDevice device = SimDevice.builder(prefix + i).server(server.coapUri()).noSec().primaryImage(image)
                    .trustedKeys(TrustedKeys.of(key.publicKey())).lifetime(Duration.ofSeconds(120))
                    .rebootDelay(Duration.ofMillis(50)).coapTimeouts(Duration.ofMillis(500), 3)
                    .powerOffTime(Duration.ofMillis(100)).sharedExecutor(threads).build();
            devices.add(device);
            registered.add(device.next(DeviceEvent.Type.REGISTERED));
            device.start();
        }
        for (CompletableFuture<DeviceEvent> r : registered) {
            r.get(60, TimeUnit.SECONDS);
        }
    }
}
