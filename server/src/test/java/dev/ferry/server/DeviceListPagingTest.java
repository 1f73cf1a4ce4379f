package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** The device list pages by cursor: each page's {@code next} is the {@code after} of the following one. */
class DeviceListPagingTest {
    TestServer server;

    @BeforeEach
    void startServer() {
        server = TestServer.givenServer().start();
        for (String endpoint : List.of("d-5", "d-1", "d-4", "d-2", "d-3")) {
            String tags = endpoint.equals("d-2") || endpoint.equals("d-4") ? "[\"even\"]" : "[]";
            assertThat(server.post("/api/v1/devices", "{\"endpoint\":\"" + endpoint
                    + "\",\"security\":{\"mode\":\"none\"},\"tags\":" + tags + "}").status()).isEqualTo(201);
        }
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void following_next_lists_every_device_once_in_endpoint_order() {
        List<String> seen = new ArrayList<>();
        List<Object> cursors = new ArrayList<>();
        String path = "/api/v1/devices?limit=2";
        for (int page = 0; page < 10; page++) {
            JsonObject body = server.get(path).json();
            body.getJsonArray("items").forEach(item -> seen.add(((JsonObject) item).getString("endpoint")));
            assertThat(body.getInteger("total")).isEqualTo(5);
            cursors.add(body.getValue("next"));
            if (body.getValue("next") == null) {
                break;
            }
            path = "/api/v1/devices?limit=2&after=" + body.getString("next");
        }

        assertThat(seen).containsExactly("d-1", "d-2", "d-3", "d-4", "d-5");
        assertThat(cursors).containsExactly("d-2", "d-4", null);
    }

    @Test
    void a_cursor_combines_with_filters_and_offset() {
        assertThat(endpoints("/api/v1/devices?tag=even&after=d-2")).containsExactly("d-4");
        assertThat(server.get("/api/v1/devices?tag=even&after=d-2").json().getInteger("total"))
                .as("the total counts every page").isEqualTo(2);
        assertThat(server.get("/api/v1/devices?tag=even&search=4").json().getInteger("total")).isEqualTo(1);
        assertThat(endpoints("/api/v1/devices?after=d-1&offset=2&limit=1")).containsExactly("d-4");
        assertThat(server.get("/api/v1/devices?after=d-5").json().getJsonArray("items")).isEmpty();
    }

    @Test
    void a_cursor_that_is_no_endpoint_name_is_refused_with_a_problem() {
        TestServer.Reply reply = server.get("/api/v1/devices?after=no%20such");

        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).contains("after");
    }

    private List<String> endpoints(String path) {
        return server.get(path).json().getJsonArray("items").stream()
                .map(item -> ((JsonObject) item).getString("endpoint")).toList();
    }
}
