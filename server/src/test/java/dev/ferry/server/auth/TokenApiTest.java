package dev.ferry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;
import io.vertx.core.json.JsonObject;

/** Making, listing and revoking API tokens through the API, and what a made token may then do. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TokenApiTest {
    TestServer server;

    @BeforeEach
    void start() {
        server = TestServer.givenServer().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void a_new_token_is_shown_once_and_listed_without_its_value() {
        Reply created = server.post("/api/v1/tokens", "{\"name\":\"release pipeline\",\"role\":\"ci\"}");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String value = created.json().getString("value");
        assertThat(value).startsWith("ferry_").hasSize(49);
        assertThat(created.json().getString("role")).isEqualTo("ci");
        assertThat(created.json().getString("createdBy")).contains("initial-admin");
        Reply list = server.get("/api/v1/tokens");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).doesNotContain(value).doesNotContain(server.adminToken()).doesNotContain("value")
                .contains("release pipeline").contains("initial-admin");
    }

    @Test
    void a_revoked_token_is_refused_on_its_next_request() {
        Reply created = server.post("/api/v1/tokens", "{\"name\":\"temp\",\"role\":\"operator\"}");
        String value = created.json().getString("value");
        assertThat(server.sendAs(value, "GET", "/api/v1/devices", null).status()).isEqualTo(200);

        assertThat(server.delete("/api/v1/tokens/" + created.json().getString("id")).status()).isEqualTo(204);

        Reply after = server.sendAs(value, "GET", "/api/v1/devices", null);
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.isProblem()).isTrue();
        assertThat(server.delete("/api/v1/tokens/" + created.json().getString("id")).status()).isEqualTo(404);
    }

    @Test
    void an_expired_token_is_refused() {
        Reply created = server.post("/api/v1/tokens", "{\"name\":\"short\",\"role\":\"viewer\",\"expiresInSeconds\":2}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String value = created.json().getString("value");
        Instant expiry = Instant.parse(created.json().getString("expiresAt"));

        TestServer.eventually("the token expired", () -> Instant.now().isAfter(expiry));
        Reply after = server.sendAs(value, "GET", "/api/v1/devices", null);

        assertThat(after.status()).isEqualTo(401);
        assertThat(after.json().getString("detail")).contains("expired at " + expiry);
    }

    @Test
    void the_last_use_of_a_token_is_listed() {
        Reply created = server.post("/api/v1/tokens", "{\"name\":\"seen\",\"role\":\"viewer\"}");
        assertThat(created.json().getString("lastUsedAt")).isNull();

        server.sendAs(created.json().getString("value"), "GET", "/api/v1/devices", null);

        JsonObject listed = server.get("/api/v1/tokens").json().getJsonArray("items").stream()
                .map(JsonObject.class::cast).filter(t -> t.getString("name").equals("seen")).findFirst().orElseThrow();
        assertThat(listed.getString("lastUsedAt")).isNotNull();
    }

    @Test
    void malformed_token_requests_are_refused_precisely_and_make_nothing() {
        assertRefused("{\"name\":\"x\",\"role\":\"root\"}", "role must be one of viewer, operator, admin, ci");
        assertRefused("{\"role\":\"viewer\"}", "name must be 1 to 64 characters");
        assertRefused("{\"name\":\"a/b\",\"role\":\"viewer\"}", "name must be");
        assertRefused("{\"name\":\"x\",\"role\":\"viewer\",\"deviceTag\":\"no tag\"}", "deviceTag must be");
        assertRefused("{\"name\":\"x\",\"role\":\"viewer\",\"expiresAt\":\"tomorrow\"}", "expiresAt must be an ISO-8601");
        assertRefused("{\"name\":\"x\",\"role\":\"viewer\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}",
                "is not in the future");
        assertRefused("{\"name\":\"x\",\"role\":\"viewer\",\"expiresInSeconds\":0}", "expiresInSeconds must be");
        assertRefused("{\"name\":\"x\",\"role\":\"viewer\",\"expiresInSeconds\":5,\"expiresAt\":\"2099-01-01T00:00:00Z\"}",
                "not both");
        assertRefused("{\"name\":\"x\",\"role\":\"viewer\",\"value\":\"ferry_mine\"}", "unknown field(s) [value]");

        assertThat(server.get("/api/v1/tokens").json().getJsonArray("items")).hasSize(1);
    }

    private void assertRefused(String body, String detail) {
        Reply reply = server.post("/api/v1/tokens", body);
        assertThat(reply.status()).as(body).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).as(body).contains(detail);
    }
}
