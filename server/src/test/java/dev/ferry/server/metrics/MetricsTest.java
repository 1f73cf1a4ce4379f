package dev.ferry.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.config.Setting;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** A scraper reads the meters in Prometheus' text format and sees them move with what devices and callers do. */
@Timeout(120)
class MetricsTest {

    /** The value of one sample line, {@code name{labels} value}; -1 when there is none. */
    private static double sample(String scraped, String nameAndLabels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(nameAndLabels) + " (\\S+)$").matcher(scraped);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String scrape(TestServer server) {
        TestServer.Reply reply = server.get("/metrics");
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(reply.contentType()).startsWith("text/plain; version=0.0.4");
        return reply.body();
    }

    @Test
    void registrations_coap_messages_http_requests_and_the_jvm_show_and_move() throws Exception {
        try (TestServer server = TestServer.givenServer().start()) {
            String before = scrape(server);
            assertThat(sample(before, "ferry_devices_registered")).isEqualTo(0.0);
            assertThat(sample(before, "ferry_lwm2m_registrations_total{transport=\"coap\"}")).isEqualTo(0.0);
            assertThat(before).contains("jvm_memory_used_bytes{").contains("process_uptime_seconds");
            assertThat(sample(before, "ferry_telemetry_points_dropped_total")).isEqualTo(0.0);
            assertThat(sample(before, "ferry_dtls_handshake_failures_total{reason=\"unknown-psk-identity\"}"))
                    .isEqualTo(0.0);

            assertThat(server.post("/api/v1/devices", new JsonObject().put("endpoint", "meter-1")
                    .put("security", new JsonObject().put("mode", "none")).encode()).status()).isEqualTo(201);
            try (TestDevice device = TestDevice.device("meter-1").noSec(server.coapUri()).start()) {
                TestServer.eventually("meter-1 is online", () -> Boolean.TRUE.equals(
                        server.get("/api/v1/devices/meter-1").json().getBoolean("online")));
                assertThat(server.get("/api/v1/devices/meter-1").status()).isEqualTo(200);
                assertThat(server.get("/api/v1/devices/nobody").status()).isEqualTo(404);

                String after = scrape(server);
                assertThat(sample(after, "ferry_devices_registered")).isEqualTo(1.0);
                assertThat(sample(after, "ferry_lwm2m_registrations_total{transport=\"coap\"}")).isEqualTo(1.0);
                assertThat(sample(after, "ferry_coap_messages_total{direction=\"in\",transport=\"coap\"}"))
                        .isGreaterThanOrEqualTo(1.0);
                assertThat(sample(after, "ferry_coap_messages_total{direction=\"out\",transport=\"coap\"}"))
                        .isGreaterThanOrEqualTo(1.0);
                assertThat(sample(after, "ferry_http_requests_seconds_count{method=\"GET\","
                        + "route=\"/api/v1/devices/:endpoint\",status=\"200\"}")).isGreaterThanOrEqualTo(1.0);
                assertThat(sample(after, "ferry_http_requests_seconds_count{method=\"GET\","
                        + "route=\"/api/v1/devices/:endpoint\",status=\"404\"}")).isEqualTo(1.0);
                assertThat(sample(after, "ferry_http_requests_seconds_count{method=\"POST\","
                        + "route=\"/api/v1/devices\",status=\"201\"}")).isEqualTo(1.0);
            }
        }
    }

    @Test
    void metrics_need_a_viewer_token_unless_made_public() {
        try (TestServer server = TestServer.givenServer().start()) {
            TestServer.Reply anonymous = server.sendAs(null, "GET", "/metrics", null);
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.isProblem()).isTrue();
        }
        try (TestServer server = TestServer.givenServer().with(Setting.METRICS_PUBLIC, "true").start()) {
            TestServer.Reply anonymous = server.sendAs(null, "GET", "/metrics", null);
            assertThat(anonymous.status()).isEqualTo(200);
            assertThat(anonymous.body()).contains("ferry_devices_registered");
        }
    }
}
