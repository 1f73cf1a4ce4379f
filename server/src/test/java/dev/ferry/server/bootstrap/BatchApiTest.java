package dev.ferry.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;
import io.vertx.core.json.JsonObject;

/** The batch routes answer bad input with a precise problem and change nothing; keys are shown once only. */
@Timeout(60)
class BatchApiTest {
    static final String BATCHES = "/api/v1/provisioning/batches";
    static TestServer server;

    @BeforeAll
    static void startServer() {
        server = TestServer.givenServer().start();
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void a_created_batch_shows_its_key_once_and_never_in_the_list_or_its_own_page() {
        BatchFixture batch = BatchFixture.create(server, "{\"name\":\"shown once\",\"maxDevices\":100,"
                + "\"expiresAt\":\"" + OffsetDateTime.now().plusDays(30) + "\",\"security\":\"none\"}");

        assertThat(batch.key()).hasSize(32);
        assertThat(java.util.Base64.getDecoder().decode(batch.keyBase64())).isEqualTo(batch.key());
        assertThat(batch.created().getJsonObject("bootstrap").getString("uri")).isEqualTo(server.bootstrapCoapsUri());
        assertThat(batch.created().getString("security")).isEqualTo("none");
        String list = server.get(BATCHES).body();
        String page = server.get(batch.path()).body();
        assertThat(list + page).contains(batch.identity()).doesNotContain(batch.keyHex())
                .doesNotContain(batch.keyBase64()).doesNotContain("\"key\"");
        assertThat(new JsonObject(page).getJsonArray("devices")).isEmpty();
        assertThat(new JsonObject(page).getString("credential")).isEqualTo("psk");
    }

    @Test
    void malformed_batches_are_bad_requests_with_the_reason() {
        assertProblem(server.post(BATCHES, "{\"maxDevices\":5,\"expiresInSeconds\":60}"), 400, "name is required");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"expiresInSeconds\":60}"), 400, "maxDevices is required");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":0,\"expiresInSeconds\":60}"), 400,
                "maxDevices must be from 1 to 1000000");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5}"), 400, "expiresAt (RFC 3339)");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresAt\":\"tomorrow\"}"), 400,
                "expiresAt must be an RFC 3339 date-time");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresInSeconds\":60,"
                + "\"expiresAt\":\"2030-01-01T00:00:00Z\"}"), 400, "not both");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresInSeconds\":60,"
                + "\"security\":\"tls\"}"), 400, "security must be psk or none");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresInSeconds\":60,"
                + "\"tags\":[\"no spaces\"]}"), 400, "tag 'no spaces' is invalid");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresInSeconds\":60,"
                + "\"credential\":\"rpk\"}"), 400, "credential must be psk (a shared bootstrap PSK) or x509");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresInSeconds\":60,"
                + "\"credential\":509}"), 400, "credential must be a string");
        assertProblem(server.post(BATCHES, "{\"name\":\"b\",\"maxDevices\":5,\"expiresInSeconds\":60,\"key\":\"00\"}"),
                400, "unknown field(s) [key]");
        assertProblem(server.get(BATCHES + "/abc"), 400, "batch id must be a positive whole number");
        assertThat(server.get(BATCHES).json().getJsonArray("items").stream()
                .map(o -> ((JsonObject) o).getString("name"))).doesNotContain("b");
    }

    @Test
    void well_formed_batches_that_make_no_sense_are_unprocessable() {
        assertProblem(server.post(BATCHES, "{\"name\":\"past\",\"maxDevices\":5,"
                + "\"expiresAt\":\"2020-01-01T00:00:00Z\"}"), 422, "is not in the future");
        assertProblem(server.post(BATCHES, "{\"name\":\"far\",\"maxDevices\":5,"
                + "\"expiresAt\":\"2099-01-01T00:00:00Z\"}"), 422, "more than 10 years ahead");
        assertProblem(server.post(BATCHES, "{\"name\":\"rpk\",\"maxDevices\":5,\"expiresInSeconds\":60,"
                + "\"security\":\"rpk\"}"), 422, "batches give their devices psk");
    }

    @Test
    void names_are_unique_unknown_batches_are_not_found_and_a_batch_is_revoked_once() {
        BatchFixture batch = BatchFixture.create(server, "unique name", 5, 600);

        assertProblem(server.post(BATCHES, "{\"name\":\"unique name\",\"maxDevices\":5,\"expiresInSeconds\":60}"),
                409, "a batch named 'unique name' exists already");
        assertProblem(server.get(BATCHES + "/999999"), 404, "no production batch with id 999999");
        assertProblem(server.delete(BATCHES + "/999999"), 404, "no production batch with id 999999");
        assertThat(server.delete(batch.path()).status()).isEqualTo(204);
        assertProblem(server.delete(batch.path()), 409, "was revoked already");
        JsonObject shown = server.get(batch.path()).json();
        assertThat(shown.getString("state")).isEqualTo("revoked");
        assertThat(shown.getString("revokedAt")).isNotNull();
    }

    private static void assertProblem(Reply reply, int status, String detail) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).as(reply.contentType()).isTrue();
        assertThat(reply.json().getString("detail")).contains(detail);
    }
}
