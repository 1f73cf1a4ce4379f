package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.audit.AuditEntry;
import dev.ferry.server.audit.AuditQuery;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Real server: saved groups over the API, and the same filter on the device list. */
@Timeout(120)
class GroupApiTest {
    TestServer server;

    @BeforeEach
    void givenAFleet() {
        server = TestServer.givenServer().start();
        provision("hall-1", "eu", "canary");
        provision("hall-2", "eu");
        provision("hall_3", "us");
        provision("yard-1", "eu", "canary");
        provision("yard-2");
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void a_saved_group_lists_the_devices_its_filter_matches_now() {
        TestServer.Reply created = server.post("/api/v1/groups", "{\"name\":\"eu-halls\",\"description\":\"Halls in"
                + " Europe\",\"filter\":{\"tagsAll\":[\"eu\"],\"endpointPrefix\":\"hall\"}}");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().getInteger("deviceCount")).isEqualTo(2);
        assertThat(created.json().getString("createdBy")).isEqualTo("initial-admin");
        assertThat(created.json().getJsonObject("filter")).isEqualTo(new JsonObject()
                .put("tagsAll", new JsonArray().add("eu")).put("endpointPrefix", "hall"));
        assertThat(members("eu-halls")).containsExactly("hall-1", "hall-2");

        provision("hall-9", "eu");
        assertThat(server.patch("/api/v1/devices/hall-2", "{\"tags\":[\"us\"]}").status()).isEqualTo(200);

        assertThat(members("eu-halls")).as("membership is read when asked").containsExactly("hall-1", "hall-9");
        assertThat(server.get("/api/v1/groups/eu-halls").json().getInteger("deviceCount")).isEqualTo(2);
        assertThat(server.get("/api/v1/groups").json().getJsonArray("items")).extracting(g -> ((JsonObject) g)
                .getString("name")).containsExactly("eu-halls");
    }

    @Test
    void members_page_by_cursor() {
        assertThat(server.post("/api/v1/groups", "{\"name\":\"all\",\"filter\":{}}").status()).isEqualTo(201);
        List<String> seen = new ArrayList<>();
        String path = "/api/v1/groups/all/devices?limit=2";
        for (int page = 0; page < 10 && path != null; page++) {
            JsonObject body = server.get(path).json();
            body.getJsonArray("items").forEach(d -> seen.add(((JsonObject) d).getString("endpoint")));
            assertThat(body.getInteger("total")).isEqualTo(5);
            path = body.getString("next") == null ? null : "/api/v1/groups/all/devices?limit=2&after="
                    + body.getString("next");
        }

        assertThat(seen).containsExactly("hall-1", "hall-2", "hall_3", "yard-1", "yard-2");
    }

    @Test
    void a_group_changes_its_description_and_filter_but_not_its_name() {
        server.post("/api/v1/groups", "{\"name\":\"canaries\",\"description\":\"first\",\"filter\":{\"tagsAll\":"
                + "[\"canary\"]}}");

        TestServer.Reply changed = server.patch("/api/v1/groups/canaries", "{\"filter\":{\"tagsAny\":[\"us\","
                + "\"canary\"]},\"description\":\"\"}");

        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().getValue("description")).isNull();
        assertThat(changed.json().getInteger("deviceCount")).isEqualTo(3);
        TestServer.Reply renamed = server.patch("/api/v1/groups/canaries", "{\"name\":\"other\"}");
        assertThat(renamed.status()).isEqualTo(422);
        assertThat(renamed.json().getString("detail")).contains("cannot be renamed");
        assertThat(server.get("/api/v1/groups/other").status()).isEqualTo(404);
    }

    @Test
    void every_problem_of_a_new_group_is_answered_at_once_and_nothing_is_saved() {
        TestServer.Reply reply = server.post("/api/v1/groups", "{\"name\":\"bad name\",\"colour\":\"red\","
                + "\"filter\":{\"tagsAll\":[\"eu\",\"no tag\"],\"firmwareVersion\":\"<2.0\",\"online\":\"yes\","
                + "\"size\":3}}");

        assertThat(reply.status()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getJsonArray("errors")).extracting(e -> ((JsonObject) e).getString("field"))
                .containsExactlyInAnyOrder("colour", "name", "filter.tagsAll[1]", "filter.firmwareVersion",
                        "filter.online", "filter.size");
        assertThat(reply.json().getString("detail")).contains("filter.firmwareVersion '2.0' in '<2.0' is not a"
                + " version");
        assertThat(server.get("/api/v1/groups").json().getJsonArray("items")).isEmpty();

        assertThat(server.post("/api/v1/groups", "{\"name\":\"no-filter\"}").json().getJsonArray("errors"))
                .extracting(e -> ((JsonObject) e).getString("field")).containsExactly("filter");
        assertThat(server.post("/api/v1/groups", "{\"name\":\"x\",\"filter\":[]}").status()).isEqualTo(422);
        assertThat(server.post("/api/v1/groups", "not json").status()).isEqualTo(400);
        assertThat(server.get("/api/v1/groups").json().getJsonArray("items")).isEmpty();
    }

    @Test
    void a_second_group_of_the_same_name_is_a_conflict_and_the_first_stays() {
        server.post("/api/v1/groups", "{\"name\":\"g\",\"filter\":{\"tagsAll\":[\"eu\"]}}");

        TestServer.Reply again = server.post("/api/v1/groups", "{\"name\":\"g\",\"filter\":{}}");

        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().getString("type")).isEqualTo("urn:ferry:problem:group-exists");
        assertThat(server.get("/api/v1/groups/g").json().getInteger("deviceCount")).isEqualTo(3);
    }

    @Test
    void unknown_groups_are_404_and_a_bad_change_changes_nothing() {
        assertThat(server.get("/api/v1/groups/none").status()).isEqualTo(404);
        assertThat(server.get("/api/v1/groups/none/devices").status()).isEqualTo(404);
        assertThat(server.patch("/api/v1/groups/none", "{\"description\":\"x\"}").status()).isEqualTo(404);
        assertThat(server.delete("/api/v1/groups/none").status()).isEqualTo(404);

        server.post("/api/v1/groups", "{\"name\":\"g\",\"filter\":{\"tagsAll\":[\"eu\"]}}");
        TestServer.Reply bad = server.patch("/api/v1/groups/g", "{\"filter\":{\"endpoints\":[\"a/b\"]}}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.json().getJsonArray("errors").getJsonObject(0).getString("field"))
                .isEqualTo("filter.endpoints[0]");
        assertThat(server.patch("/api/v1/groups/g", "{}").status()).isEqualTo(422);
        assertThat(server.get("/api/v1/groups/g").json().getJsonObject("filter"))
                .isEqualTo(new JsonObject().put("tagsAll", new JsonArray().add("eu")));

        assertThat(server.delete("/api/v1/groups/g").status()).isEqualTo(204);
        assertThat(server.get("/api/v1/groups/g").status()).isEqualTo(404);
    }

    @Test
    void group_calls_are_in_the_audit_trail_with_the_group_as_target() {
        server.post("/api/v1/groups", "{\"name\":\"audited\",\"filter\":{}}");
        server.delete("/api/v1/groups/audited");

        List<AuditEntry> entries = server.server().audit().find(new AuditQuery(null, "group:audited", null, null,
                null, 0, 10));
        assertThat(entries).extracting(e -> e.action() + " -> " + e.outcome()).containsExactly(
                "POST /api/v1/groups -> 201", "DELETE /api/v1/groups/{name} -> 204");
    }

    @Test
    void the_device_list_takes_the_same_filter_and_a_group() {
        server.post("/api/v1/groups", "{\"name\":\"eu\",\"filter\":{\"tagsAll\":[\"eu\"]}}");

        assertThat(endpoints("/api/v1/devices?tagsAll=eu,canary")).containsExactly("hall-1", "yard-1");
        assertThat(endpoints("/api/v1/devices?tagsAny=us,canary")).containsExactly("hall-1", "hall_3", "yard-1");
        assertThat(endpoints("/api/v1/devices?endpointPrefix=hall_")).containsExactly("hall_3");
        assertThat(endpoints("/api/v1/devices?endpoints=yard-2,hall-2,nobody")).containsExactly("hall-2", "yard-2");
        assertThat(endpoints("/api/v1/devices?group=eu")).containsExactly("hall-1", "hall-2", "yard-1");
        assertThat(endpoints("/api/v1/devices?group=eu&endpointPrefix=yard")).containsExactly("yard-1");
        assertThat(endpoints("/api/v1/devices?group=eu&tag=canary&search=all")).containsExactly("hall-1");
        assertThat(endpoints("/api/v1/devices?firmwareVersion=%3C2.0.0")).as("no device reported a version")
                .isEmpty();
        assertThat(server.get("/api/v1/devices?group=eu&limit=1").json().getInteger("total")).isEqualTo(3);
        assertThat(endpoints("/api/v1/devices?tag=eu&limit=2&after=hall-1")).as("the old parameters still work")
                .containsExactly("hall-2", "yard-1");
    }

    @Test
    void bad_filter_parameters_are_400_naming_the_parameter() {
        assertThat(problem("/api/v1/devices?tagsAll=eu,,x")).contains("query parameter tagsAll");
        assertThat(problem("/api/v1/devices?tagsAny=a%20b")).contains("query parameter tagsAny");
        assertThat(problem("/api/v1/devices?firmwareVersion=%3E%3D1.0")).contains("query parameter firmwareVersion")
                .contains("is not a version");
        assertThat(problem("/api/v1/devices?endpointPrefix=a%2Fb")).contains("query parameter endpointPrefix");
        assertThat(problem("/api/v1/devices?endpoints=a,b%20c")).contains("query parameter endpoints");
        assertThat(problem("/api/v1/devices?group=nothing")).contains("query parameter group")
                .contains("no group named 'nothing'");
        assertThat(problem("/api/v1/devices?group=a%20b")).contains("query parameter group");
    }

    private String problem(String path) {
        TestServer.Reply reply = server.get(path);
        assertThat(reply.status()).as(path).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        return reply.json().getString("detail");
    }

    private List<String> members(String group) {
        return endpoints("/api/v1/groups/" + group + "/devices");
    }

    private List<String> endpoints(String path) {
        TestServer.Reply reply = server.get(path);
        assertThat(reply.status()).as(path + ": " + reply.body()).isEqualTo(200);
        return reply.json().getJsonArray("items").stream().map(d -> ((JsonObject) d).getString("endpoint")).toList();
    }

    private void provision(String endpoint, String... tags) {
        TestServer.Reply reply = server.post("/api/v1/devices", new JsonObject().put("endpoint", endpoint)
                .put("security", new JsonObject().put("mode", "none")).put("tags", new JsonArray(List.of(tags)))
                .encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }
}
