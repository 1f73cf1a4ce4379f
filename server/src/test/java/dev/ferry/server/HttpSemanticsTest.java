package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.RawHttp.Answer;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Content types, methods, HEAD, oversized requests and host names: HTTP as the API documents it. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class HttpSemanticsTest {
    static final String PUBLIC_HOST = "devices.example.net";
    static TestServer server;
    static RawHttp http;

    @BeforeAll
    static void startServer() {
        // Public HTTP downloads: the manifest is served only then.
        server = TestServer.givenServer().with(Setting.PUBLIC_HOST, PUBLIC_HOST)
                .with(Setting.DISTRIBUTION_PUBLIC_HTTP, "true").start();
        http = new RawHttp(server);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void a_cross_site_simple_post_cannot_provision_a_device_or_start_an_update() {
        String device = "{\"endpoint\":\"csrf-1\",\"security\":{\"mode\":\"none\"}}";

        Answer textPlain = http.send("POST", "/api/v1/devices", device, "content-type", "text/plain");
        Answer form = http.send("POST", "/api/v1/devices", device, "content-type", "application/x-www-form-urlencoded");
        Answer none = http.send("POST", "/api/v1/devices", device);
        Answer update = http.send("POST", "/api/v1/devices/csrf-1/updates", "{\"firmwareId\":1}",
                "content-type", "text/plain");
        Answer publish = http.send("POST", "/api/v1/firmware/1/publish", null);

        for (Answer answer : new Answer[] {textPlain, form, none, update, publish}) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(415);
            assertThat(answer.isProblem()).isTrue();
            assertThat(answer.header("accept")).isEqualTo("application/json");
        }
        assertThat(none.json().getString("detail")).contains("no Content-Type").contains("application/json");
        assertThat(textPlain.json().getString("detail")).contains("'text/plain' is not accepted");
        assertThat(server.get("/api/v1/devices/csrf-1").status()).isEqualTo(404);
    }

    @Test
    void a_page_of_another_site_cannot_change_state_even_with_a_form_upload_while_same_site_and_plain_clients_can() {
        String device = "{\"endpoint\":\"cross-site-1\",\"security\":{\"mode\":\"none\"}}";
        String sameSite = "http://127.0.0.1:" + server.server().httpPort();

        Answer form = http.send("POST", "/api/v1/firmware", "--x\r\nContent-Disposition: form-data; name=\"model\""
                + "\r\n\r\nthermo-2\r\n--x--\r\n", "content-type", "multipart/form-data; boundary=x",
                "origin", "https://evil.example");
        Answer json = http.send("POST", "/api/v1/devices", device, "content-type", "application/json",
                "origin", "https://evil.example");
        Answer sandboxed = http.send("DELETE", "/api/v1/devices/cross-site-1", null, "origin", "null");

        for (Answer answer : new Answer[] {form, json, sandboxed}) {
            assertThat(answer.status()).as(answer.body()).isEqualTo(403);
            assertThat(answer.json().getString("type")).isEqualTo("urn:ferry:problem:cross-site-request");
        }
        assertThat(json.json().getString("detail")).contains("'https://evil.example'");
        assertThat(server.get("/api/v1/devices/cross-site-1").status()).isEqualTo(404);
        assertThat(http.send("GET", "/api/v1/devices", null, "origin", "https://evil.example").status())
                .as("reading is not changing state").isEqualTo(200);
        assertThat(http.send("POST", "/api/v1/devices", device, "content-type", "application/json",
                "origin", sameSite).status()).isEqualTo(201);
    }

    @Test
    void json_with_a_utf_8_charset_is_accepted() {
        Answer created = http.send("POST", "/api/v1/devices", "{\"endpoint\":\"charset-1\",\"security\":{\"mode\":\"none\"}}",
                "content-type", "application/json; charset=UTF-8");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
    }

    @Test
    void the_image_upload_accepts_only_its_documented_content_types() {
        Answer text = http.send("POST", "/api/v1/firmware?model=thermo-2", "not an image", "content-type", "text/plain");
        Answer json = http.send("POST", "/api/v1/firmware?model=thermo-2", "{}", "content-type", "application/json");

        assertThat(text.status()).isEqualTo(415);
        assertThat(json.status()).isEqualTo(415);
        assertThat(text.header("accept")).isEqualTo("application/octet-stream, multipart/form-data");
    }

    @Test
    void a_malformed_multipart_upload_is_a_bad_request_not_a_server_error() {
        Answer reply = http.send("POST", "/api/v1/firmware", "--x\r\nContent-Disposition: form-data; name=\"model\"\r\n",
                "content-type", "multipart/form-data; boundary=x");

        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).doesNotContain("Exception", "java.", "netty");
    }

    @Test
    void a_model_name_that_is_a_path_is_refused() {
        TestServer.Reply upload = server.uploadFirmware("../../x", new byte[64]);

        assertThat(upload.status()).as(upload.body()).isEqualTo(400);
        assertThat(upload.json().getString("detail")).contains("model must be 1 to 128 characters");
    }

    @Test
    void names_differing_only_in_case_are_different_devices() {
        assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"PSK-2\",\"security\":{\"mode\":\"none\"}}").status())
                .isEqualTo(201);
        assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"psk-2\",\"security\":{\"mode\":\"none\"}}").status())
                .isEqualTo(201);

        JsonArray found = server.get("/api/v1/devices?search=PSK-").json().getJsonArray("items");
        assertThat(found.stream().map(d -> ((JsonObject) d).getString("endpoint"))).containsExactly("PSK-2");
    }

    @Test
    void method_not_allowed_says_which_methods_are() {
        Answer reply = http.send("DELETE", "/api/v1/events", null);

        assertThat(reply.status()).isEqualTo(405);
        assertThat(reply.header("allow")).isEqualTo("GET, HEAD");
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).contains("Allow header");
    }

    @Test
    void head_is_answered_wherever_get_is() throws IOException {
        Answer get = http.send("GET", "/ota/manifest.json", null);
        String head = RawHttp.raw(server.server().httpPort(), "HEAD", "/ota/manifest.json");
        String devices = RawHttp.raw(server.server().httpPort(), "HEAD", "/api/v1/devices",
                "Authorization: Bearer " + server.adminToken());

        assertThat(head).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n")
                .containsIgnoringCase("content-type: " + get.header("content-type"));
        assertThat(devices).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n");
    }

    @Test
    void an_overlong_request_line_gets_a_problem_document() {
        Answer reply = http.send("GET", "/api/v1/devices?search=" + "x".repeat(5000), null);

        assertThat(reply.status()).isEqualTo(414);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).contains("longer than 4096 bytes");
    }

    @Test
    void oversized_headers_get_a_problem_document() {
        Answer reply = http.send("GET", "/api/v1/devices", null, "x-padding", "x".repeat(9000));

        assertThat(reply.status()).isEqualTo(431);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).contains("larger than 8192 bytes");
    }

    @Test
    void manifest_urls_use_the_public_host_never_the_host_header() throws IOException {
        ImageSigningKey key = Images.newKey();
        assertThat(server.post("/api/v1/signing-keys", new JsonObject().put("name", "manifest")
                .put("publicKey", Images.publicPem(key)).encode()).status()).isEqualTo(201);
        long id = server.uploadFirmware("manifest-model", Images.signed("1.0.0", 1000, key)).json().getLong("id");
        assertThat(server.post("/api/v1/firmware/" + id + "/publish", null).status()).isEqualTo(200);

        String raw = RawHttp.rawGet(server.server().httpPort(), "/ota/manifest.json?model=manifest-model",
                "Host: evil.example");

        assertThat(raw).startsWith("HTTP/1.1 200");
        assertThat(raw).doesNotContain("evil.example")
                .contains("\"url\":\"http://" + PUBLIC_HOST + ":" + server.server().httpPort() + "/fw/");
    }
}
