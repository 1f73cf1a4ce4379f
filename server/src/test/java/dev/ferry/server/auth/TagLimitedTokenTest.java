package dev.ferry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;
import io.vertx.core.json.JsonObject;

/** A token limited to a device tag sees and changes only the devices with that tag; the others seem absent. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TagLimitedTokenTest {
    TestServer server;
    String siteA;

    @BeforeEach
    void start() {
        server = TestServer.givenServer().start();
        provision("a-1", "site-a");
        provision("a-2", "site-a");
        provision("b-1", "site-b");
        Reply created = server.post("/api/v1/tokens", "{\"name\":\"site a\",\"role\":\"operator\",\"deviceTag\":\"site-a\"}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        siteA = created.json().getString("value");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void the_device_list_holds_only_the_devices_with_the_tag() {
        Reply list = as("GET", "/api/v1/devices", null);

        assertThat(list.status()).isEqualTo(200);
        assertThat(endpoints(list)).containsExactly("a-1", "a-2");
        assertThat(list.json().getInteger("total")).isEqualTo(2);
        assertThat(endpoints(as("GET", "/api/v1/devices?tag=site-a", null))).containsExactly("a-1", "a-2");
        assertThat(as("GET", "/api/v1/devices?tag=site-b", null).status()).isEqualTo(403);
        assertThat(endpoints(server.get("/api/v1/devices"))).containsExactly("a-1", "a-2", "b-1");
    }

    @Test
    void a_device_without_the_tag_answers_404_as_if_absent() {
        for (String[] request : List.of(new String[] {"GET", "/api/v1/devices/b-1"},
                new String[] {"PATCH", "/api/v1/devices/b-1"}, new String[] {"DELETE", "/api/v1/devices/b-1"},
                new String[] {"GET", "/api/v1/devices/b-1/events"}, new String[] {"GET", "/api/v1/devices/b-1/updates"},
                new String[] {"GET", "/api/v1/devices/b-1/resources/3/0/0"})) {
            Reply reply = as(request[0], request[1], request[0].equals("PATCH") ? "{\"tags\":[\"site-a\"]}" : null);
            assertThat(reply.status()).as(String.join(" ", request)).isEqualTo(404);
            assertThat(reply.json().getString("type")).isEqualTo("urn:ferry:problem:unknown-device");
        }

        assertThat(server.get("/api/v1/devices/b-1").json().getJsonArray("tags")).containsExactly("site-b");
        assertThat(as("GET", "/api/v1/devices/a-1", null).status()).isEqualTo(200);
    }

    @Test
    void it_provisions_and_retags_only_devices_that_keep_its_tag() {
        Reply untagged = as("POST", "/api/v1/devices", "{\"endpoint\":\"c-1\",\"security\":{\"mode\":\"none\"}}");
        assertThat(untagged.status()).isEqualTo(403);
        assertThat(untagged.json().getString("detail")).contains("may only provision devices whose tags include 'site-a'");
        assertThat(server.get("/api/v1/devices/c-1").status()).isEqualTo(404);

        assertThat(as("POST", "/api/v1/devices", "{\"endpoint\":\"a-3\",\"security\":{\"mode\":\"none\"},"
                + "\"tags\":[\"site-a\",\"floor-2\"]}").status()).isEqualTo(201);

        assertThat(as("PATCH", "/api/v1/devices/a-1", "{\"tags\":[\"site-b\"]}").status()).isEqualTo(403);
        assertThat(server.get("/api/v1/devices/a-1").json().getJsonArray("tags")).containsExactly("site-a");
    }

    @Test
    void it_may_not_read_fleet_wide_events_or_manage_tokens() {
        assertThat(as("GET", "/api/v1/events", null).status()).isEqualTo(403);
        Reply admin = server.post("/api/v1/tokens", "{\"name\":\"site a admin\",\"role\":\"admin\",\"deviceTag\":\"site-a\"}");
        String limitedAdmin = admin.json().getString("value");

        Reply escalation = server.sendAs(limitedAdmin, "POST", "/api/v1/tokens", "{\"name\":\"all\",\"role\":\"admin\"}");

        assertThat(escalation.status()).isEqualTo(403);
        assertThat(escalation.json().getString("type")).isEqualTo("urn:ferry:problem:tag-limited");
    }

    @Test
    void bulk_lists_batches_and_claims_may_only_make_devices_that_keep_its_tag() {
        String outside = "{\"devices\":[{\"endpoint\":\"a-10\",\"security\":{\"mode\":\"none\"},"
                + "\"tags\":[\"site-a\"]},{\"endpoint\":\"c-10\",\"security\":{\"mode\":\"none\"}}]}";
        assertThat(as("POST", "/api/v1/devices:bulk", outside).status()).isEqualTo(403);
        assertThat(server.get("/api/v1/devices/a-10").status()).isEqualTo(404);
        assertThat(as("POST", "/api/v1/devices:bulk", outside.replace("\"none\"}}", "\"none\"},"
                + "\"tags\":[\"site-a\"]}")).status()).isEqualTo(201);

        Reply batch = as("POST", "/api/v1/provisioning/batches",
                "{\"name\":\"line-1\",\"maxDevices\":5,\"expiresInSeconds\":600}");
        assertThat(batch.status()).isEqualTo(403);
        assertThat(batch.json().getString("detail")).contains("'site-a'");
        assertThat(as("POST", "/api/v1/provisioning/batches",
                "{\"name\":\"line-1\",\"maxDevices\":5,\"expiresInSeconds\":600,\"tags\":[\"site-a\"]}")
                .status()).isEqualTo(201);

        String code = server.post("/api/v1/devices/b-1/claim-code", "{}").json().getString("claimCode");
        assertThat(as("POST", "/api/v1/devices/claim", "{\"code\":\"" + code + "\",\"tags\":[\"owner-x\"]}")
                .status()).isEqualTo(403);
        assertThat(as("POST", "/api/v1/devices/claim", "{\"code\":\"" + code + "\",\"tags\":[\"site-a\"]}")
                .status()).isEqualTo(200);
        assertThat(as("GET", "/api/v1/devices/b-1", null).json().getJsonArray("tags")).contains("site-a");
    }

    private Reply as(String method, String path, String body) {
        return server.sendAs(siteA, method, path, body);
    }

    private void provision(String endpoint, String tag) {
        Reply reply = server.post("/api/v1/devices", new JsonObject().put("endpoint", endpoint)
                .put("security", new JsonObject().put("mode", "none")).put("tags", List.of(tag)).encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }

    private static List<String> endpoints(Reply list) {
        return list.json().getJsonArray("items").stream().map(d -> ((JsonObject) d).getString("endpoint")).toList();
    }
}
