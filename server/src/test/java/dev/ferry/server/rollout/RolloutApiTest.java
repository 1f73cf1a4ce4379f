package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.server.testing.TestServer.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The rollout routes as an operator, a viewer and a ci token meet them: every bad request is refused with the
 * precise status and problem and creates or changes nothing; drafts are edited, later states are not.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RolloutApiTest {
    static final String MODEL = "meter-9";
    static TestServer server;
    static long published;
    static long unpublished;
    static String viewer;
    static String operator;
    static String ci;
    static String tagLimited;

    @BeforeAll
    static void startServer() {
        server = TestServer.givenServer().start();
        ImageSigningKey key = Images.newKey();
        assertThat(server.post("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(key)).encode()).status()).isEqualTo(201);
        published = upload(Images.signed("2.0.0", 1024, key));
        assertThat(server.post("/api/v1/firmware/" + published + "/publish", null).status()).isEqualTo(200);
        unpublished = upload(Images.signed("2.1.0", 1024, key));
        for (int i = 0; i < 3; i++) {
            Reply device = server.post("/api/v1/devices", new JsonObject().put("endpoint", "meter-" + i)
                    .put("security", new JsonObject().put("mode", "none")).put("tags", new JsonArray()
                            .add("field")).encode());
            assertThat(device.status()).as(device.body()).isEqualTo(201);
        }
        viewer = token("watcher", "viewer", null);
        operator = token("night-shift", "operator", null);
        ci = token("pipeline", "ci", null);
        tagLimited = token("field-team", "operator", "field");
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void aPlanWithManyProblemsIsAnswered422ListingEveryOneAndNothingIsCreated() {
        int before = rolloutCount();
        JsonObject plan = plan().put("firmwareId", 999_999)
                .put("target", new JsonObject().put("filter", new JsonObject().put("tagsAll", new JsonArray()
                        .add("nowhere"))))
                .put("strategy", new JsonObject().put("type", "waves").put("waves", new JsonArray()
                        .add(new JsonObject().put("percent", 10)).add(new JsonObject().put("percent", 20))))
                .put("gate", new JsonObject().put("errorPercent", 150).put("minFinished", 0))
                .put("retry", new JsonObject().put("on", new JsonArray().add("reverted").add("connection-lost")))
                .put("startAt", "2020-01-01T00:00:00Z")
                .put("window", new JsonObject().put("days", new JsonArray()).put("start", "02:00")
                        .put("durationMinutes", 0))
                .put("maxConcurrent", 0);

        Reply reply = server.post("/api/v1/rollouts", plan.encode());

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(reply.isProblem()).isTrue();
        assertThat(fields(reply)).containsExactlyInAnyOrder("firmwareId", "target.filter", "strategy.waves",
                "gate.errorPercent", "gate.minFinished", "retry.on", "startAt", "window.days",
                "window.durationMinutes", "maxConcurrent");
        assertThat(message(reply, "firmwareId")).contains("no firmware image with id 999999");
        assertThat(message(reply, "retry.on")).contains("reverted").doesNotContain("connection-lost would");
        assertThat(message(reply, "strategy.waves")).contains("30 %").contains("{\"rest\": true}");
        assertThat(rolloutCount()).isEqualTo(before);
    }

    static Stream<Arguments> plansWithOneProblem() {
        return Stream.of(
                Arguments.of("name", "{\"name\": \"  \"}"),
                Arguments.of("delivery", "{\"delivery\": \"fax\"}"),
                Arguments.of("strategy.first.percent", "{\"strategy\": {\"type\": \"canary\", \"first\":"
                        + " {\"percent\": 0}, \"stepPercent\": 10}}"),
                Arguments.of("strategy.stepPercent", "{\"strategy\": {\"type\": \"canary\", \"first\":"
                        + " {\"count\": 1}, \"stepPercent\": 101}}"),
                Arguments.of("strategy.waveSize.count", "{\"strategy\": {\"type\": \"rolling\", \"waveSize\":"
                        + " {\"count\": 0}}}"),
                Arguments.of("strategy.waves", "{\"strategy\": {\"type\": \"waves\", \"waves\": []}}"),
                Arguments.of("strategy.waves", "{\"strategy\": {\"type\": \"waves\", \"waves\": [{\"percent\": 80},"
                        + " {\"percent\": 40}, {\"rest\": true}]}}"),
                Arguments.of("strategy.waves[0]", "{\"strategy\": {\"type\": \"waves\", \"waves\": [{\"rest\":"
                        + " true}, {\"rest\": true}]}}"),
                Arguments.of("strategy.type", "{\"strategy\": {\"type\": \"big-bang\"}}"),
                Arguments.of("gate.successPercent", "{\"gate\": {\"successPercent\": -1}}"),
                Arguments.of("gate.deviceTimeoutSeconds", "{\"gate\": {\"deviceTimeoutSeconds\": 0}}"),
                Arguments.of("gate.soakSeconds", "{\"gate\": {\"soakSeconds\": 604801}}"),
                Arguments.of("gate.crashLoopRegistrations", "{\"gate\": {\"crashLoopRegistrations\": 0}}"),
                Arguments.of("gate.onSuccess", "{\"gate\": {\"onSuccess\": \"party\"}}"),
                Arguments.of("retry.maxAttempts", "{\"retry\": {\"maxAttempts\": 11}}"),
                Arguments.of("retry.multiplier", "{\"retry\": {\"multiplier\": 0.5}}"),
                Arguments.of("retry.backoffSeconds", "{\"retry\": {\"backoffSeconds\": -1}}"),
                Arguments.of("retry.on", "{\"retry\": {\"on\": [\"integrity-check-failed\"]}}"),
                Arguments.of("window.timeZone", "{\"window\": {\"days\": [\"mon\"], \"start\": \"02:00\","
                        + " \"durationMinutes\": 60, \"timeZone\": \"Mars/Olympus\"}}"),
                Arguments.of("window.durationMinutes", "{\"window\": {\"days\": [\"mon\"], \"start\": \"02:00\","
                        + " \"durationMinutes\": 10081}}"),
                Arguments.of("startAt", "{\"startAt\": \"next tuesday\"}"),
                Arguments.of("target.filter.firmwareVersion", "{\"target\": {\"filter\": {\"firmwareVersion\":"
                        + " \"<<2\"}}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("plansWithOneProblem")
    void aPlanWithOneProblemIsAnswered422NamingJustThatField(String field, String change) {
        int before = rolloutCount();

        Reply reply = server.post("/api/v1/rollouts", plan().mergeIn(new JsonObject(change)).encode());

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(fields(reply)).as(reply.body()).containsExactly(field);
        assertThat(rolloutCount()).isEqualTo(before);
    }

    @Test
    void shapeAndSenseProblemsComeInOneAnswer() {
        int before = rolloutCount();
        JsonObject plan = plan().put("firmwareId", unpublished).put("colour", "red")
                .put("gate", new JsonObject().put("onError", "panic").put("successPercent", 101));

        Reply reply = server.post("/api/v1/rollouts", plan.encode());

        assertThat(reply.status()).as(reply.body()).isEqualTo(422);
        assertThat(fields(reply)).containsExactlyInAnyOrder("colour", "gate.onError", "gate.successPercent", "firmwareId");
        assertThat(message(reply, "firmwareId")).contains("is not published");
        assertThat(rolloutCount()).isEqualTo(before);
    }

    @Test
    void anUnknownGroupAndAnEmptyTargetAreRefused() {
        Reply group = server.post("/api/v1/rollouts", plan().put("target", new JsonObject().put("group", "nobody"))
                .encode());
        Reply neither = server.post("/api/v1/rollouts", plan().put("target", new JsonObject()).encode());

        assertThat(group.status()).isEqualTo(422);
        assertThat(message(group, "target.group")).contains("no saved group named 'nobody'");
        assertThat(neither.status()).isEqualTo(422);
        assertThat(message(neither, "target.group")).contains("not neither");
    }

    @Test
    void aSavedGroupIsATargetWhenItMatchesADeviceNow() {
        assertThat(server.post("/api/v1/groups", new JsonObject().put("name", "field-meters").put("filter",
                new JsonObject().put("tagsAll", new JsonArray().add("field"))).encode()).status()).isEqualTo(201);
        assertThat(server.post("/api/v1/groups", new JsonObject().put("name", "empty-meters").put("filter",
                new JsonObject().put("tagsAll", new JsonArray().add("nowhere"))).encode()).status()).isEqualTo(201);

        Reply created = server.post("/api/v1/rollouts", plan().put("target", new JsonObject().put("group",
                "field-meters")).encode());
        Reply empty = server.post("/api/v1/rollouts", plan().put("target", new JsonObject().put("group",
                "empty-meters")).encode());

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().getJsonObject("plan").getJsonObject("target").getString("group"))
                .isEqualTo("field-meters");
        assertThat(empty.status()).isEqualTo(422);
        assertThat(message(empty, "target.group")).contains("group 'empty-meters' matches no device now");
    }

    @Test
    void malformedRequestsAre400AndUnknownRolloutsAre404() {
        int before = rolloutCount();

        assertProblem(server.post("/api/v1/rollouts", "{\"name\":"), 400, "not valid JSON");
        assertProblem(server.post("/api/v1/rollouts", "[]"), 400, "must be a JSON object");
        assertProblem(server.get("/api/v1/rollouts/abc"), 400, "positive whole numbers");
        assertProblem(server.get("/api/v1/rollouts/0"), 400, "positive whole numbers");
        assertProblem(server.get("/api/v1/rollouts?status=finished"), 400, "status must be one of draft");
        assertProblem(server.get("/api/v1/rollouts?limit=0"), 400, "limit must be between 1 and 1000");
        assertProblem(server.post("/api/v1/rollouts/7/start", "{\"now\":true}"), 400, "takes no content");
        for (String path : List.of("", "/waves", "/devices", "/history")) {
            assertProblem(server.get("/api/v1/rollouts/424242" + path), 404, "no rollout with id 424242");
        }
        assertProblem(server.patch("/api/v1/rollouts/424242", "{\"name\":\"x\"}"), 404, "no rollout with id");
        assertProblem(server.delete("/api/v1/rollouts/424242"), 404, "no rollout with id");
        for (RolloutAction action : RolloutAction.values()) {
            assertProblem(server.post("/api/v1/rollouts/424242/" + action.wireName(), null), 404, "no rollout");
        }
        assertThat(rolloutCount()).isEqualTo(before);
    }

    @Test
    void aCiTokenCreatesADraftAndFollowsItButCannotStartEditOrDeleteIt() {
        Reply created = server.sendAs(ci, "POST", "/api/v1/rollouts", plan().encode());

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonObject rollout = created.json();
        long id = rollout.getLong("id");
        assertThat(rollout.getString("status")).isEqualTo("draft");
        assertThat(rollout.getString("createdBy")).isEqualTo("pipeline");
        assertThat(rollout.getJsonArray("allowedActions")).containsExactly("start", "cancel");
        assertThat(created.json().getJsonObject("plan").getJsonObject("gate").getDouble("successPercent"))
                .isEqualTo(95.0);
        int history = historySize(id);

        assertProblem(server.sendAs(ci, "POST", "/api/v1/rollouts/" + id + "/start", null), 403, "operator");
        assertProblem(server.sendAs(ci, "PATCH", "/api/v1/rollouts/" + id, "{\"name\":\"mine\"}"), 403, "operator");
        assertProblem(server.sendAs(ci, "DELETE", "/api/v1/rollouts/" + id, null), 403, "operator");
        assertThat(server.get("/api/v1/rollouts/" + id).json().getString("status")).isEqualTo("draft");
        assertThat(historySize(id)).isEqualTo(history);
        // A pipeline follows the rollout it made, by its id, but does not list the fleet's rollouts.
        assertThat(server.sendAs(ci, "GET", "/api/v1/rollouts/" + id, null).json().getString("status"))
                .isEqualTo("draft");
        assertThat(server.sendAs(ci, "GET", "/api/v1/rollouts/" + id + "/waves", null).status()).isEqualTo(200);
        assertProblem(server.sendAs(ci, "GET", "/api/v1/rollouts", null), 403, "viewer");
    }

    @Test
    void aViewerReadsButCannotCreateOrAct() {
        long id = create(plan());
        int before = rolloutCount();

        assertThat(server.sendAs(viewer, "GET", "/api/v1/rollouts/" + id, null).status()).isEqualTo(200);
        assertThat(server.sendAs(viewer, "GET", "/api/v1/rollouts/" + id + "/history", null).status()).isEqualTo(200);
        assertProblem(server.sendAs(viewer, "POST", "/api/v1/rollouts", plan().encode()), 403, "operator");
        for (RolloutAction action : RolloutAction.values()) {
            assertProblem(server.sendAs(viewer, "POST", "/api/v1/rollouts/" + id + "/" + action.wireName(), null),
                    403, "operator");
        }
        assertThat(server.get("/api/v1/rollouts/" + id).json().getString("status")).isEqualTo("draft");
        assertThat(rolloutCount()).isEqualTo(before);
    }

    @Test
    void aTokenLimitedToATagCannotUseRollouts() {
        assertProblem(server.sendAs(tagLimited, "POST", "/api/v1/rollouts", plan().encode()), 403, "every tag");
        assertProblem(server.sendAs(tagLimited, "GET", "/api/v1/rollouts", null), 403, "every tag");
    }

    @Test
    void onlyADraftIsEditedAndEachRefusalNamesTheActionsAllowed() {
        long id = create(plan());

        Reply edited = server.sendAs(operator, "PATCH", "/api/v1/rollouts/" + id, new JsonObject()
                .put("name", "spring meters").put("gate", new JsonObject().put("errorPercent", 10))
                .put("startAt", OffsetDateTime.now(ZoneOffset.UTC).plusDays(2).toString()).encode());
        assertThat(edited.status()).as(edited.body()).isEqualTo(200);
        assertThat(edited.json().getString("name")).isEqualTo("spring meters");
        assertThat(edited.json().getJsonObject("plan").getJsonObject("gate").getDouble("errorPercent")).isEqualTo(10.0);
        Reply badEdit = server.sendAs(operator, "PATCH", "/api/v1/rollouts/" + id, "{\"maxConcurrent\":-1}");
        assertThat(badEdit.status()).isEqualTo(422);
        assertThat(fields(badEdit)).containsExactly("maxConcurrent");
        assertThat(server.get("/api/v1/rollouts/" + id).json().getJsonObject("plan").getInteger("maxConcurrent"))
                .isEqualTo(RolloutSpec.DEFAULT_MAX_CONCURRENT);

        Reply started = server.sendAs(operator, "POST", "/api/v1/rollouts/" + id + "/start", null);
        assertThat(started.status()).as(started.body()).isEqualTo(200);
        assertThat(started.json().getString("status")).isEqualTo("scheduled");
        int history = historySize(id);

        for (Reply refused : List.of(server.patch("/api/v1/rollouts/" + id, "{\"name\":\"late\"}"),
                server.delete("/api/v1/rollouts/" + id), server.post("/api/v1/rollouts/" + id + "/start", null),
                server.post("/api/v1/rollouts/" + id + "/resume", null))) {
            assertThat(refused.status()).as(refused.body()).isEqualTo(409);
            assertThat(refused.json().getString("rolloutStatus")).isEqualTo("scheduled");
            assertThat(refused.json().getJsonArray("allowedActions")).containsExactly("pause", "cancel");
            assertThat(refused.json().getString("detail")).contains("allowed now: pause, cancel");
        }
        assertThat(server.get("/api/v1/rollouts/" + id).json().getString("name")).isEqualTo("spring meters");
        assertThat(historySize(id)).isEqualTo(history);

        Reply cancelled = server.sendAs(operator, "POST", "/api/v1/rollouts/" + id + "/cancel", null);
        assertThat(cancelled.json().getString("status")).as(cancelled.body()).isEqualTo("cancelled");
        List<String> actors = server.get("/api/v1/rollouts/" + id + "/history").json().getJsonArray("items")
                .stream().map(e -> ((JsonObject) e).getString("actor")).toList();
        assertThat(actors).contains("night-shift");
    }

    @Test
    void aDraftIsDeletedAndIsThenUnknown() {
        long id = create(plan());

        Reply deleted = server.sendAs(operator, "DELETE", "/api/v1/rollouts/" + id, null);

        assertThat(deleted.status()).as(deleted.body()).isEqualTo(204);
        assertProblem(server.get("/api/v1/rollouts/" + id), 404, "no rollout with id " + id);
    }

    @Test
    void theListFiltersByStatusAndPages() {
        long draft = create(plan());
        long cancelled = create(plan());
        assertThat(server.post("/api/v1/rollouts/" + cancelled + "/cancel", null).status()).isEqualTo(200);

        List<Long> drafts = ids(server.get("/api/v1/rollouts?status=draft&limit=1000"));
        List<Long> cancelledOnes = ids(server.get("/api/v1/rollouts?status=cancelled&limit=1000"));
        Reply firstPage = server.get("/api/v1/rollouts?limit=1");

        assertThat(drafts).contains(draft).doesNotContain(cancelled);
        assertThat(cancelledOnes).contains(cancelled).doesNotContain(draft);
        assertThat(ids(firstPage)).hasSize(1);
        assertThat(firstPage.json().getInteger("nextOffset")).isEqualTo(1);
    }

    @Test
    void everyChangeIsInTheAuditTrailUnderTheCallingToken() {
        long id = create(plan());
        server.sendAs(operator, "POST", "/api/v1/rollouts/" + id + "/cancel", null);

        JsonArray entries = server.get("/api/v1/audit?target=rollout:" + id).json().getJsonArray("items");

        assertThat(entries.stream().map(e -> ((JsonObject) e).getJsonObject("actor").getString("name")))
                .contains("night-shift");
    }

    private static JsonObject plan() {
        return new JsonObject().put("name", "meters to 2.0.0").put("firmwareId", published)
                .put("target", new JsonObject().put("filter", new JsonObject().put("tagsAll", new JsonArray()
                        .add("field"))))
                .put("strategy", new JsonObject().put("type", "canary").put("first", new JsonObject()
                        .put("count", 1)).put("stepPercent", 50));
    }

    private static long create(JsonObject plan) {
        Reply created = server.sendAs(operator, "POST", "/api/v1/rollouts", plan.encode());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().getLong("id");
    }

    private static int rolloutCount() {
        return server.get("/api/v1/rollouts?limit=1000").json().getJsonArray("items").size();
    }

    private static int historySize(long id) {
        return server.get("/api/v1/rollouts/" + id + "/history?limit=1000").json().getJsonArray("items").size();
    }

    private static List<Long> ids(Reply page) {
        return page.json().getJsonArray("items").stream().map(r -> ((JsonObject) r).getLong("id")).toList();
    }

    private static List<String> fields(Reply reply) {
        return reply.json().getJsonArray("problems").stream().map(p -> ((JsonObject) p).getString("field")).toList();
    }

    private static String message(Reply reply, String field) {
        return reply.json().getJsonArray("problems").stream().map(p -> (JsonObject) p)
                .filter(p -> p.getString("field").equals(field)).map(p -> p.getString("message")).findFirst()
                .orElseThrow(() -> new AssertionError("no problem with " + field + " in " + reply.body()));
    }

    private static void assertProblem(Reply reply, int status, String detail) {
        assertThat(reply.status()).as(reply.body()).isEqualTo(status);
        assertThat(reply.isProblem()).isTrue();
        assertThat(reply.json().getString("detail")).contains(detail);
    }

    private static long upload(byte[] image) {
        Reply uploaded = server.uploadFirmware(MODEL, image);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        return uploaded.json().getLong("id");
    }

    private static String token(String name, String role, String tag) {
        JsonObject request = new JsonObject().put("name", name).put("role", role);
        if (tag != null) {
            request.put("deviceTag", tag);
        }
        Reply reply = server.post("/api/v1/tokens", request.encode());
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json().getString("value");
    }
}
