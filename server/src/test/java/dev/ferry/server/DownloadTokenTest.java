package dev.ferry.server;

import static dev.ferry.server.UpdateFixture.MODEL;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ferry.server.config.Setting;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.DeviceEvent.Type;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * HTTP pulls through per-session download URLs: a real server, simulated devices pulling over HTTP, and the URL the
 * server wrote into the device's 5/0/1 tried as the device and as strangers would.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DownloadTokenTest {
    UpdateFixture fixture = new UpdateFixture();
    TestServer server = fixture.server;
    String sha256 = BlobStore.sha256Hex(fixture.v2);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    Logger ferryLogger = (Logger) LoggerFactory.getLogger("dev.ferry");
    Level ferryLevel = ferryLogger.getLevel();

    @BeforeEach
    void recordTheLog() {
        log.start();
        rootLogger().addAppender(log);
        ferryLogger.setLevel(Level.DEBUG); // what an operator debugging the server would see, too
    }

    @AfterEach
    void stop() {
        ferryLogger.setLevel(ferryLevel);
        rootLogger().detachAppender(log);
        fixture.close();
    }

    @Test
    void a_download_url_opens_only_its_own_sessions_image_until_the_session_ends() throws Exception {
        SimDevice device = fixture.device("puller", Faults.none().slowLink(4 * 1024));
        byte[] v3 = Images.signed("1.2.0", UpdateFixture.IMAGE_BODY, fixture.key);
        fixture.publish(MODEL, v3);
        var downloading = device.next(Type.DOWNLOAD_STARTED);
        JsonObject session = fixture.start("puller", fixture.firmwareV2, "pull-http");
        downloading.get(20, TimeUnit.SECONDS);

        URI url = URI.create(packageUri("puller"));
        String token = url.getRawQuery().substring("token=".length());
        assertThat(url.toString()).startsWith(server.baseUrl() + "/fw/" + sha256 + "?token=").hasSizeLessThan(255);
        assertThat(token).matches(session.getLong("id") + "\\.[A-Za-z0-9_-]{22}");

        HttpResponse<byte[]> asTheDevice = server.download(pathOf(url));
        assertThat(asTheDevice.statusCode()).isEqualTo(200);
        assertThat(asTheDevice.body()).isEqualTo(fixture.v2);
        assertThat(asTheDevice.headers().firstValue("cache-control")).hasValue("no-store");
        assertThat(server.download(pathOf(url), "range", "bytes=100-199").statusCode()).isEqualTo(206);

        assertRefused("/fw/" + sha256, "download-token-required");
        assertRefused("/fw/" + sha256 + "?token=" + session.getLong("id") + ".AAAAAAAAAAAAAAAAAAAAAA",
                "download-token-invalid");
        assertRefused("/fw/" + BlobStore.sha256Hex(v3) + "?token=" + token, "download-token-invalid");
        assertRefused("/fw/" + sha256 + "?token=" + (session.getLong("id") + 1) + token.substring(token.indexOf('.')),
                "download-token-invalid");
        assertRefused("/fw/" + "0".repeat(64), "download-token-required");

        TestServer.Reply cancelled = server.post("/api/v1/devices/puller/updates/" + session.getLong("id")
                + "/cancel", null);
        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertRefused(pathOf(url), "download-token-expired");

        JsonObject stored = server.get("/api/v1/devices/puller/updates/" + session.getLong("id")).json();
        assertThat(UpdateFixture.detailOf(stored, "downloading")).contains("/fw/" + sha256 + "?token=(")
                .doesNotContain(token);
        assertThat(server.get("/api/v1/devices/puller/events").body()).contains("/fw/" + sha256)
                .doesNotContain(token);
        assertThat(log.list).as("the server's log").noneMatch(e -> e.getFormattedMessage().contains(token));
    }

    @Test
    void a_pull_http_update_completes_and_its_url_then_expires() throws Exception {
        SimDevice device = fixture.device("quick", Faults.none().slowLink(16 * 1024));
        var downloading = device.next(Type.DOWNLOAD_STARTED);
        JsonObject session = fixture.start("quick", fixture.firmwareV2, "pull-http");
        downloading.get(20, TimeUnit.SECONDS);
        URI url = URI.create(packageUri("quick"));

        fixture.outcome(session, "succeeded", null);

        assertThat(device.runningVersion()).hasToString("1.1.0+0");
        assertRefused(pathOf(url), "download-token-expired");
    }

    @Test
    void a_download_url_survives_a_restart_while_its_session_is_active() throws Exception {
        SimDevice device = fixture.device("patient", Faults.none().slowLink(4 * 1024));
        var downloading = device.next(Type.DOWNLOAD_STARTED);
        JsonObject session = fixture.start("patient", fixture.firmwareV2, "pull-http");
        downloading.get(20, TimeUnit.SECONDS);
        URI url = URI.create(packageUri("patient"));

        server.restart();

        HttpResponse<byte[]> afterRestart = server.download(pathOf(url));
        assertThat(afterRestart.statusCode()).isEqualTo(200);
        assertThat(afterRestart.body()).isEqualTo(fixture.v2);
        fixture.outcome(session, "succeeded", null);
        assertThat(device.runningVersion()).hasToString("1.1.0+0");
        assertRefused(pathOf(url), "download-token-expired");
    }

    @Test
    void a_download_url_is_refused_once_its_session_passed_its_deadline() throws Exception {
        SimDevice device = fixture.device("late", Faults.none().slowLink(2 * 1024));
        var downloading = device.next(Type.DOWNLOAD_STARTED);
        JsonObject session = fixture.start("late", new JsonObject().put("firmwareId", fixture.firmwareV2)
                .put("delivery", "pull-http").put("deadlineSeconds", 3));
        // The URI as the device received it: reading 5/0/1 back would queue behind the download on this
        // throttled link and could outlast the API's device timeout.
        URI url = URI.create(downloading.get(20, TimeUnit.SECONDS).detail());

        fixture.outcome(session, "failed", "deadline-expired");

        assertRefused(pathOf(url), "download-token-expired");
    }

    @Test
    void without_public_http_the_manifest_is_refused_and_says_which_setting_opens_it() {
        TestServer.Reply manifest = server.get("/ota/manifest.json");

        assertThat(manifest.status()).isEqualTo(403);
        assertThat(manifest.isProblem()).isTrue();
        assertThat(manifest.json().getString("detail")).contains("distribution.public-http=true");
        assertThat(server.send("HEAD", "/fw/" + sha256, null).status()).isEqualTo(403);
        assertThat(server.get("/ota/manifest.json?current=latest").status()).as("bad input is still told first")
                .isEqualTo(400);
    }

    @Test
    void with_public_http_anyone_may_download_a_published_image_and_read_the_manifest() {
        fixture.close();
        fixture = new UpdateFixture(TestServer.givenServer().with(Setting.DISTRIBUTION_PUBLIC_HTTP, "true"));
        server = fixture.server;
        sha256 = BlobStore.sha256Hex(fixture.v2);

        HttpResponse<byte[]> download = server.download("/fw/" + sha256);

        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(fixture.v2);
        assertThat(server.get("/ota/manifest.json").body()).contains(server.baseUrl() + "/fw/" + sha256);
    }

    private void assertRefused(String path, String type) {
        HttpResponse<byte[]> refused = server.download(path);
        JsonObject problem = new JsonObject(new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(refused.statusCode()).as(path + ": " + problem).isEqualTo(403);
        assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(problem.getString("type")).endsWith(type);
        if (path.contains("token=")) {
            assertThat(problem.encode()).as("the problem document").doesNotContain(path.substring(path.indexOf("token=")
                    + "token=".length()));
        }
    }

    /** The package URI the server wrote to the device, read back through the API as an operator would. */
    private String packageUri(String endpoint) {
        TestServer.Reply read = server.get("/api/v1/devices/" + endpoint + "/resources/5/0/1");
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        return read.json().getString("value");
    }

    private static String pathOf(URI url) {
        return url.getRawPath() + "?" + url.getRawQuery();
    }

    private static Logger rootLogger() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
