package dev.ferry.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.RawHttp;
import dev.ferry.server.testing.TestServer;

/** Guessing tokens from one address is slowed down, and one token cannot send more than its rate. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RateLimitTest {
    TestServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void an_address_that_sent_too_many_bad_tokens_waits_even_with_a_good_one() {
        server = TestServer.givenServer().with(Setting.HTTP_AUTH_FAILURE_LIMIT, "3").start();
        RawHttp guesser = new RawHttp(server, "ferry_" + "B".repeat(43));
        for (int i = 0; i < 3; i++) {
            assertThat(guesser.send("GET", "/api/v1/devices", null).status()).isEqualTo(401);
        }

        RawHttp.Answer blocked = guesser.send("GET", "/api/v1/devices", null);
        RawHttp.Answer good = new RawHttp(server).send("GET", "/api/v1/devices", null);

        assertThat(blocked.status()).isEqualTo(429);
        assertThat(blocked.isProblem()).isTrue();
        assertThat(Integer.parseInt(blocked.header("retry-after"))).isBetween(1, 60);
        assertThat(good.status()).isEqualTo(429);
        assertThat(good.json().getString("type")).isEqualTo("urn:ferry:problem:too-many-failures");
        assertThat(new RawHttp(server, null).send("GET", "/health", null).status()).isEqualTo(200);
    }

    @Test
    void a_token_past_its_request_rate_gets_429_with_retry_after() {
        server = TestServer.givenServer().with(Setting.HTTP_TOKEN_RATE_LIMIT, "1")
                .with(Setting.HTTP_TOKEN_RATE_BURST, "3").start();
        RawHttp http = new RawHttp(server);
        List<RawHttp.Answer> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(http.send("GET", "/api/v1/devices", null));
        }

        assertThat(answers.subList(0, 3)).allMatch(a -> a.status() == 200);
        RawHttp.Answer limited = answers.stream().filter(a -> a.status() == 429).findFirst().orElseThrow(
                () -> new AssertionError("no 429 among " + answers.stream().map(RawHttp.Answer::status).toList()));
        assertThat(limited.isProblem()).isTrue();
        assertThat(limited.json().getString("type")).isEqualTo("urn:ferry:problem:rate-limited");
        assertThat(Integer.parseInt(limited.header("retry-after"))).isEqualTo(1);
    }
}
