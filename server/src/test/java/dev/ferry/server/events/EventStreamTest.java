package dev.ferry.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.events.SseClient.Frame;
import dev.ferry.server.telemetry.TelemetryPoint;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

class EventStreamTest {
    TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_client_that_resumes_with_last_event_id_sees_every_event_once_in_order() {
        String lastSeen;
        try (SseClient first = SseClient.open(server, "/api/v1/events/stream", null)) {
            assertThat(first.status()).isEqualTo(200);
            provision("resume-1", "resume-2", "resume-3");
            List<Frame> seen = first.until(f -> endpointOf(f).equals("resume-3"));
            assertThat(seen).extracting(EventStreamTest::endpointOf)
                    .containsExactly("resume-1", "resume-2", "resume-3");
            assertThat(seen).extracting(Frame::event).containsOnly("provisioned");
            lastSeen = seen.get(2).id();
        }

        provision("resume-4", "resume-5", "resume-6"); // while no client is connected

        try (SseClient again = SseClient.open(server, "/api/v1/events/stream", lastSeen)) {
            provision("resume-7");
            List<Frame> seen = again.until(f -> endpointOf(f).equals("resume-7"));

            assertThat(seen).extracting(EventStreamTest::endpointOf)
                    .containsExactly("resume-4", "resume-5", "resume-6", "resume-7");
            assertThat(seen).extracting(Frame::longId).isSorted().doesNotHaveDuplicates()
                    .allMatch(id -> id > Long.parseLong(lastSeen));
            assertThat(seen.get(0).json().getLong("id")).isEqualTo(seen.get(0).longId());
        }
    }

    @Test
    void a_client_that_missed_more_than_the_replay_limit_is_told_so_and_gets_the_newest() {
        server.close();
        server = TestServer.givenServer().with(dev.ferry.server.config.Setting.EVENTS_STREAM_REPLAY_LIMIT, "2")
                .start();
        provision("gap-1");
        String before = server.get("/api/v1/events?limit=1").json().getJsonArray("items").getJsonObject(0)
                .getLong("id").toString();
        provision("gap-2", "gap-3", "gap-4");

        try (SseClient client = SseClient.open(server, "/api/v1/events/stream", before)) {
            Frame gap = client.next();
            List<Frame> replayed = client.until(f -> endpointOf(f).equals("gap-4"));

            assertThat(gap.event()).isEqualTo("gap");
            assertThat(gap.id()).isNull();
            assertThat(gap.json().getLong("after")).isEqualTo(Long.parseLong(before));
            assertThat(replayed).extracting(EventStreamTest::endpointOf).containsExactly("gap-3", "gap-4");
            assertThat(gap.json().getLong("resumedAfter")).isEqualTo(replayed.get(0).longId() - 1);
        }
    }

    @Test
    void filters_select_events_by_device_group_and_type() {
        assertThat(server.post("/api/v1/groups", "{\"name\":\"line-3\",\"filter\":{\"tagsAll\":[\"line-3\"]}}")
                .status()).isEqualTo(201);
        try (SseClient byDevice = SseClient.open(server, "/api/v1/events/stream?device=filter-2", null);
                SseClient byGroup = SseClient.open(server, "/api/v1/events/stream?group=line-3", null);
                SseClient byType = SseClient.open(server, "/api/v1/events/stream?type=changed,deprovisioned", null)) {
            provisionTagged("filter-1", "line-3");
            provision("filter-2");
            provisionTagged("filter-3", "line-3");
            assertThat(server.patch("/api/v1/devices/filter-2", "{\"tags\":[\"line-4\"]}").status()).isEqualTo(200);
            assertThat(server.delete("/api/v1/devices/filter-2").status()).isEqualTo(204);
            provisionTagged("filter-4", "line-3");
            provision("filter-2"); // the last event the device stream sees

            int[] provisioned = {0};
            assertThat(byDevice.until(f -> f.event().equals("provisioned") && ++provisioned[0] == 2))
                    .extracting(f -> f.event() + " " + endpointOf(f))
                    .containsExactly("provisioned filter-2", "changed filter-2", "deprovisioned filter-2",
                            "provisioned filter-2");
            assertThat(byGroup.until(f -> endpointOf(f).equals("filter-4")))
                    .extracting(f -> f.event() + " " + endpointOf(f))
                    .containsExactly("provisioned filter-1", "provisioned filter-3", "provisioned filter-4");
            assertThat(byType.until(f -> f.event().equals("deprovisioned")))
                    .extracting(f -> f.event() + " " + endpointOf(f))
                    .containsExactly("changed filter-2", "deprovisioned filter-2");
        }
    }

    @Test
    void online_and_offline_events_follow_the_device_views_online_field() {
        Fleet fleet = new Fleet(server, null);
        try (SseClient stream = SseClient.open(server, "/api/v1/events/stream?type=online,offline", null)) {
            TestDevice device = fleet.provision("comes-and-goes", SecurityMode.NONE).lifetime(1).start();
            Frame online = stream.next();
            assertThat(online.event()).isEqualTo("registered");
            assertThat(online.json().getBoolean("online")).isTrue();
            assertThat(server.get("/api/v1/devices/comes-and-goes").json().getBoolean("online")).isTrue();

            device.powerOff(); // its lifetime passes without an update
            Frame offline = stream.next();

            assertThat(offline.event()).isEqualTo("expired");
            assertThat(offline.json().getBoolean("online")).isFalse();
            assertThat(offline.json().getString("endpoint")).isEqualTo("comes-and-goes");
            assertThat(server.get("/api/v1/devices/comes-and-goes").json().getBoolean("online")).isFalse();
            // The provisioning before them is neither online nor offline, so the stream did not send it.
            assertThat(server.eventsSoFar()).anyMatch(e -> e.type() == DeviceEventType.REGISTERED);
        }
    }

    @Test
    void stored_telemetry_is_streamed_without_an_id() throws InterruptedException {
        try (SseClient stream = SseClient.open(server, "/api/v1/events/stream?type=telemetry&device=sensor-1", null)) {
            TelemetryPoint point = new TelemetryPoint("sensor-1", "/3303/0/5700", Instant.parse("2026-01-02T03:04:05Z"),
                    "FLOAT", 21.5, null);
            TelemetryPoint other = new TelemetryPoint("sensor-2", "/3303/0/5700", point.at(), "FLOAT", 99.0, null);
            Frame frame = null;
            // The hub takes a new client in on its own thread; points stored before that are not streamed to it.
            long deadline = System.nanoTime() + TestServer.DEADLINE.toNanos();
            while (frame == null && System.nanoTime() < deadline) {
                server.server().telemetry().publish(List.of(other, point));
                frame = stream.poll(Duration.ofMillis(200));
            }

            assertThat(frame).as("a telemetry event").isNotNull();
            assertThat(frame.event()).isEqualTo("telemetry");
            assertThat(frame.id()).isNull();
            JsonObject data = frame.json();
            assertThat(data.getString("endpoint")).isEqualTo("sensor-1");
            assertThat(data.getString("path")).isEqualTo("/3303/0/5700");
            assertThat(data.getDouble("value")).isEqualTo(21.5);
            assertThat(data.getString("at")).isEqualTo("2026-01-02T03:04:05Z");
        }
    }

    @Test
    void a_request_that_does_not_accept_an_event_stream_is_answered_406_with_a_hint() {
        TestServer.Reply reply = server.get("/api/v1/events/stream");

        assertThat(reply.status()).isEqualTo(406);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).contains("Accept: text/event-stream");
    }

    @Test
    void an_unknown_type_or_group_is_refused_with_what_exists() {
        try (SseClient badType = SseClient.open(server, "/api/v1/events/stream?type=registered,bogus", null);
                SseClient badGroup = SseClient.open(server, "/api/v1/events/stream?group=nowhere", null)) {
            assertThat(badType.status()).isEqualTo(400);
            assertThat(badGroup.status()).isEqualTo(404);
        }
    }

    private static String endpointOf(Frame frame) {
        String endpoint = frame.json().getString("endpoint");
        return endpoint == null ? "" : endpoint;
    }

    private void provision(String... endpoints) {
        for (String endpoint : endpoints) {
            TestServer.Reply reply = server.post("/api/v1/devices",
                    "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"none\"}}");
            assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        }
    }

    private void provisionTagged(String endpoint, String tag) {
        TestServer.Reply reply = server.post("/api/v1/devices",
                "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"none\"},\"tags\":[\"" + tag + "\"]}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }
}
