package dev.ferry.server.events;

import static dev.ferry.server.testing.TestServer.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ferry.server.config.Setting;
import dev.ferry.server.events.WebhookReceiver.Received;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

class WebhookTest {
    TestServer server;
    WebhookReceiver receiver;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private void startServer(String maxAttempts) {
        server = TestServer.givenServer().with(Setting.WEBHOOKS_RETRY_BASE_MS, "100")
                .with(Setting.WEBHOOKS_MAX_ATTEMPTS, maxAttempts).start();
    }

    @Test
    void a_receiver_that_fails_twice_then_succeeds_gets_the_event_once_with_a_valid_signature() throws Exception {
        startServer("5");
        receiver = new WebhookReceiver(500, 500, 200);
        JsonObject created = createWebhook("{\"url\":\"" + receiver.url() + "\",\"types\":[\"provisioned\"]}");
        String secret = created.getString("secret");

        provision("hooked-1");
        List<Received> attempts = receiver.awaitRequests(3);
        provision("hooked-2"); // the next delivery comes after hooked-1's last attempt: nothing else of it in between
        List<Received> all = receiver.awaitRequests(4);

        assertThat(all).extracting(Received::answered).containsExactly(500, 500, 200, 200);
        assertThat(all).extracting(r -> new JsonObject(r.body()).getString("subject"))
                .containsExactly("hooked-1", "hooked-1", "hooked-1", "hooked-2");
        JsonObject delivered = new JsonObject(attempts.get(2).body());
        assertThat(attempts).extracting(r -> new JsonObject(r.body()).getString("id")).containsOnly(delivered
                .getString("id"));
        assertThat(delivered.getString("specversion")).isEqualTo("1.0");
        assertThat(delivered.getString("type")).isEqualTo("dev.ferry.device.provisioned");
        assertThat(delivered.getString("source")).isNotBlank();
        assertThat(Instant.parse(delivered.getString("time"))).isBefore(Instant.now().plusSeconds(1));
        assertThat(delivered.getJsonObject("data").getString("endpoint")).isEqualTo("hooked-1");
        assertThat(delivered.getJsonObject("data").getLong("id")).isEqualTo(Long.parseLong(delivered.getString("id")));
        assertThat(attempts.get(2).headers().get("content-type")).isEqualTo("application/cloudevents+json");
        for (Received attempt : all) {
            assertThat(validSignature(attempt, secret)).as(attempt.headers().get("Ferry-Signature")).isTrue();
        }
        assertThat(validSignature(new Received(attempts.get(2).headers(), attempts.get(2).body() + " ", 200), secret))
                .as("a changed body fails the check").isFalse();

        JsonObject shown = webhook(created.getLong("id"));
        JsonObject first = deliveryOf(shown, "hooked-1", all);
        assertThat(first.getString("state")).isEqualTo("delivered");
        assertThat(first.getInteger("attempts")).isEqualTo(3);
        assertThat(first.getJsonArray("attemptLog").stream().map(a -> ((JsonObject) a).getInteger("statusCode")))
                .containsExactly(500, 500, 200);
        assertThat(shown.containsKey("secret")).as("the secret is shown at creation only").isFalse();
        assertThat(shown.getBoolean("enabled")).isTrue();
    }

    @Test
    void a_webhook_that_always_fails_is_disabled_with_a_reason_after_its_last_attempt() {
        startServer("3");
        receiver = new WebhookReceiver(503);
        long id = createWebhook("{\"url\":\"" + receiver.url() + "\"}").getLong("id");

        provision("doomed-1");
        eventually("the webhook disabled", () -> !webhook(id).getBoolean("enabled"));

        JsonObject shown = webhook(id);
        assertThat(shown.getString("disabledReason")).contains("3 attempts").contains("HTTP 503");
        JsonArray deliveries = shown.getJsonArray("deliveries");
        assertThat(deliveries).hasSize(1);
        JsonObject delivery = deliveries.getJsonObject(0);
        assertThat(delivery.getString("state")).isEqualTo("failed");
        assertThat(delivery.getInteger("attempts")).isEqualTo(3);
        assertThat(delivery.getJsonArray("attemptLog")).hasSize(3);
        assertThat(receiver.receivedSoFar()).hasSize(3).extracting(Received::answered).containsOnly(503);
    }

    @Test
    void a_queued_delivery_survives_a_restart() {
        server = TestServer.givenServer().with(Setting.WEBHOOKS_RETRY_BASE_MS, "300").start();
        receiver = new WebhookReceiver(500);
        long id = createWebhook("{\"url\":\"" + receiver.url() + "\",\"filter\":{\"device\":\"durable-1\"}}")
                .getLong("id");
        provision("other-device");
        provision("durable-1");
        String eventId = new JsonObject(receiver.awaitRequests(1).get(0).body()).getString("id");

        server.stop();
        receiver.answerFromNowOn(200);
        int before = receiver.receivedSoFar().size();
        server.startAgain();

        List<Received> after = receiver.awaitRequests(before + 1);
        Received delivered = after.get(after.size() - 1);
        assertThat(delivered.answered()).isEqualTo(200);
        assertThat(new JsonObject(delivered.body()).getString("id")).isEqualTo(eventId);
        assertThat(new JsonObject(delivered.body()).getString("subject")).isEqualTo("durable-1");
        eventually("the delivery recorded as delivered",
                () -> "delivered".equals(webhook(id).getJsonArray("deliveries").getJsonObject(0).getString("state")));
        assertThat(webhook(id).getJsonArray("deliveries")).as("other-device is filtered out").hasSize(1);
    }

    @Test
    void webhooks_are_listed_and_deleted_and_bad_input_is_refused_with_what_to_send() {
        startServer("3");
        long id = createWebhook("{\"url\":\"https://hooks.example.com/ferry\",\"types\":[\"online\",\"offline\"]}")
                .getLong("id");

        JsonArray listed = server.get("/api/v1/webhooks").json().getJsonArray("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.getJsonObject(0).getJsonArray("types"))
                .containsExactlyInAnyOrder("registered", "deregistered", "expired");
        assertThat(listed.getJsonObject(0).containsKey("secret")).isFalse();

        assertThat(problem("{\"url\":\"ftp://x.example\"}")).contains("http:// or https://");
        assertThat(problem("{\"url\":\"https://x.example\",\"types\":[\"telemetry\"]}")).contains("telemetry");
        assertThat(problem("{\"url\":\"https://x.example\",\"types\":[\"bogus\"]}")).contains("unknown event type");
        TestServer.Reply noGroup = server.post("/api/v1/webhooks",
                "{\"url\":\"https://x.example\",\"filter\":{\"group\":\"nowhere\"}}");
        assertThat(noGroup.status()).isEqualTo(404);

        assertThat(server.delete("/api/v1/webhooks/" + id).status()).isEqualTo(204);
        assertThat(server.get("/api/v1/webhooks/" + id).status()).isEqualTo(404);
        assertThat(server.delete("/api/v1/webhooks/" + id).status()).isEqualTo(404);
        JsonArray audited = server.get("/api/v1/audit?target=webhook:" + id).json().getJsonArray("items");
        assertThat(audited.stream().map(e -> ((JsonObject) e).getString("action") + " "
                + ((JsonObject) e).getString("outcome")))
                .containsExactly("POST /api/v1/webhooks 201", "DELETE /api/v1/webhooks/{id} 204",
                        "DELETE /api/v1/webhooks/{id} 404");
    }

    private String problem(String body) {
        TestServer.Reply reply = server.post("/api/v1/webhooks", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(400);
        assertThat(reply.isProblem()).isTrue();
        return reply.json().getString("detail");
    }

    /** The receiver's check: HMAC-SHA256 over "t.body" keyed with the secret, t within five minutes. */
    private static boolean validSignature(Received received, String secret) throws Exception {
        String header = received.headers().get("Ferry-Signature");
        String t = header.replaceAll("^t=(\\d+),v1=[0-9a-f]{64}$", "$1");
        String v1 = header.replaceAll("^t=\\d+,v1=([0-9a-f]{64})$", "$1");
        if (Math.abs(Instant.now().getEpochSecond() - Long.parseLong(t)) > 300) {
            return false;
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((t + "." + received.body()).getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(expected, HexFormat.of().parseHex(v1));
    }

    private JsonObject createWebhook(String body) {
        TestServer.Reply reply = server.post("/api/v1/webhooks", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().getString("secret")).hasSize(64);
        return reply.json();
    }

    private JsonObject webhook(long id) {
        TestServer.Reply reply = server.get("/api/v1/webhooks/" + id);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json();
    }

    private static JsonObject deliveryOf(JsonObject webhook, String endpoint, List<Received> received) {
        String eventId = received.stream().map(r -> new JsonObject(r.body()))
                .filter(e -> endpoint.equals(e.getString("subject"))).findFirst().orElseThrow().getString("id");
        return webhook.getJsonArray("deliveries").stream().map(JsonObject.class::cast)
                .filter(d -> Long.toString(d.getLong("eventId")).equals(eventId)).findFirst().orElseThrow();
    }

    private void provision(String endpoint) {
        TestServer.Reply reply = server.post("/api/v1/devices",
                "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"none\"}}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
    }
}
