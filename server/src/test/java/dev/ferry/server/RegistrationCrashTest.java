package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.ferry.server.testing.ApiClient;
import dev.ferry.server.testing.RegistrationOutcomes;
import dev.ferry.server.testing.RegistrationOutcomes.Outcome;
import dev.ferry.server.testing.ServerProcess;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;

/**
 * The registry writer's queue across a crash: the server process is killed (SIGKILL) in the middle of a burst
 * of registrations and started again on the same data directory and ports. Every device that saw its
 * registration acknowledged is either online with its update accepted, or offline and told to register again.
 */
class RegistrationCrashTest {
    private static final int SETTLED = 30;
    private static final int BURST = 90;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final StaticModel MODEL = new StaticModel(ObjectLoader.loadDefault());

    @TempDir
    Path dir;

    private final ScheduledExecutorService clientThreads = Executors.newScheduledThreadPool(32);
    private final Map<String, LeshanClient> clients = new LinkedHashMap<>();
    private final Map<String, RegistrationOutcomes> seen = new LinkedHashMap<>();
    private final ServerProcess.Ports ports = ServerProcess.Ports.free();
    private final ApiClient api = new ApiClient("http://127.0.0.1:" + ports.http(),
            () -> TestServer.adminTokenIn(dir.resolve("data")));
    private ServerProcess server;

    @AfterEach
    void stopEverything() {
        clients.values().forEach(client -> client.destroy(false));
        clientThreads.shutdownNow();
        api.close();
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Timeout(240)
    void after_a_kill_mid_burst_every_acknowledged_registration_is_online_and_kept_or_offline_and_redone()
            throws Exception {
        // The log goes where the build keeps test reports, so it is there to read when the test fails.
        Path log = Path.of("target", "surefire-reports", getClass().getName() + "-server.log");
        java.nio.file.Files.deleteIfExists(log);
        ServerProcess.Launch launch = ServerProcess.on(dir.resolve("data")).ports(ports).log(log)
                .within(Duration.ofSeconds(60));
        server = launch.start();
        for (int i = 0; i < SETTLED + BURST; i++) {
            String endpoint = (i < SETTLED ? "settled-" : "burst-") + i;
            TestServer.Reply provisioned = api.postJson("/api/v1/devices",
                    "{\"endpoint\":\"" + endpoint + "\",\"security\":{\"mode\":\"none\"}}");
            assertThat(provisioned.status()).as(provisioned.body()).isEqualTo(201);
            clients.put(endpoint, client(endpoint));
        }
        List<String> settled = clients.keySet().stream().filter(e -> e.startsWith("settled-")).toList();
        List<String> burst = clients.keySet().stream().filter(e -> e.startsWith("burst-")).toList();

        settled.forEach(endpoint -> clients.get(endpoint).start());
        settled.forEach(endpoint -> seen.get(endpoint).await(Outcome.REGISTERED, 1, DEADLINE));
        TestServer.eventually("the registry shows the settled devices online",
                () -> settled.stream().allMatch(this::isOnline));

        burst.forEach(endpoint -> clients.get(endpoint).start());
        TestServer.eventually("a third of the burst acknowledged", () -> acknowledged(burst).size() >= BURST / 3);
        server.kill();
        List<String> acknowledged = new ArrayList<>(settled);
        acknowledged.addAll(acknowledged(burst));
        System.out.printf("killed with %d of %d burst registrations acknowledged%n",
                acknowledged.size() - SETTLED, BURST);

        long restarting = System.nanoTime();
        server = launch.start();
        System.out.printf("restarted in %d ms%n", (System.nanoTime() - restarting) / 1_000_000);

        Map<String, Boolean> shownOnline = new LinkedHashMap<>();
        acknowledged.forEach(endpoint -> shownOnline.put(endpoint, isOnline(endpoint)));
        Map<String, Integer> before = new LinkedHashMap<>();
        for (String endpoint : acknowledged) {
            before.put(endpoint, seen.get(endpoint).soFar().size());
            clients.get(endpoint).triggerRegistrationUpdate();
        }
        int kept = 0;
        for (String endpoint : acknowledged) {
            RegistrationOutcomes outcomes = seen.get(endpoint);
            List<Outcome> afterRestart = awaitVerdict(outcomes, before.get(endpoint));
            if (shownOnline.get(endpoint)) {
                assertThat(afterRestart).as(endpoint + " was shown online, so its registration must be known")
                        .startsWith(Outcome.UPDATED);
                kept++;
            } else {
                assertThat(afterRestart).as(endpoint + " was shown offline, so it must be told to register again")
                        .startsWith(Outcome.UPDATE_NOT_FOUND, Outcome.REGISTERED);
                TestServer.eventually(endpoint + " online after registering again", () -> isOnline(endpoint));
            }
        }
        System.out.printf("after the restart: %d registration(s) kept, %d redone, verdicts in %d ms%n", kept,
                acknowledged.size() - kept, (System.nanoTime() - restarting) / 1_000_000);
        assertThat(settled).as("registrations the registry had written before the crash")
                .allMatch(shownOnline::get);
    }

    /** What the device saw after position {@code from}: the update's answer, and the registration after a 4.04. */
    private static List<Outcome> awaitVerdict(RegistrationOutcomes outcomes, int from) {
        return outcomes.awaitSince(from, after -> after.contains(Outcome.UPDATED)
                || after.contains(Outcome.UPDATE_FAILED)
                || (after.contains(Outcome.UPDATE_NOT_FOUND) && after.contains(Outcome.REGISTERED)),
                "answer to the update after the restart", DEADLINE);
    }

    private boolean isOnline(String endpoint) {
        try {
            TestServer.Reply reply = api.get("/api/v1/devices/" + endpoint);
            if (reply.status() != 200) {
                throw new AssertionError("GET /api/v1/devices/" + endpoint + ": " + reply.status() + " "
                        + reply.body());
            }
            return reply.json().getBoolean("online");
        } catch (IOException e) {
            throw new IllegalStateException("HTTP request failed: " + e.getMessage(), e);
        }
    }

    private List<String> acknowledged(List<String> endpoints) {
        return endpoints.stream().filter(e -> seen.get(e).count(Outcome.REGISTERED) > 0).toList();
    }

    /** A Leshan client on its own loopback port, sharing threads with the others. */
    private LeshanClient client(String endpoint) {
        ObjectsInitializer initializer = new ObjectsInitializer(MODEL);
        initializer.setInstancesForObject(LwM2mId.SECURITY, Security.noSec("coap://127.0.0.1:" + ports.coap(), 1));
        initializer.setInstancesForObject(LwM2mId.SERVER, new Server(1, 300));
        initializer.setInstancesForObject(LwM2mId.DEVICE, new TestDevice.DeviceObject());
        CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                new CoapClientProtocolProvider());
        Configuration configuration = endpoints.createDefaultConfiguration();
        configuration.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        configuration.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        endpoints.setConfiguration(configuration);
        endpoints.setClientAddress(InetAddress.getLoopbackAddress());
        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setObjects(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));
        builder.setEndpointsProviders(endpoints.build());
        builder.setSharedExecutor(clientThreads);
        LeshanClient client = builder.build();
        RegistrationOutcomes outcomes = new RegistrationOutcomes();
        client.addObserver(outcomes);
        seen.put(endpoint, outcomes);
        return client;
    }
}
