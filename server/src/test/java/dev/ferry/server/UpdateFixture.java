package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceEvent;
import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.TestServer;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonObject;

/**
 * A real server with a trusted signing key and a published 1.1.0 for {@link #MODEL}, and simulated devices of
 * that model running 1.0.0: what the update tests start from. Closes everything it started.
 */
final class UpdateFixture implements AutoCloseable {
    static final String MODEL = "thermo-2";
    static final int IMAGE_BODY = 48 * 1024;
    static final byte[] PSK = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");

    final ImageSigningKey key = Images.newKey();
    final byte[] v1 = Images.signed("1.0.0", IMAGE_BODY, key);
    final byte[] v2 = Images.signed("1.1.0", IMAGE_BODY, key);
    final TestServer server;
    final long firmwareV2;
    private final List<SimDevice> devices = new ArrayList<>();

    UpdateFixture() {
        this(TestServer.givenServer());
    }

    /** With the server's own settings (retry backoff 0 unless given). */
    UpdateFixture(TestServer.Builder settings) {
        server = settings.with(Setting.UPDATE_RETRY_BACKOFF_SECONDS, "0").start();
        server.post("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(key)).encode());
        firmwareV2 = publish(MODEL, v2);
    }

    /** Uploads and publishes an image; returns its firmware id. */
    long publish(String model, byte[] image) {
        TestServer.Reply uploaded = server.uploadFirmware(model, image);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        long id = uploaded.json().getLong("id");
        assertThat(server.post("/api/v1/firmware/" + id + "/publish", null).status()).isEqualTo(200);
        return id;
    }

    /**
     * Provisions and starts a device of {@code model} running 1.0.0, and waits until the registry shows its model
     * and version (what the install checks compare with).
     */
    SimDevice device(String endpoint, String model, boolean secure, Faults faults) throws Exception {
        JsonObject security = secure ? new JsonObject().put("mode", "psk").put("identity", endpoint)
                .put("key", HexFormat.of().formatHex(PSK)) : new JsonObject().put("mode", "none");
        TestServer.Reply provisioned = server.post("/api/v1/devices",
                new JsonObject().put("endpoint", endpoint).put("security", security).encode());
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        SimDevice.Builder builder = SimDevice.builder(endpoint).primaryImage(v1).model(model)
                .trustedKeys(TrustedKeys.of(key.publicKey())).faults(faults).lifetime(Duration.ofSeconds(5))
                .rebootDelay(Duration.ofMillis(100));
        builder = secure ? builder.server(server.coapsUri()).psk(endpoint, PSK) : builder.server(server.coapUri()).noSec();
        SimDevice started = builder.start();
        devices.add(started);
        try {
            started.awaitRegistered().get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError(endpoint + " did not register; its events: " + started.events(), e);
        }
        TestServer.eventually("the registry shows the model and version of " + endpoint, () -> {
            JsonObject shown = server.get("/api/v1/devices/" + endpoint).json();
            return model.equals(shown.getString("model")) && "1.0.0+0".equals(shown.getString("firmwareVersion"));
        });
        return started;
    }

    SimDevice device(String endpoint, Faults faults) throws Exception {
        return device(endpoint, MODEL, false, faults);
    }

    TestServer.Reply request(String endpoint, JsonObject body) {
        return server.post("/api/v1/devices/" + endpoint + "/updates", body.encode());
    }

    JsonObject start(String endpoint, JsonObject body) {
        TestServer.Reply reply = request(endpoint, body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        return reply.json();
    }

    JsonObject start(String endpoint, long firmwareId, String delivery) {
        return start(endpoint, new JsonObject().put("firmwareId", firmwareId).put("delivery", delivery));
    }

    /** Waits for the session's final event and returns the stored session, with its history. */
    JsonObject outcome(JsonObject session, String state, String reason) {
        String prefix = "update " + session.getLong("id") + " ";
        DeviceEvent outcome = server.waitForEvent(e -> e.type() == DeviceEventType.UPDATE && e.detail() != null
                && (e.detail().startsWith(prefix + "succeeded") || e.detail().startsWith(prefix + "failed")
                        || e.detail().startsWith(prefix + "cancelled")), "outcome of " + prefix);
        assertThat(outcome.detail()).startsWith(prefix + state);
        JsonObject stored = server.get("/api/v1/devices/" + session.getString("endpoint") + "/updates/"
                + session.getLong("id")).json();
        assertThat(stored.getString("state")).as(stored.encodePrettily()).isEqualTo(state);
        assertThat(stored.getString("failureReason")).as(stored.encodePrettily()).isEqualTo(reason);
        return stored;
    }

    /** The states a stored session went through, in order. */
    static List<String> states(JsonObject stored) {
        return stored.getJsonArray("history").stream().map(s -> ((JsonObject) s).getString("state")).toList();
    }

    /** The detail of the session's first step in {@code state}. */
    static String detailOf(JsonObject stored, String state) {
        return stored.getJsonArray("history").stream().map(s -> (JsonObject) s)
                .filter(s -> s.getString("state").equals(state)).map(s -> s.getString("detail")).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + state + " in " + stored.encodePrettily()));
    }

    @Override
    public void close() {
        devices.forEach(SimDevice::close);
        server.close();
    }
}
