package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.rollout.InvalidRolloutException.Problem;
import dev.ferry.server.update.Delivery;
import dev.ferry.server.update.FailureReason;
import io.vertx.core.json.JsonObject;

@Timeout(10)
class RolloutSpecJsonTest {

    private final List<Problem> problems = new ArrayList<>();

    private RolloutSpec parse(String json) {
        return RolloutSpecJson.parse(new JsonObject(json), problems);
    }

    private List<String> fieldsWithProblems() {
        return problems.stream().map(Problem::field).toList();
    }

    @Test
    void aMinimalPlanTakesEveryDefault() {
        RolloutSpec spec = parse("""
                {"name": "spring", "firmwareId": 7, "target": {"group": "lab"}, "strategy": {"type": "all-at-once"}}
                """);

        assertThat(problems).isEmpty();
        assertThat(spec).isEqualTo(new RolloutSpec("spring", 7, RolloutSpec.Target.group("lab"), Optional.empty(),
                new RolloutSpec.Strategy.AllAtOnce(), RolloutSpec.Gate.DEFAULT, RolloutSpec.RetryPolicy.DEFAULT, null,
                null, RolloutSpec.DEFAULT_MAX_CONCURRENT, false, false));
    }

    @Test
    void aFullPlanIsReadFieldByField() {
        RolloutSpec spec = parse("""
                {"name": "canary 2.1", "firmwareId": 12,
                 "target": {"filter": {"tagsAll": ["eu", "meter"], "tagsAny": ["a", "b"], "model": "m1",
                            "firmwareVersion": "<2.0.0", "online": true, "endpointPrefix": "meter-",
                            "endpoints": ["meter-1"]}},
                 "delivery": "pull-coap",
                 "strategy": {"type": "canary", "first": {"percent": 5}, "stepPercent": 15},
                 "gate": {"successPercent": 97.5, "onSuccess": "pause", "errorPercent": 10, "minFinished": 3,
                          "onError": "rollback", "deviceTimeoutSeconds": 600, "soakSeconds": 120,
                          "crashLoopRegistrations": 2},
                 "retry": {"on": ["connection-lost"], "maxAttempts": 5, "backoffSeconds": 10, "multiplier": 1.5},
                 "startAt": "2026-12-24T02:00:00+01:00",
                 "window": {"days": ["sat", "sun"], "start": "02:30", "durationMinutes": 90,
                            "timeZone": "Europe/Berlin"},
                 "maxConcurrent": 20, "allowDowngrade": true, "allowModelMismatch": true}
                """);

        assertThat(problems).isEmpty();
        assertThat(spec.target().filter()).isEqualTo(new DeviceFilter(List.of("eu", "meter"), List.of("a", "b"), "m1",
                "<2.0.0", true, "meter-", List.of("meter-1")));
        assertThat(spec.delivery()).contains(Delivery.PULL_COAP);
        assertThat(spec.strategy()).isEqualTo(new RolloutSpec.Strategy.Canary(RolloutSpec.WaveSize.percent(5), 15));
        assertThat(spec.gate()).isEqualTo(new RolloutSpec.Gate(97.5, RolloutSpec.SuccessAction.PAUSE, 10, 3,
                RolloutSpec.ErrorAction.ROLLBACK, Duration.ofMinutes(10), Duration.ofMinutes(2), 2));
        assertThat(spec.retry()).isEqualTo(new RolloutSpec.RetryPolicy(Set.of(FailureReason.CONNECTION_LOST), 5,
                Duration.ofSeconds(10), 1.5));
        assertThat(spec.startAt()).isEqualTo(OffsetDateTime.parse("2026-12-24T02:00:00+01:00"));
        assertThat(spec.window()).isEqualTo(new RolloutSpec.MaintenanceWindow(Set.of(DayOfWeek.SATURDAY,
                DayOfWeek.SUNDAY), LocalTime.of(2, 30), Duration.ofMinutes(90), ZoneId.of("Europe/Berlin")));
        assertThat(spec.maxConcurrent()).isEqualTo(20);
        assertThat(spec.allowDowngrade()).isTrue();
        assertThat(spec.allowModelMismatch()).isTrue();
        assertRoundTrips(spec);
    }

    @Test
    void everyStrategyRoundTrips() {
        List<RolloutSpec.Strategy> strategies = List.of(new RolloutSpec.Strategy.AllAtOnce(),
                new RolloutSpec.Strategy.Canary(RolloutSpec.WaveSize.count(3), 20),
                new RolloutSpec.Strategy.Rolling(RolloutSpec.WaveSize.percent(12.5)),
                new RolloutSpec.Strategy.Explicit(List.of(RolloutSpec.WaveSize.count(1),
                        RolloutSpec.WaveSize.percent(10), RolloutSpec.WaveSize.REST)));
        for (RolloutSpec.Strategy strategy : strategies) {
            assertRoundTrips(new RolloutSpec("r", 1, RolloutSpec.Target.filter(DeviceFilter.ALL), Optional.empty(),
                    strategy, RolloutSpec.Gate.DEFAULT, RolloutSpec.RetryPolicy.DEFAULT, null, null, 1, false, false));
        }
    }

    @Test
    void renderingWritesTheDefaultsThatRun() {
        JsonObject rendered = RolloutSpecJson.render(parse("""
                {"name": "n", "firmwareId": 1, "target": {"group": "g"}, "strategy": {"type": "all-at-once"}}
                """));

        assertThat(rendered.getJsonObject("gate").getString("onError")).isEqualTo("pause");
        assertThat(rendered.getJsonObject("gate").getLong("deviceTimeoutSeconds"))
                .isEqualTo(RolloutSpec.Gate.DEFAULT.deviceTimeout().toSeconds());
        assertThat(rendered.getJsonObject("retry").getJsonArray("on"))
                .containsExactly("connection-lost", "device-unreachable", "download-timeout");
        assertThat(rendered.getInteger("maxConcurrent")).isEqualTo(RolloutSpec.DEFAULT_MAX_CONCURRENT);
        assertThat(rendered.containsKey("window")).isFalse();
    }

    @Test
    void everyShapeProblemIsNamedByItsPathAtOnce() {
        parse("""
                {"name": 3, "colour": "red",
                 "target": {"group": "g", "filter": {}},
                 "delivery": "carrier-pigeon",
                 "strategy": {"type": "waves", "waves": [{"percent": 5}, {"count": 2.5}, {"rest": false},
                                                         {"percent": 1, "count": 1}, 7]},
                 "gate": {"successPercent": "high", "onError": "panic", "minFinished": 1.5, "extra": 1},
                 "retry": {"on": ["connection-lost", "gremlins", 4], "maxAttempts": "3"},
                 "startAt": "tomorrow",
                 "window": {"days": ["mon", "funday"], "start": "2am", "timeZone": "Mars/Olympus"},
                 "maxConcurrent": 99999999999, "allowDowngrade": "yes"}
                """);

        assertThat(fieldsWithProblems()).containsExactlyInAnyOrder("colour", "firmwareId", "target.group", "delivery",
                "strategy.waves[1].count", "strategy.waves[2].rest", "strategy.waves[3].percent", "strategy.waves[4]",
                "gate.extra", "gate.successPercent", "gate.onError", "gate.minFinished", "retry.on[1]",
                "retry.on[2]", "retry.maxAttempts", "startAt", "window.days[1]", "window.start",
                "window.durationMinutes", "window.timeZone", "maxConcurrent", "allowDowngrade", "name");
    }

    @Test
    void messagesSayWhatToSend() {
        parse("""
                {"name": "n", "firmwareId": 1, "target": {}, "strategy": {"type": "big-bang"},
                 "gate": {"onSuccess": "party"}, "window": {"days": ["mon"], "start": "25:00", "durationMinutes": 5}}
                """);

        assertThat(problems).extracting(Problem::message).contains(
                "give either a saved group's name (group) or a filter, not neither",
                "unknown strategy 'big-bang'; use canary, rolling, all-at-once or waves",
                "unknown value 'party'; use next-wave or pause",
                "must be a time of day as HH:mm (24 hours, e.g. \"02:00\"), got \"25:00\"");
    }

    @Test
    void strategiesTakeOnlyTheirOwnFields() {
        parse("""
                {"name": "n", "firmwareId": 1, "target": {"group": "g"},
                 "strategy": {"type": "rolling", "waveSize": {"rest": true}, "stepPercent": 5}}
                """);

        assertThat(fieldsWithProblems()).containsExactlyInAnyOrder("strategy.stepPercent", "strategy.waveSize.rest",
                "strategy.waveSize.percent");
    }

    @Test
    void filtersReadEveryConditionStrictly() {
        parse("""
                {"name": "n", "firmwareId": 1, "strategy": {"type": "all-at-once"},
                 "target": {"filter": {"tagsAll": "eu", "online": "yes", "colour": "red", "endpoints": [1]}}}
                """);

        assertThat(fieldsWithProblems()).containsExactlyInAnyOrder("target.filter.tagsAll", "target.filter.online",
                "target.filter.colour", "target.filter.endpoints[0]");
    }

    @Test
    void aMissingWindowZoneMeansUtcAndNullsAreAbsentFields() {
        RolloutSpec spec = parse("""
                {"name": "n", "firmwareId": 1, "target": {"group": "g"}, "strategy": {"type": "all-at-once"},
                 "window": {"days": ["mon"], "start": "23:00", "durationMinutes": 120}, "gate": null}
                """);

        assertThat(problems).isEmpty();
        assertThat(spec.window().zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(spec.gate()).isEqualTo(RolloutSpec.Gate.DEFAULT);
    }

    @Test
    void anEmptyObjectNamesEveryRequiredField() {
        parse("{}");

        assertThat(fieldsWithProblems()).containsExactlyInAnyOrder("name", "firmwareId", "target", "strategy");
        assertThat(problems).extracting(Problem::message).containsOnly("is required");
    }

    private void assertRoundTrips(RolloutSpec spec) {
        JsonObject rendered = RolloutSpecJson.render(spec);
        List<Problem> again = new ArrayList<>();
        RolloutSpec reparsed = RolloutSpecJson.parse(new JsonObject(rendered.encode()), again);

        assertThat(again).isEmpty();
        assertThat(reparsed).isEqualTo(spec);
        assertThat(RolloutSpecJson.render(reparsed)).isEqualTo(rendered);
    }
}
