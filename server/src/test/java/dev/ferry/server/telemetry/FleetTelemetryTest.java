package dev.ferry.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.leshan.core.request.ContentFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A fleet query aggregates one path over a group's devices (or the whole fleet) from what real clients sent:
 * three devices of group line-3 and one outside it each Send their free memory.
 */
@Timeout(120)
class FleetTelemetryTest {
    private TestServer server;
    private final List<ProbeDevice> devices = new ArrayList<>();

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stopServer() {
        devices.forEach(ProbeDevice::close);
        server.close();
    }

    private ProbeDevice device(String endpoint, String tag) throws Exception {
        server.provisionWithoutSecurity(endpoint, tag);
        ProbeDevice device = new ProbeDevice(endpoint, server.coapUri());
        devices.add(device);
        device.awaitRegistered();
        return device;
    }

    /** Sends each value in turn, each once the one before is stored. */
    private void send(ProbeDevice device, String endpoint, long... freeMemory) throws Exception {
        for (int i = 0; i < freeMemory.length; i++) {
            device.freeMemory(freeMemory[i]);
            device.collectAndSend(ContentFormat.SENML_JSON, "/3/0/10");
            int stored = i + 1;
            TestServer.eventually(endpoint + "'s value " + freeMemory[i] + " is stored", () -> server.get(
                    "/api/v1/devices/" + endpoint + "/telemetry?path=/3/0/10").json().getJsonArray("values")
                    .size() == stored);
        }
    }

    private JsonObject fleet(String query) {
        TestServer.Reply reply = server.get("/api/v1/telemetry?path=/3/0/10&" + query);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    @Test
    void a_groups_values_are_aggregated_per_bucket_and_the_whole_fleet_without_a_group() throws Exception {
        Instant start = Instant.now().minusSeconds(60);
        assertThat(server.post("/api/v1/groups", "{\"name\":\"line-3\",\"filter\":{\"tagsAll\":[\"line-3\"]}}")
                .status()).isEqualTo(201);
        send(device("meter-a", "line-3"), "meter-a", 100, 300);
        send(device("meter-b", "line-3"), "meter-b", 200);
        send(device("meter-c", "line-3"), "meter-c", 600);
        send(device("meter-d", "line-4"), "meter-d", 10_000);
        String span = "from=" + start + "&to=" + Instant.now().plusSeconds(60);

        JsonObject average = fleet("group=line-3&" + span);
        assertThat(average.getString("agg")).isEqualTo("avg");
        JsonArray buckets = average.getJsonArray("buckets");
        assertThat(buckets).hasSize(1);
        assertThat(buckets.getJsonObject(0).getLong("devices")).isEqualTo(3);
        assertThat(buckets.getJsonObject(0).getLong("points")).isEqualTo(4);
        assertThat(buckets.getJsonObject(0).getDouble("value")).isEqualTo(300.0);
        assertThat(only(fleet("group=line-3&agg=sum&" + span))).isEqualTo(1200.0);
        assertThat(only(fleet("group=line-3&agg=min&" + span))).isEqualTo(100.0);
        assertThat(only(fleet("group=line-3&agg=max&" + span))).isEqualTo(600.0);
        assertThat(only(fleet("group=line-3&agg=count&" + span))).isEqualTo(4.0);
        assertThat(only(fleet("agg=max&" + span))).as("the whole fleet").isEqualTo(10_000.0);

        JsonArray perSecond = fleet("group=line-3&agg=count&step=PT1S&" + span).getJsonArray("buckets");
        assertThat(perSecond.stream().mapToLong(b -> ((JsonObject) b).getLong("points")).sum()).isEqualTo(4);
        assertThat(fleet("group=line-3&from=" + Instant.now().plusSeconds(120) + "&to="
                + Instant.now().plusSeconds(180)).getJsonArray("buckets")).isEmpty();
    }

    @Test
    void an_unknown_group_or_aggregate_is_refused_with_what_to_send() {
        TestServer.Reply unknown = server.get("/api/v1/telemetry?path=/3/0/10&group=nowhere");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().getString("detail")).contains("GET /api/v1/groups");
        TestServer.Reply median = server.get("/api/v1/telemetry?path=/3/0/10&agg=median");
        assertThat(median.status()).isEqualTo(400);
        assertThat(median.json().getString("detail")).contains("avg, min, max, sum, count");
        assertThat(server.get("/api/v1/telemetry?group=nowhere").status()).as("path is required").isEqualTo(400);
    }

    private static double only(JsonObject answer) {
        JsonArray buckets = answer.getJsonArray("buckets");
        assertThat(buckets).hasSize(1);
        return buckets.getJsonObject(0).getDouble("value");
    }
}
