package dev.ferry.sim.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.sim.http.WholeExchange;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The few calls of Ferry's HTTP API the update benchmark makes; every answer is JSON. */
final class FerryApi {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final String token;

    /** Calls {@code base} with {@code token} as the bearer token (none when null). */
    FerryApi(URI base, String token) {
        this.base = URI.create(base.toString().replaceAll("/+$", "") + "/");
        this.token = token;
    }

    URI base() {
        return base;
    }

    /** A stored update session, as {@code GET /api/v1/devices/{endpoint}/updates/{id}} shows it. */
    record Session(long id, String endpoint, String state, String failureReason, String detail, Instant createdAt,
            Instant finishedAt, List<Step> history) {

        boolean isFinal() {
            return "succeeded".equals(state) || "failed".equals(state) || "cancelled".equals(state);
        }

        /** When the session first entered {@code state}, or null. */
        Instant entered(String state) {
            return history.stream().filter(s -> s.state().equals(state)).map(Step::at).findFirst().orElse(null);
        }

        static Session of(JsonNode json) {
            List<Step> steps = new ArrayList<>();
            for (JsonNode step : json.path("history")) {
                steps.add(new Step(step.path("state").asText(), Instant.parse(step.path("at").asText())));
            }
            return new Session(json.path("id").asLong(), json.path("endpoint").asText(), json.path("state").asText(),
                    text(json, "failureReason"), text(json, "detail"), Instant.parse(json.path("createdAt").asText()),
                    json.hasNonNull("finishedAt") ? Instant.parse(json.path("finishedAt").asText()) : null,
                    List.copyOf(steps));
        }
    }

    /** One entry of a session's state history. */
    record Step(String state, Instant at) {
    }

    /** One entry of the event log. */
    record Event(long id, String endpoint, String detail) {
    }

    /** Starts an update: {@code POST /api/v1/devices/{endpoint}/updates}; completes with the new session. */
    CompletableFuture<Session> startUpdate(String endpoint, long firmwareId, String delivery) {
        String body = JSON.createObjectNode().put("firmwareId", firmwareId).put("delivery", delivery).toString();
        HttpRequest request = request("api/v1/devices/" + encode(endpoint) + "/updates")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return exchange(request).thenApply(reply -> {
            if (reply.statusCode() != 201) {
                throw new IllegalStateException("starting the update of " + endpoint + ": HTTP " + reply.statusCode()
                        + " " + reply.body());
            }
            return Session.of(parse(reply.body()));
        });
    }

    /** {@code GET /api/v1/devices/{endpoint}/updates/{id}}, with the session's history. */
    CompletableFuture<Session> session(String endpoint, long id) {
        return getAsync("api/v1/devices/" + encode(endpoint) + "/updates/" + id).thenApply(Session::of);
    }

    /** The newest {@code limit} (at most 1000) update events, newest first. */
    List<Event> updateEvents(int limit) throws IOException, InterruptedException {
        List<Event> events = new ArrayList<>();
        for (JsonNode event : get("api/v1/events?type=update&limit=" + limit).path("items")) {
            events.add(new Event(event.path("id").asLong(), event.path("endpoint").asText(),
                    event.path("detail").asText()));
        }
        return events;
    }

    /** Devices whose endpoint contains {@code search}, every page of them. */
    List<JsonNode> devices(String search) throws IOException, InterruptedException {
        List<JsonNode> all = new ArrayList<>();
        for (int offset = 0;; offset += 1000) {
            JsonNode page = get("api/v1/devices?limit=1000&offset=" + offset + "&search=" + encode(search));
            page.path("items").forEach(all::add);
            if (page.path("items").size() < 1000) {
                return all;
            }
        }
    }

    /** {@code POST} of a JSON body; the answer's status and JSON body. */
    Answer post(String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> reply = WholeExchange.send(http, request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString(), TIMEOUT);
        return new Answer(reply.statusCode(), reply.body().isEmpty() ? null : parse(reply.body()), reply.body());
    }

    /** {@code DELETE}; the answer's status. */
    int delete(String path) throws IOException, InterruptedException {
        return WholeExchange.send(http, request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString(), TIMEOUT)
                .statusCode();
    }

    /** A status and the JSON it came with (null for an empty body). */
    record Answer(int status, JsonNode json, String body) {
        Answer expect(int expected, String what) {
            if (status != expected) {
                throw new IllegalStateException(what + ": HTTP " + status + " " + body);
            }
            return this;
        }
    }

    /** {@code GET} of a path that must answer 200 with JSON. */
    JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> reply = WholeExchange.send(http, request(path).GET().build(),
                HttpResponse.BodyHandlers.ofString(), TIMEOUT);
        return checked(path, reply);
    }

    private CompletableFuture<JsonNode> getAsync(String path) {
        return exchange(request(path).GET().build())
                .thenApply(reply -> checked(path, reply));
    }

    private static JsonNode checked(String path, HttpResponse<String> reply) {
        if (reply.statusCode() != 200) {
            throw new IllegalStateException("GET /" + path + ": HTTP " + reply.statusCode() + " " + reply.body());
        }
        return parse(reply.body());
    }

    private CompletableFuture<HttpResponse<String>> exchange(HttpRequest request) {
        return WholeExchange.sendAsync(http, request, HttpResponse.BodyHandlers.ofString(), TIMEOUT);
    }

    private HttpRequest.Builder request(String path) {
        return dev.ferry.sim.http.ApiToken.authorize(HttpRequest.newBuilder(base.resolve(path)), token).timeout(TIMEOUT);
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("the server's answer is not JSON: " + body, e);
        }
    }

    private static String text(JsonNode json, String field) {
        return json.hasNonNull(field) ? json.get(field).asText() : null;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
