package dev.ferry.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.server.registration.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Values a real LwM2M client reports end up in the store: notifications of what its model's profile observes,
 * and LwM2M 1.1 Send with the device's own timestamps. A malformed Send is refused with 4.00 and stores nothing.
 */
@Timeout(120)
class TelemetryIngestTest {
    private TestServer server;
    private final List<TelemetryPoint> published = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
        server.server().telemetry().subscribe(published::addAll);
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private JsonArray values(String endpoint, String path) {
        TestServer.Reply reply = server.get("/api/v1/devices/" + endpoint + "/telemetry?path=" + path);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().getJsonArray("values");
    }

    private boolean observed(String endpoint, String path) {
        Registration registration = server.server().lwm2m().leshan().getRegistrationService()
                .getByEndpoint(endpoint);
        return registration != null && server.server().lwm2m().leshan().getObservationService()
                .getObservations(registration).stream().anyMatch(o -> o.toString().contains(path));
    }

    private void notifyUntilStored(ProbeDevice device, long freeMemory, String endpoint) {
        TestServer.eventually(endpoint + " notifies " + freeMemory + " and it is stored", () -> {
            device.freeMemory(freeMemory);
            return !values(endpoint, "/3/0/10").isEmpty();
        });
    }

    private static double last(JsonArray values) {
        return values.isEmpty() ? -1 : values.getJsonObject(values.size() - 1).getDouble("value");
    }

    @Test
    void a_registered_device_gets_its_models_profile_and_every_notified_value_is_stored() throws Exception {
        server.provisionWithoutSecurity("probe-1");
        TestServer.Reply put = server.put("/api/v1/models/" + ProbeDevice.MODEL + "/telemetry", new JsonObject()
                .put("observations", new JsonArray().add(new JsonObject().put("path", "/3/0/10")
                        .put("attributes", new JsonObject().put("pmin", 0).put("pmax", 300))))
                .put("retentionDays", 7).encode());
        assertThat(put.status()).as(put.body()).isEqualTo(200);
        assertThat(put.json().getInteger("retentionDays")).isEqualTo(7);
        assertThat(server.get("/api/v1/models/" + ProbeDevice.MODEL + "/telemetry").json()
                .getJsonArray("observations").getJsonObject(0).getString("path")).isEqualTo("/3/0/10");

        try (ProbeDevice device = new ProbeDevice("probe-1", server.coapUri())) {
            device.awaitRegistered();
            TestServer.eventually("the server observes /3/0/10 of probe-1", () -> observed("probe-1", "/3/0/10"));
            // The client takes a change as a notification only once its side of the observation is set up, which
            // the server cannot see: the value is set again until one arrives.
            notifyUntilStored(device, 4096, "probe-1");
            device.freeMemory(2048);
            TestServer.eventually("the second notified value is stored", () -> last(values("probe-1", "/3/0/10"))
                    == 2048.0);

            // What the device held, in the order it held it: the client may also notify the value it had when the
            // observation was set up (1000).
            JsonArray stored = values("probe-1", "/3/0/10");
            List<Double> held = new java.util.ArrayList<>();
            stored.forEach(v -> held.add(((JsonObject) v).getDouble("value")));
            assertThat(held).contains(4096.0).endsWith(2048.0);
            assertThat(held.stream().distinct().toList()).isSubsetOf(1000.0, 4096.0, 2048.0);
            assertThat(held.subList(held.indexOf(4096.0), held.size())).doesNotContain(1000.0);
            assertThat(held.subList(0, held.size() - 1)).doesNotContain(2048.0);
            assertThat(stored.getJsonObject(stored.size() - 1).getString("type")).isEqualTo("INTEGER");
            assertThat(published).extracting(TelemetryPoint::path).containsOnly("/3/0/10");
            JsonObject latest = server.get("/api/v1/devices/probe-1").json().getJsonObject("telemetry");
            assertThat(latest.fieldNames()).containsExactly("/3/0/10");
            assertThat(latest.getJsonObject("/3/0/10").getDouble("value")).isEqualTo(2048.0);
        }
    }

    @Test
    void a_profile_change_reaches_a_registered_device_at_once_and_a_removed_path_is_no_longer_observed()
            throws Exception {
        server.provisionWithoutSecurity("probe-2");
        try (ProbeDevice device = new ProbeDevice("probe-2", server.coapUri())) {
            device.awaitRegistered();
            TestServer.eventually("the registry knows probe-2's model", () -> ProbeDevice.MODEL.equals(
                    server.get("/api/v1/devices/probe-2").json().getString("model")));
            assertThat(server.put("/api/v1/devices/probe-2/telemetry-profile", new JsonObject().put("observations",
                    new JsonArray().add(new JsonObject().put("path", "/3/0/9"))).encode()).status()).isEqualTo(200);
            TestServer.eventually("the server observes /3/0/9 of probe-2", () -> observed("probe-2", "/3/0/9"));

            assertThat(server.put("/api/v1/models/" + ProbeDevice.MODEL + "/telemetry", new JsonObject()
                    .put("observations", new JsonArray().add(new JsonObject().put("path", "/3/0/10"))).encode())
                    .status()).isEqualTo(200);
            assertThat(server.delete("/api/v1/devices/probe-2/telemetry-profile").status()).isEqualTo(204);
            TestServer.eventually("probe-2 is observed on its model's path only", () -> observed("probe-2", "/3/0/10")
                    && !observed("probe-2", "/3/0/9"));
            device.batteryLevel(40);
            notifyUntilStored(device, 512, "probe-2");
            assertThat(values("probe-2", "/3/0/9")).isEmpty();
        }
    }

    @Test
    void sent_values_are_stored_with_the_time_the_device_collected_them() throws Exception {
        server.provisionWithoutSecurity("probe-3");
        try (ProbeDevice device = new ProbeDevice("probe-3", server.coapUri())) {
            device.awaitRegistered();
            device.batteryLevel(77);
            device.freeMemory(8192);
            Instant before = Instant.now();
            device.collectAndSend(ContentFormat.SENML_JSON, "/3/0/9", "/3/0/10");
            device.batteryLevel(55);
            device.collectAndSend(ContentFormat.SENML_CBOR, "/3/0/9");

            TestServer.eventually("both sent batteries are stored", () -> values("probe-3", "/3/0/9").size() == 2);
            JsonArray battery = values("probe-3", "/3/0/9");
            assertThat(battery.getJsonObject(0).getDouble("value")).isEqualTo(77.0);
            assertThat(battery.getJsonObject(1).getDouble("value")).isEqualTo(55.0);
            // The device's own timestamps (SenML bt), in seconds: not later than now, not before the collection
            // second.
            Instant at = Instant.parse(battery.getJsonObject(0).getString("at"));
            assertThat(at).isBetween(before.minusSeconds(1), Instant.now());
            assertThat(values("probe-3", "/3/0/10").getJsonObject(0).getDouble("value")).isEqualTo(8192.0);
        }
    }

    @Test
    void malformed_senml_is_refused_with_bad_request_and_nothing_is_stored() throws Exception {
        server.provisionWithoutSecurity("raw-1");
        CoapEndpoint endpoint = CoapEndpoint.builder().setInetSocketAddress(new InetSocketAddress(
                java.net.InetAddress.getLoopbackAddress(), 0)).setConfiguration(Configuration.createStandardWithoutFile())
                .build();
        endpoint.start();
        CoapClient client = new CoapClient();
        client.setEndpoint(endpoint);
        client.setTimeout(10_000L);
        try {
            String base = server.coapUri();
            client.setURI(base + "/rd?ep=raw-1&lt=60&lwm2m=1.1&b=U");
            CoapResponse registered = client.post("</1/0>,</3/0>", MediaTypeRegistry.APPLICATION_LINK_FORMAT);
            assertThat(registered).isNotNull();
            assertThat(registered.getCode()).isEqualTo(CoAP.ResponseCode.CREATED);

            client.setURI(base + "/dp");
            CoapResponse refused = client.post("[{\"n\":\"/3/0/9\",\"v\":", MediaTypeRegistry.APPLICATION_SENML_JSON);
            assertThat(refused).isNotNull();
            assertThat(refused.getCode()).isEqualTo(CoAP.ResponseCode.BAD_REQUEST);

            CoapResponse accepted = client.post("[{\"n\":\"/3/0/9\",\"v\":12}]",
                    MediaTypeRegistry.APPLICATION_SENML_JSON);
            assertThat(accepted.getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
            TestServer.eventually("the well-formed value is stored", () -> values("raw-1", "/3/0/9").size() == 1);
            assertThat(values("raw-1", "/3/0/9").getJsonObject(0).getDouble("value")).isEqualTo(12.0);
        } finally {
            client.shutdown();
            endpoint.destroy();
        }
    }
}
