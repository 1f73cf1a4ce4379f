package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.testing.Credentials;
import dev.ferry.server.testing.Fleet;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;
import io.vertx.core.json.JsonObject;

class ResourceApiTest {
    TestServer server;
    TestDevice device;

    @BeforeEach
    void registerDevice() {
        server = TestServer.givenServer().start();
        device = new Fleet(server, Credentials.Authority.create("unused")).provision("field-1", SecurityMode.PSK)
                .withFirmwareUpdateObject().start();
        server.waitForEvent("field-1", DeviceEventType.REGISTERED);
    }

    @AfterEach
    void stop() {
        device.close();
        server.close();
    }

    @Test
    void reads_a_resource_from_the_device() {
        Reply reply = server.get("/api/v1/devices/field-1/resources/3/0/0");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().getString("path")).isEqualTo("/3/0/0");
        assertThat(reply.json().getString("type")).isEqualTo("STRING");
        assertThat(reply.json().getString("value")).isEqualTo(TestDevice.MANUFACTURER);
    }

    @Test
    void writes_a_resource_and_reads_back_the_new_value() {
        Reply written = server.put("/api/v1/devices/field-1/resources/5/0/1",
                "{\"value\":\"coap://127.0.0.1/fw/abc\"}");
        assertThat(written.status()).as(written.body()).isEqualTo(204);

        Reply read = server.get("/api/v1/devices/field-1/resources/5/0/1");
        assertThat(read.json().getString("value")).isEqualTo("coap://127.0.0.1/fw/abc");
    }

    @Test
    void executes_a_resource_on_the_device() {
        Reply executed = server.post("/api/v1/devices/field-1/resources/3/0/4", null);

        assertThat(executed.status()).as(executed.body()).isEqualTo(204);
        assertThat(device.rebootCount()).isEqualTo(1);
    }

    @Test
    void a_value_of_the_wrong_type_is_refused_before_reaching_the_device() {
        Reply reply = server.put("/api/v1/devices/field-1/resources/1/0/1", "{\"value\":\"soon\"}");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().getString("detail")).contains("/1/0/1").contains("INTEGER");
    }

    @Test
    void a_resource_the_model_does_not_have_is_not_found() {
        Reply reply = server.get("/api/v1/devices/field-1/resources/3/0/999");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().getString("detail")).contains("has no resource 999");
    }

    @Test
    void a_resource_the_device_does_not_implement_answers_with_the_device_error() {
        Reply reply = server.get("/api/v1/devices/field-1/resources/3/0/13");

        assertThat(reply.status()).as(reply.body()).isEqualTo(404);
        assertThat(reply.json().getString("detail")).contains("device answered NOT_FOUND");
    }

    @Test
    void writing_a_read_only_resource_is_not_allowed_and_says_what_is() {
        RawHttp.Answer reply = new RawHttp(server).send("PUT", "/api/v1/devices/field-1/resources/3/0/0",
                "{\"value\":\"Evil Corp\"}", "content-type", "application/json");

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.header("allow")).isEqualTo("GET, HEAD");
        assertThat(reply.json().getString("detail")).contains("/3/0/0").contains("cannot be written")
                .contains("allows read");
    }

    @Test
    void executing_a_resource_that_is_not_executable_is_not_allowed() {
        RawHttp.Answer reply = new RawHttp(server).send("POST", "/api/v1/devices/field-1/resources/1/0/1", null,
                "content-type", "application/json");

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("allow")).isEqualTo("GET, HEAD, PUT");
        assertThat(reply.json().getString("detail")).contains("cannot be executed");
    }

    @Test
    void reading_an_executable_resource_is_not_allowed() {
        RawHttp.Answer reply = new RawHttp(server).send("GET", "/api/v1/devices/field-1/resources/3/0/4", null);

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("allow")).isEqualTo("POST");
    }

    @Test
    void reads_a_whole_object_with_its_instances() {
        Reply reply = server.get("/api/v1/devices/field-1/resources/3");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().getString("path")).isEqualTo("/3");
        JsonObject manufacturer = reply.json().getJsonObject("instances").getJsonObject("0").getJsonObject("0");
        assertThat(manufacturer.getString("type")).isEqualTo("STRING");
        assertThat(manufacturer.getString("value")).isEqualTo(TestDevice.MANUFACTURER);
    }

    @Test
    void reads_one_object_instance_with_its_resources() {
        Reply reply = server.get("/api/v1/devices/field-1/resources/3/0");

        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.json().getString("path")).isEqualTo("/3/0");
        JsonObject resources = reply.json().getJsonObject("resources");
        assertThat(resources.getJsonObject("0").getString("value")).isEqualTo(TestDevice.MANUFACTURER);
        assertThat(resources.getJsonObject("1").getString("value")).isEqualTo(TestDevice.MODEL);
    }

    @Test
    void reading_an_object_the_device_does_not_declare_is_not_found() {
        Reply reply = server.get("/api/v1/devices/field-1/resources/3303");

        assertThat(reply.status()).isEqualTo(404);
        assertThat(reply.json().getString("detail")).contains("does not declare object 3303");
    }

    @Test
    void the_registration_lists_object_instances() {
        JsonObject registration = server.get("/api/v1/devices/field-1").json().getJsonObject("registration");

        assertThat(registration.getJsonArray("objects").stream().map(o -> o.toString().split("@")[0]))
                .contains("/1/0", "/3/0", "/5/0");
    }
}
