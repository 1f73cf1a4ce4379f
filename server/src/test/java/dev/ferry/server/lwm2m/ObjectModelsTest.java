package dev.ferry.server.lwm2m;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The server reads and writes the values of the objects devices commonly carry with their models: an IPSO
 * temperature comes back as a number and its unit as a string, and a vendor object becomes typed and writable
 * once its OMA DDF definition is uploaded, which survives a restart. Documents the server will not take change
 * nothing.
 */
@Timeout(120)
class ObjectModelsTest {
    private TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private JsonObject read(String endpoint, String path) {
        TestServer.Reply reply = server.get("/api/v1/devices/" + endpoint + "/resources" + path);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private TestServer.Reply write(String endpoint, String path, Object value) {
        return server.put("/api/v1/devices/" + endpoint + "/resources" + path,
                new JsonObject().put("value", value).encode());
    }

    private TestServer.Reply upload(String document) {
        return server.sendBytes("POST", "/api/v1/object-models", document.getBytes(StandardCharsets.UTF_8),
                "application/xml");
    }

    @Test
    void an_ipso_temperature_is_read_as_a_number_with_its_unit_and_its_application_type_can_be_written()
            throws Exception {
        server.provisionWithoutSecurity("thermo-1");
        try (SensorDevice device = new SensorDevice("thermo-1", server.coapUri())) {
            device.awaitRegistered();

            JsonObject value = read("thermo-1", "/3303/0/5700");
            assertThat(value.getString("type")).isEqualTo("FLOAT");
            assertThat(value.getValue("value")).isEqualTo(21.5);
            JsonObject unit = read("thermo-1", "/3303/0/5701");
            assertThat(unit.getString("type")).isEqualTo("STRING");
            assertThat(unit.getString("value")).isEqualTo("Cel");

            TestServer.Reply written = write("thermo-1", "/3303/0/5750", "greenhouse");
            assertThat(written.status()).as(written.body()).isEqualTo(204);
            assertThat(device.temperature.applicationType).isEqualTo("greenhouse");
            TestServer.Reply readOnly = write("thermo-1", "/3303/0/5700", 30.0);
            assertThat(readOnly.status()).as(readOnly.body()).isBetween(400, 499);
            assertThat(device.temperature.celsius).isEqualTo(21.5);
        }
    }

    @Test
    void an_observed_temperature_is_stored_as_a_number() throws Exception {
        server.provisionWithoutSecurity("thermo-2");
        try (SensorDevice device = new SensorDevice("thermo-2", server.coapUri())) {
            device.awaitRegistered();
            assertThat(server.put("/api/v1/devices/thermo-2/telemetry-profile", new JsonObject().put("observations",
                    new JsonArray().add(new JsonObject().put("path", "/3303/0/5700"))).encode()).status())
                    .isEqualTo(200);
            TestServer.eventually("a notified temperature is stored", () -> {
                device.temperature.set(23.25);
                JsonArray values = server.get("/api/v1/devices/thermo-2/telemetry?path=/3303/0/5700").json()
                        .getJsonArray("values");
                return !values.isEmpty() && values.getJsonObject(values.size() - 1).getDouble("value") == 23.25;
            });
            JsonObject latest = server.get("/api/v1/devices/thermo-2").json().getJsonObject("telemetry")
                    .getJsonObject("/3303/0/5700");
            assertThat(latest.getString("type")).isEqualTo("FLOAT");
        }
    }

    @Test
    void an_uploaded_model_types_a_vendor_object_at_once_and_is_still_known_after_a_restart() throws Exception {
        server.provisionWithoutSecurity("valve-1");
        try (SensorDevice device = new SensorDevice("valve-1", server.coapUri())) {
            device.awaitRegistered();
            assertThat(read("valve-1", "/10250/0/1").getString("type")).isEqualTo("OPAQUE");
            TestServer.Reply untyped = write("valve-1", "/10250/0/1", 70);
            assertThat(untyped.status()).as(untyped.body()).isEqualTo(404);
            assertThat(untyped.json().getString("detail")).contains("no object model");
            assertThat(server.get("/api/v1/object-models/10250").status()).isEqualTo(404);

            TestServer.Reply added = upload(SensorDevice.VALVE_DDF);
            assertThat(added.status()).as(added.body()).isEqualTo(201);
            assertThat(added.json().getString("name")).isEqualTo("Irrigation Valve");
            assertThat(added.json().getString("origin")).isEqualTo("file");
            assertThat(added.json().getBoolean("replaced")).isFalse();

            JsonObject typed = read("valve-1", "/10250/0/1");
            assertThat(typed.getString("type")).isEqualTo("INTEGER");
            assertThat(typed.getValue("value")).isEqualTo(40);
            TestServer.Reply written = write("valve-1", "/10250/0/1", 70);
            assertThat(written.status()).as(written.body()).isEqualTo(204);
            assertThat(device.valve.opening).isEqualTo(70);
        }
        assertThat(Files.exists(server.dataDir().resolve("models/10250-1_0.xml"))).isTrue();

        server.restart();

        JsonObject known = server.get("/api/v1/object-models/10250").json().getJsonArray("versions")
                .getJsonObject(0);
        assertThat(known.getString("origin")).isEqualTo("file");
        assertThat(known.getJsonArray("resources").getJsonObject(0).getString("units")).isEqualTo("%");
        TestServer.Reply again = upload(SensorDevice.VALVE_DDF);
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().getBoolean("replaced")).isTrue();
    }

    @Test
    void the_built_in_models_cover_the_common_objects() {
        JsonArray all = server.get("/api/v1/object-models").json().getJsonArray("objectModels");
        java.util.Set<Integer> ids = new java.util.TreeSet<>();
        all.forEach(model -> ids.add(((JsonObject) model).getInteger("id")));
        assertThat(ids).contains(0, 1, 2, 3, 4, 5, 6, 7, 3300, 3301, 3302, 3303, 3304, 3305, 3306, 3311, 3313,
                3314, 3315, 3316);
        for (int id = 3320; id <= 3350; id++) {
            assertThat(ids).contains(id);
        }
        JsonArray temperature = server.get("/api/v1/object-models/3303").json().getJsonArray("versions");
        assertThat(temperature).extracting(v -> ((JsonObject) v).getString("version")).containsExactly("1.0", "1.1");
        JsonObject sensorValue = temperature.getJsonObject(1).getJsonArray("resources").stream()
                .map(JsonObject.class::cast).filter(r -> r.getInteger("id") == 5700).findFirst().orElseThrow();
        assertThat(sensorValue.getString("type")).isEqualTo("float");
        assertThat(sensorValue.getString("operations")).isEqualTo("R");
        JsonArray device = server.get("/api/v1/object-models/3").json().getJsonArray("versions");
        assertThat(device.getJsonObject(0).getString("origin")).isEqualTo("core");
        // A device listing </3/0> without ver declares 1.0; without that model its identity read as opaque bytes.
        assertThat(device).extracting(v -> ((JsonObject) v).getString("version")).contains("1.0", "1.1");
        assertThat(server.get("/api/v1/object-models/70000").status()).isEqualTo(400);
    }

    @Test
    void documents_the_server_will_not_take_are_refused_and_change_nothing() throws Exception {
        String withEntity = """
                <?xml version="1.0"?>
                <!DOCTYPE LWM2M [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
                """ + SensorDevice.VALVE_DDF.substring(SensorDevice.VALVE_DDF.indexOf("<LWM2M "))
                .replace("A test valve", "&secret;");
        TestServer.Reply entity = upload(withEntity);
        assertThat(entity.status()).as(entity.body()).isEqualTo(400);
        assertThat(entity.isProblem()).isTrue();
        assertThat(entity.body()).doesNotContain("root:");

        TestServer.Reply broken = upload("<LWM2M><Object>");
        assertThat(broken.status()).isEqualTo(400);
        assertThat(broken.json().getString("detail")).startsWith("not a valid OMA DDF object definition");

        TestServer.Reply notDdf = upload("<?xml version=\"1.0\"?><html><body/></html>");
        assertThat(notDdf.status()).isEqualTo(400);

        String device = new String(org.eclipse.leshan.core.model.ObjectLoader.class
                .getResourceAsStream("/models/3.xml").readAllBytes(), StandardCharsets.UTF_8);
        TestServer.Reply core = upload(device);
        assertThat(core.status()).as(core.body()).isEqualTo(409);
        assertThat(core.json().getString("detail")).contains("core objects");

        String two = SensorDevice.VALVE_DDF.replace("</Object></LWM2M>", "</Object>"
                + SensorDevice.VALVE_DDF.substring(SensorDevice.VALVE_DDF.indexOf("<Object "))
                        .replace("10250", "10251"));
        TestServer.Reply both = upload(two);
        assertThat(both.status()).as(both.body()).isEqualTo(400);
        assertThat(both.json().getString("detail")).contains("one object per request");

        assertThat(server.get("/api/v1/object-models/10250").status()).isEqualTo(404);
        assertThat(server.get("/api/v1/object-models/10251").status()).isEqualTo(404);
        assertThat(Files.exists(server.dataDir().resolve("models"))
                ? Files.list(server.dataDir().resolve("models")).count() : 0).isZero();
    }
}
