package dev.ferry.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.server.config.Setting;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.SettableClock;
import dev.ferry.server.testing.TestServer;
import dev.ferry.server.update.FailureReason;
import dev.ferry.sim.device.Faults;
import dev.ferry.sim.device.SimDevice;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A real server whose rollout scheduler reads a {@link SettableClock}, with a trusted key, published images of
 * {@link #MODEL} (1.0.0 that devices run, 1.1.0 the target) and small fleets of simulated devices: what the
 * engine tests start from. They drive {@link RolloutService} directly. Closes everything it started.
 */
final class EngineFixture implements AutoCloseable {
    static final String MODEL = "valve-3";
    static final int IMAGE_BODY = 8 * 1024;

    final ImageSigningKey key = Images.newKey();
    final byte[] v1 = Images.signed("1.0.0", IMAGE_BODY, key);
    final byte[] v2 = Images.signed("1.1.0", IMAGE_BODY, key);
    final SettableClock clock = new SettableClock(Instant.parse("2026-03-02T10:00:00Z")); // a Monday
    final TestServer server;
    final long firmwareV1;
    final long firmwareV2;
    private final List<SimDevice> devices = new ArrayList<>();

    EngineFixture() {
        this(s -> s);
    }

    /** With settings of the test's own on top of the fixture's. */
    EngineFixture(UnaryOperator<TestServer.Builder> settings) {
        server = settings.apply(TestServer.givenServer().with(Setting.UPDATE_RETRY_BACKOFF_SECONDS, "0").clock(clock))
                .start();
        TestServer.Reply trusted = server.post("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(key)).encode());
        assertThat(trusted.status()).as(trusted.body()).isEqualTo(201);
        firmwareV1 = publish(v1);
        firmwareV2 = publish(v2);
    }

    RolloutService rollouts() {
        return server.server().rollouts();
    }

    long publish(byte[] image) {
        TestServer.Reply uploaded = server.uploadFirmware(MODEL, image);
        assertThat(uploaded.status()).as(uploaded.body()).isEqualTo(201);
        long id = uploaded.json().getLong("id");
        assertThat(server.post("/api/v1/firmware/" + id + "/publish", null).status()).isEqualTo(200);
        return id;
    }

    /** Provisions and starts a device running {@code image}, tagged, and waits until the registry knows it. */
    SimDevice device(String endpoint, byte[] image, Faults faults, UnaryOperator<SimDevice.Builder> tuning,
            String... tags) throws Exception {
        TestServer.Reply provisioned = server.post("/api/v1/devices", new JsonObject().put("endpoint", endpoint)
                .put("security", new JsonObject().put("mode", "none")).put("tags", new JsonArray(List.of(tags)))
                .encode());
        assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
        SimDevice started = tuning.apply(SimDevice.builder(endpoint).primaryImage(image).model(MODEL)
                .trustedKeys(TrustedKeys.of(key.publicKey())).faults(faults).lifetime(Duration.ofSeconds(5))
                .rebootDelay(Duration.ofMillis(100)).server(server.coapUri()).noSec()).start();
        devices.add(started);
        started.awaitRegistered().get(20, TimeUnit.SECONDS);
        String version = image == v2 ? "1.1.0+0" : null;
        TestServer.eventually("the registry shows the model and version of " + endpoint, () -> {
            JsonObject shown = server.get("/api/v1/devices/" + endpoint).json();
            return MODEL.equals(shown.getString("model")) && shown.getString("firmwareVersion") != null
                    && (version == null || version.equals(shown.getString("firmwareVersion")));
        });
        return started;
    }

    /** {@code count} healthy devices on 1.0.0 named {@code prefix-0}..., tagged. */
    List<SimDevice> devices(String prefix, int count, String... tags) throws Exception {
        List<SimDevice> made = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            made.add(device(prefix + "-" + i, v1, Faults.none(), b -> b, tags));
        }
        return made;
    }

    /** A plan for 1.1.0 to the devices tagged {@code tag}: the default gate without soak, no retries' backoff. */
    RolloutSpec plan(String tag, RolloutSpec.Strategy strategy) {
        return new RolloutSpec("to 1.1.0", firmwareV2, RolloutSpec.Target.filter(new DeviceFilter(List.of(tag),
                null, null, null, null, null, null)), Optional.empty(), strategy, gate(RolloutSpec.Gate.DEFAULT,
                        g -> g), new RolloutSpec.RetryPolicy(Set.of(FailureReason.CONNECTION_LOST), 1, Duration.ZERO,
                                1), null, null, RolloutSpec.DEFAULT_MAX_CONCURRENT, false, false);
    }

    static RolloutSpec.Gate gate(RolloutSpec.Gate base, UnaryOperator<RolloutSpec.Gate> change) {
        return change.apply(new RolloutSpec.Gate(base.successPercent(), base.onSuccess(), base.errorPercent(),
                base.minFinished(), base.onError(), base.deviceTimeout(), Duration.ZERO, base.crashLoopRegistrations()));
    }

    /** Waits until the rollout is as {@code shape} says, reading it as the API would, until 60 s passed. */
    Rollout await(long id, String what, Predicate<Rollout> shape) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            Rollout now = rollouts().find(id).orElseThrow();
            if (shape.test(now)) {
                return now;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("rollout " + id + " never " + what + "; it is " + now.status().wireName()
                        + " (" + now.statusDetail() + ") with " + now.counts() + "; history: "
                        + rollouts().history(id, 0, 1000));
            }
            try {
                Thread.sleep(25); // the rollout's state is read from the database; there is no event per count
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for rollout " + id);
            }
        }
    }

    Rollout awaitStatus(long id, RolloutStatus status) {
        return await(id, "became " + status.wireName(), r -> r.status() == status);
    }

    @Override
    public void close() {
        devices.forEach(SimDevice::close);
        server.close();
    }
}
