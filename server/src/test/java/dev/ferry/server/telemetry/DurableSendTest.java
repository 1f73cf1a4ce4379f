package dev.ferry.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.eclipse.californium.core.CoapClient;
import org.eclipse.californium.core.CoapResponse;
import org.eclipse.californium.core.coap.CoAP;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A device's Send is acknowledged only once its values are stored: what it was told succeeded is already in the
 * database when the 2.04 arrives, and a Send the writer has no room for is answered 5.03 with a Max-Age, so that
 * the device sends it again later, and nothing of it is stored.
 */
@Timeout(120)
class DurableSendTest {
    private TestServer server;
    private CoapEndpoint endpoint;
    private CoapClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.shutdown();
            endpoint.destroy();
        }
        server.close();
    }

    /** A raw CoAP device: registers as {@code name}, then Sends from the same address. */
    private void registerRawDevice(String name) throws Exception {
        server.provisionWithoutSecurity(name);
        endpoint = CoapEndpoint.builder().setInetSocketAddress(new InetSocketAddress(
                java.net.InetAddress.getLoopbackAddress(), 0)).setConfiguration(Configuration.createStandardWithoutFile())
                .build();
        client = new CoapClient();
        client.setEndpoint(endpoint);
        client.setTimeout(10_000L);
        client.setURI(server.coapUri() + "/rd?ep=" + name + "&lt=60&lwm2m=1.1&b=U");
        CoapResponse registered = client.post("</1/0>,</3/0>", MediaTypeRegistry.APPLICATION_LINK_FORMAT);
        assertThat(registered).isNotNull();
        assertThat(registered.getCode()).isEqualTo(CoAP.ResponseCode.CREATED);
        client.setURI(server.coapUri() + "/dp");
    }

    private JsonArray values(String endpoint, String path) {
        return server.get("/api/v1/devices/" + endpoint + "/telemetry?path=" + path).json().getJsonArray("values");
    }

    @Test
    void the_values_of_an_acknowledged_send_are_already_stored() throws Exception {
        server = TestServer.givenServer().start();
        registerRawDevice("sender-1");
        for (int battery = 1; battery <= 5; battery++) {
            CoapResponse answer = client.post("[{\"n\":\"/3/0/9\",\"v\":" + battery + "}]",
                    MediaTypeRegistry.APPLICATION_SENML_JSON);
            assertThat(answer).isNotNull();
            assertThat(answer.getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
            // No waiting: the 2.04 came after the commit.
            assertThat(values("sender-1", "/3/0/9")).as("values stored when Send " + battery + " was acknowledged")
                    .hasSize(battery);
        }
    }

    @Test
    void a_send_the_writer_has_no_room_for_is_refused_for_now_and_nothing_of_it_is_stored() throws Exception {
        server = TestServer.givenServer().with(Setting.TELEMETRY_QUEUE_CAPACITY, "2").start();
        registerRawDevice("sender-2");

        CoapResponse refused = client.post("[{\"n\":\"/3/0/9\",\"v\":40},{\"n\":\"/3/0/10\",\"v\":2048},"
                + "{\"n\":\"/3/0/7\",\"v\":3300}]", MediaTypeRegistry.APPLICATION_SENML_JSON);

        assertThat(refused).isNotNull();
        assertThat(refused.getCode()).isEqualTo(CoAP.ResponseCode.SERVICE_UNAVAILABLE);
        assertThat(refused.getOptions().getMaxAge()).isEqualTo(5L);
        CoapResponse fits = client.post("[{\"n\":\"/3/0/9\",\"v\":41}]", MediaTypeRegistry.APPLICATION_SENML_JSON);
        assertThat(fits.getCode()).isEqualTo(CoAP.ResponseCode.CHANGED);
        assertThat(values("sender-2", "/3/0/9")).extracting(v -> ((JsonObject) v).getDouble("value"))
                .containsExactly(41.0);
        assertThat(values("sender-2", "/3/0/10")).isEmpty();
        String metrics = server.get("/metrics").body();
        assertThat(metrics).contains("ferry_telemetry_points_dropped_total 3.0");
    }
}
