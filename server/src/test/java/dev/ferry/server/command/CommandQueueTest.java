package dev.ferry.server.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real server and a simulated queue-mode device on loopback: commands wait in the database while the device is
 * out of reach (powered off, and unknown to a restarted server's presence tracking), survive restarts, and reach
 * the device in order once it is back; deadlines expire them, operators cancel them.
 */
class CommandQueueTest {
    private static final String DEVICE = "sleepy";
    private final ImageSigningKey key = Images.newKey();
    private TestServer server;
    private SimDevice device;

    @BeforeEach
    void givenARegisteredQueueModeDevice() throws Exception {
        server = TestServer.givenServer().start();
        TestServer.Reply provisioned = server.post("/api/v1/devices", new JsonObject().put("endpoint", DEVICE)
                .put("security", new JsonObject().put("mode", "none")).encode());
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        device = SimDevice.builder(DEVICE).server(server.coapUri()).noSec().queueMode(true)
                .primaryImage(Images.signed("1.0.0", 8 * 1024, key)).trustedKeys(TrustedKeys.of(key.publicKey()))
                .lifetime(Duration.ofSeconds(120)).start();
        device.awaitRegistered().get(20, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (device != null) {
            device.close();
        }
        server.close();
    }

    /**
     * Out of reach: powered off without deregistering, and the server restarted, so that its registration is
     * restored but nothing says the device is awake.
     */
    private void deviceGoesOutOfReach() throws Exception {
        device.powerOff().get(10, TimeUnit.SECONDS);
        server.restart();
    }

    @Test
    void five_commands_queued_for_a_sleeping_device_reach_it_in_order_when_it_wakes_after_a_server_restart()
            throws Exception {
        deviceGoesOutOfReach();
        List<Long> ids = new ArrayList<>();
        ids.add(queue(write("/1/0/3", 101)));
        ids.add(queue(read("/1/0/3")));
        ids.add(queue(write("/1/0/3", 102)));
        ids.add(queue(read("/1/0/3")));
        ids.add(queue(read("/3/0/1")));
        for (long id : ids) {
            assertThat(command(id).getString("state")).isEqualTo("pending");
        }

        server.restart();
        assertThat(server.get("/api/v1/devices/" + DEVICE + "/commands?state=pending").json()
                .getJsonArray("items")).hasSize(5);
        device.powerOn().get(10, TimeUnit.SECONDS);

        for (long id : ids) {
            awaitEnd(id, "succeeded");
        }
        List<JsonObject> ended = ids.stream().map(this::command).toList();
        // The reads return what the write just before each left: the device got them in this order.
        assertThat(ended.get(1).getJsonObject("outcome").getJsonObject("value").getValue("value")).isEqualTo(101);
        assertThat(ended.get(3).getJsonObject("outcome").getJsonObject("value").getValue("value")).isEqualTo(102);
        assertThat(ended.get(4).getJsonObject("outcome").getString("responseCode")).isEqualTo("CONTENT");
        for (int i = 1; i < ended.size(); i++) {
            // One in flight at a time: each was sent after the one before it ended.
            assertThat(ended.get(i).getString("sentAt")).isGreaterThanOrEqualTo(ended.get(i - 1)
                    .getString("finishedAt"));
            assertThat(ended.get(i).getInteger("attempts")).isEqualTo(1);
        }
        assertThat(ended.get(0).getJsonObject("outcome").getString("responseCode")).isEqualTo("CHANGED");
    }

    @Test
    void a_sleeping_device_gets_its_queue_in_order_at_its_next_registration_update() throws Exception {
        device.close();
        device = SimDevice.builder(DEVICE).server(server.coapUri()).noSec()
                .faults(Faults.none().sleeping(Duration.ofSeconds(2), Duration.ofMillis(1500)))
                .primaryImage(Images.signed("1.0.0", 8 * 1024, key)).trustedKeys(TrustedKeys.of(key.publicKey()))
                .lifetime(Duration.ofSeconds(60)).start();
        device.awaitRegistered().get(20, TimeUnit.SECONDS);
        server.restart(); // nothing says it is awake until it next sends something
        long registrations = device.events().stream()
                .filter(e -> e.type() == dev.ferry.sim.device.DeviceEvent.Type.REGISTERED).count();

        List<Long> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            ids.add(queue(write("/1/0/3", 200 + i)));
        }
        long last = queue(read("/1/0/3"));

        for (long id : ids) {
            awaitEnd(id, "succeeded");
        }
        awaitEnd(last, "succeeded");
        assertThat(command(last).getJsonObject("outcome").getJsonObject("value").getValue("value"))
                .as("the writes arrived in the order they were queued").isEqualTo(205);
        assertThat(server.waitForEvent(DEVICE, DeviceEventType.UPDATED)).isNotNull();
        assertThat(device.events().stream().filter(e -> e.type() == dev.ferry.sim.device.DeviceEvent.Type.REGISTERED)
                .count()).as("woken by a registration update, not a new registration").isEqualTo(registrations);
    }

    @Test
    void a_command_whose_deadline_passes_while_the_device_sleeps_expires() throws Exception {
        deviceGoesOutOfReach();
        long id = queue(read("/3/0/0").put("deadlineSeconds", 1));

        DeviceEvent expired = awaitEnd(id, "expired");

        assertThat(expired.detail()).contains("deadline");
        JsonObject shown = command(id);
        assertThat(shown.getInteger("attempts")).isZero();
        assertThat(shown.getString("sentAt")).isNull();
    }

    @Test
    void a_pending_command_is_cancelled_and_never_sent_and_cancelling_it_again_is_a_conflict() throws Exception {
        deviceGoesOutOfReach();
        long cancelled = queue(write("/1/0/3", 555));
        long kept = queue(read("/1/0/3"));

        TestServer.Reply reply = server.delete("/api/v1/devices/" + DEVICE + "/commands/" + cancelled);

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().getString("state")).isEqualTo("cancelled");
        awaitEnd(cancelled, "cancelled");
        TestServer.Reply again = server.delete("/api/v1/devices/" + DEVICE + "/commands/" + cancelled);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        device.powerOn().get(10, TimeUnit.SECONDS);
        // Powered on afresh, the device has no 1/0/3 until something writes it: the cancelled write never came.
        awaitEnd(kept, "failed");
        assertThat(command(kept).getJsonObject("outcome").getString("responseCode")).isEqualTo("NOT_FOUND");
        assertThat(command(cancelled).getInteger("attempts")).isZero();
        assertThat(command(cancelled).getString("sentAt")).isNull();
    }

    @Test
    void the_synchronous_resource_routes_answer_409_for_a_sleeping_device_and_point_to_the_queue()
            throws Exception {
        deviceGoesOutOfReach();

        TestServer.Reply read = server.get("/api/v1/devices/" + DEVICE + "/resources/3/0/0");

        assertThat(read.status()).as(read.body()).isEqualTo(409);
        assertThat(read.json().getString("detail")).contains("POST /api/v1/devices/" + DEVICE + "/commands");
    }

    @Test
    void commands_that_can_never_be_sent_are_refused_with_what_to_change_and_nothing_is_queued() {
        List<JsonObject> refused = List.of(new JsonObject().put("kind", "reboot").put("path", "/3/0/4"),
                new JsonObject().put("kind", "read").put("path", "/3/x"),
                new JsonObject().put("kind", "write").put("path", "/1/0").put("value", 1),
                new JsonObject().put("kind", "write").put("path", "/1/0/1").put("value", 0),
                new JsonObject().put("kind", "execute").put("path", "/3/0/4").put("arguments", "not=syntax'"),
                new JsonObject().put("kind", "write-attributes").put("path", "/3/0/9")
                        .put("attributes", new JsonObject().put("pmin", 10).put("pmax", 5)),
                read("/3/0/0").put("deadlineSeconds", 0));
        for (JsonObject body : refused) {
            TestServer.Reply reply = server.post("/api/v1/devices/" + DEVICE + "/commands", body.encode());
            assertThat(reply.status()).as(body + " -> " + reply.body()).isEqualTo(422);
            assertThat(reply.json().getString("detail")).contains("nothing was queued");
        }
        assertThat(server.get("/api/v1/devices/" + DEVICE + "/commands").json().getJsonArray("items")).isEmpty();
        assertThat(server.post("/api/v1/devices/ghost/commands", read("/3/0/0").encode()).status()).isEqualTo(404);
    }

    @Test
    void an_online_device_gets_a_command_at_once_and_the_outcome_says_what_it_answered() {
        long read = queue(read("/3/0/1"));
        long missing = queue(read("/3/0/9"));

        awaitEnd(read, "succeeded");
        DeviceEvent failed = awaitEnd(missing, "failed");

        assertThat(command(read).getJsonObject("outcome").getJsonObject("value").getString("value"))
                .isEqualTo("ferry-sim");
        assertThat(command(missing).getJsonObject("outcome").getString("responseCode")).isEqualTo("NOT_FOUND");
        assertThat(failed.detail()).contains("NOT_FOUND").doesNotEndWith(": ");
        assertThat(server.delete("/api/v1/devices/" + DEVICE + "/commands/" + read).status()).isEqualTo(409);
        JsonArray listed = server.get("/api/v1/devices/" + DEVICE + "/commands").json().getJsonArray("items");
        assertThat(listed.getJsonObject(0).getLong("id")).as("newest first").isEqualTo(missing);
    }

    @Test
    void a_read_in_flight_when_the_server_stops_is_sent_again_after_the_restart() throws Exception {
        device.goSilent().get(10, TimeUnit.SECONDS); // the server still takes it for awake: the read goes out
        long id = queue(read("/3/0/1"));
        TestServer.eventually("the read is in flight", () -> command(id).getString("state").equals("sent"));

        server.restart();

        JsonObject settled = command(id);
        assertThat(settled.getString("state")).isEqualTo("pending");
        assertThat(settled.getJsonObject("outcome").getString("error")).contains("server stopped");
        device.powerOff().get(10, TimeUnit.SECONDS);
        device.powerOn().get(10, TimeUnit.SECONDS);
        awaitEnd(id, "succeeded");
        assertThat(command(id).getInteger("attempts")).isEqualTo(2);
    }

    @Test
    void an_execute_in_flight_when_the_server_stops_fails_as_unknown_and_is_not_repeated() throws Exception {
        device.goSilent().get(10, TimeUnit.SECONDS);
        var rebooting = device.next(dev.ferry.sim.device.DeviceEvent.Type.REBOOTING);
        long id = queue(new JsonObject().put("kind", "execute").put("path", "/3/0/4"));
        TestServer.eventually("the execute is in flight", () -> command(id).getString("state").equals("sent"));

        server.restart();

        // Settled while the server started, before this test hears events: the device's event log has it.
        JsonObject settled = command(id);
        assertThat(settled.getString("state")).isEqualTo("failed");
        assertThat(settled.getJsonObject("outcome").getString("error")).contains("outcome unknown");
        assertThat(server.get("/api/v1/devices/" + DEVICE + "/events?type=command").json().getJsonArray("items")
                .stream().map(e -> ((JsonObject) e).getString("detail")))
                .anyMatch(detail -> detail.startsWith("command " + id + " failed") && detail.contains("outcome unknown"));
        device.powerOff().get(10, TimeUnit.SECONDS);
        device.powerOn().get(10, TimeUnit.SECONDS);
        device.awaitRegistered().get(20, TimeUnit.SECONDS);
        long after = queue(read("/3/0/1"));
        awaitEnd(after, "succeeded");
        assertThat(rebooting).as("the device was never asked to reboot").isNotDone();
        assertThat(command(id).getInteger("attempts")).isEqualTo(1);
    }

    @Test
    void queueing_is_audited_under_the_device_and_the_meters_count_queued_commands_and_outcomes()
            throws Exception {
        var meters = server.server().meters();
        double succeededBefore = meters.get("ferry.commands.outcomes").tag("outcome", "succeeded").counter().count();
        long id = queue(read("/3/0/1"));
        awaitEnd(id, "succeeded");

        assertThat(meters.get("ferry.commands.outcomes").tag("outcome", "succeeded").counter().count())
                .isEqualTo(succeededBefore + 1);
        JsonArray audited = server.get("/api/v1/audit?target=device:" + DEVICE).json().getJsonArray("items");
        assertThat(audited.stream().map(e -> ((JsonObject) e).getString("action")))
                .contains("POST /api/v1/devices/{endpoint}/commands");
        deviceGoesOutOfReach();
        queue(read("/3/0/1"));
        queue(read("/3/0/2"));
        var queued = server.server().meters();
        TestServer.eventually("the queued gauge counts both", () ->
                queued.get("ferry.commands.queued").gauge().value() == 2);
        assertThat(queued.scrape()).contains("ferry_commands_queued 2.0");
    }

    @Test
    void writes_of_several_resources_write_attributes_observe_and_cancel_observe_reach_the_device() {
        long values = queue(new JsonObject().put("kind", "write").put("path", "/1/0")
                .put("values", new JsonObject().put("2", 5).put("3", 60)));
        long readBack = queue(read("/1/0"));
        long attributes = queue(new JsonObject().put("kind", "write-attributes").put("path", "/3/0/3")
                .put("attributes", new JsonObject().put("pmin", 1).put("pmax", 30)));
        long observe = queue(new JsonObject().put("kind", "observe").put("path", "/3/0/3"));
        long cancel = queue(new JsonObject().put("kind", "cancel-observe").put("path", "/3/0/3"));
        long cancelAgain = queue(new JsonObject().put("kind", "cancel-observe").put("path", "/3/0/3"));

        awaitEnd(values, "succeeded");
        awaitEnd(readBack, "succeeded");
        JsonObject server1 = command(readBack).getJsonObject("outcome").getJsonObject("value");
        assertThat(server1.getJsonObject("2").getValue("value")).isEqualTo(5);
        assertThat(server1.getJsonObject("3").getValue("value")).isEqualTo(60);
        awaitEnd(attributes, "succeeded");
        awaitEnd(observe, "succeeded");
        assertThat(command(observe).getJsonObject("outcome").getJsonObject("value").getString("value"))
                .isEqualTo("1.0.0+0");
        awaitEnd(cancel, "succeeded");
        DeviceEvent nothingToCancel = awaitEnd(cancelAgain, "failed");
        assertThat(nothingToCancel.detail()).contains("no observation of /3/0/3");
    }

    @Test
    void deprovisioning_a_device_cancels_its_queue_so_a_new_device_of_that_name_never_gets_it() throws Exception {
        deviceGoesOutOfReach();
        long id = queue(new JsonObject().put("kind", "execute").put("path", "/3/0/4"));

        assertThat(server.delete("/api/v1/devices/" + DEVICE).status()).isEqualTo(204);

        DeviceEvent cancelled = awaitEndEvent(id);
        assertThat(cancelled.detail()).startsWith("command " + id + " cancelled").contains("deprovisioned");
    }

    static JsonObject read(String path) {
        return new JsonObject().put("kind", "read").put("path", path);
    }

    static JsonObject write(String path, Object value) {
        return new JsonObject().put("kind", "write").put("path", path).put("value", value);
    }

    private long queue(JsonObject command) {
        TestServer.Reply reply = server.post("/api/v1/devices/" + DEVICE + "/commands", command.encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(202);
        return reply.json().getLong("id");
    }

    private JsonObject command(long id) {
        TestServer.Reply reply = server.get("/api/v1/devices/" + DEVICE + "/commands/" + id);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private DeviceEvent awaitEndEvent(long id) {
        String prefix = "command " + id + " ";
        return server.waitForEvent(e -> e.type() == DeviceEventType.COMMAND && e.detail() != null
                && e.detail().startsWith(prefix), "the end of " + prefix);
    }

    private DeviceEvent awaitEnd(long id, String state) {
        String prefix = "command " + id + " ";
        DeviceEvent end = server.waitForEvent(e -> e.type() == DeviceEventType.COMMAND && e.detail() != null
                && e.detail().startsWith(prefix), "the end of " + prefix);
        assertThat(end.detail()).startsWith(prefix + state);
        assertThat(command(id).getString("state")).isEqualTo(state);
        return end;
    }
}
