package dev.ferry.sim.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ferry.sim.BenchKeys;
import dev.ferry.sim.testing.TestLwm2mServer;
import picocli.CommandLine;

@Timeout(value = 100, unit = TimeUnit.SECONDS)
class LoadCommandTest {
    private static final long WAIT_SECONDS = 30;
    private static TestLwm2mServer server;
    private final ExecutorService runner = Executors.newSingleThreadExecutor();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        server = new TestLwm2mServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void stopRunner() throws InterruptedException {
        runner.shutdownNow();
        assertThat(runner.awaitTermination(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
    }

    private Future<Integer> load(String... args) {
        return runner.submit(() -> new CommandLine(new LoadCommand()).execute(args));
    }

    private static List<String> names(String prefix, int count) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add(BenchKeys.endpoint(prefix, i));
        }
        return names;
    }

    private static void await(List<CompletableFuture<?>> futures) throws Exception {
        CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    private static Object value(ReadResponse response, int resource) {
        assertThat(response.getCode()).isEqualTo(ResponseCode.CONTENT);
        if (response.getContent() instanceof LwM2mObjectInstance instance) {
            return instance.getResource(resource).getValue();
        }
        return ((LwM2mSingleResource) response.getContent()).getValue();
    }

    @Test
    void coap_endpoints_register_answer_reads_update_storm_and_deregister() throws Exception {
        List<String> names = names("coap-load", 20);
        List<CompletableFuture<?>> stormed = new ArrayList<>();
        List<CompletableFuture<?>> updated = new ArrayList<>();
        for (String name : names) {
            stormed.add(server.registrationNumber(name, 2));
            updated.add(server.nextUpdate(name));
        }
        Path json = dir.resolve("coap.json");
        Future<Integer> run = load("--server", server.coapUri(), "--devices", "20", "--prefix", "coap-load",
                "--warmup", "5", "--storm", "--storm-window-ms", "500", "--lifetime", "3", "--hold-seconds", "6",
                "--json", json.toString(), "--max-seconds", "80");

        await(stormed);
        String endpoint = names.get(7);
        assertThat(value(server.send(endpoint, new ReadRequest(ContentFormat.TLV, 3, 0)), 0))
                .isEqualTo("Ferry Simulator");
        assertThat(value(server.send(endpoint, new ReadRequest(ContentFormat.SENML_CBOR, 3, 0, 3)), 3))
                .isEqualTo("1.0.0");
        assertThat(value(server.send(endpoint, new ReadRequest(ContentFormat.SENML_JSON, 1, 0)), 1)).isEqualTo(3L);
        assertThat(value(server.send(endpoint, new ReadRequest(5, 0)), 3)).isEqualTo(0L);
        assertThat(server.send(endpoint, new ReadRequest(ContentFormat.OPAQUE, 3, 0, 0)).getCode())
                .isEqualTo(ResponseCode.NOT_ACCEPTABLE);
        assertThat(server.send(endpoint, new ReadRequest(4, 0)).getCode()).isEqualTo(ResponseCode.NOT_FOUND);
        await(updated);

        assertThat(run.get(WAIT_SECONDS * 2, TimeUnit.SECONDS)).isZero();
        assertThat(server.registrationsHeld()).isZero();
        JsonNode figures = new ObjectMapper().readTree(Files.readString(json));
        assertThat(figures.at("/warmup/registered").asInt()).isEqualTo(5);
        assertThat(figures.at("/registration/registered").asInt()).isEqualTo(20);
        assertThat(figures.at("/registration/p99Ms").asDouble()).isPositive();
        assertThat(figures.at("/storm/registered").asInt()).isEqualTo(20);
        assertThat(figures.at("/storm/gaveUp").asInt()).isZero();
        assertThat(figures.at("/storm/retransmissions").isNumber()).isTrue();
        assertThat(figures.at("/storm/firstRegisterToLastRegisteredSeconds").asDouble()).isBetween(0.0, 10.0);
        assertThat(figures.at("/endpoints/reads").asInt()).isGreaterThanOrEqualTo(4);
        assertThat(figures.at("/endpoints/readsRefused").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(figures.at("/endpoints/updates").asInt()).isGreaterThanOrEqualTo(20);
        assertThat(figures.at("/endpoints/deregistrations").asInt()).isEqualTo(25);
        assertThat(figures.at("/deregistered").asInt()).isEqualTo(20);
        assertThat(figures.at("/complete").asBoolean()).isTrue();
    }

    @Test
    void dtls_endpoints_handshake_with_their_psk_through_one_connector_and_survive_a_storm() throws Exception {
        List<String> names = names("dtls-load", 5);
        List<CompletableFuture<?>> stormed = new ArrayList<>();
        List<CompletableFuture<?>> updated = new ArrayList<>();
        for (String name : names) {
            server.addPsk(name, name, BenchKeys.psk(name));
            stormed.add(server.registrationNumber(name, 2));
        }
        Path json = dir.resolve("dtls.json");
        Future<Integer> run = load("--server", server.coapsUri(), "--devices", "5", "--prefix", "dtls-load",
                "--storm", "--lifetime", "3", "--hold-seconds", "6", "--json", json.toString(), "--max-seconds", "80");

        await(stormed);
        for (String name : names) {
            updated.add(server.nextUpdate(name));
        }
        for (String name : names) {
            assertThat(value(server.send(name, new ReadRequest(ContentFormat.TLV, 3, 0, 1)), 1)).isEqualTo("sim-1");
        }
        await(updated);

        assertThat(run.get(WAIT_SECONDS * 2, TimeUnit.SECONDS)).isZero();
        assertThat(server.registrationsHeld()).isZero();
        JsonNode figures = new ObjectMapper().readTree(Files.readString(json));
        assertThat(figures.at("/registration/registered").asInt()).isEqualTo(5);
        assertThat(figures.at("/storm/registered").asInt()).isEqualTo(5);
        assertThat(figures.at("/storm/gaveUp").asInt()).isZero();
        // a full handshake per endpoint in each round: the storm's endpoints had forgotten their sessions
        assertThat(figures.at("/dtls/handshakes").asInt()).isEqualTo(10);
        assertThat(figures.at("/dtls/cipherSuites/TLS_PSK_WITH_AES_128_CCM_8").asInt()).isEqualTo(10);
        assertThat(figures.at("/endpoints/reads").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(figures.at("/deregistered").asInt()).isEqualTo(5);
    }

    @Test
    void observed_endpoints_notify_the_time_they_send_at_until_the_round_ends() throws Exception {
        List<String> names = names("notify-load", 4);
        List<CompletableFuture<?>> registered = new ArrayList<>();
        for (String name : names) {
            registered.add(server.nextRegistration(name));
        }
        Path json = dir.resolve("notify.json");
        long started = System.currentTimeMillis();
        Future<Integer> run = load("--server", server.coapUri(), "--devices", "4", "--prefix", "notify-load",
                "--notify-path", "/3/0/10", "--notify-ms", "200", "--notify-seconds", "3",
                "--observe-wait-seconds", "20", "--json", json.toString(), "--max-seconds", "80");

        await(registered);
        for (int i = 0; i < names.size(); i++) {
            // plain text and TLV: the two ways a server asks
            ContentFormat format = i % 2 == 0 ? ContentFormat.TEXT : ContentFormat.TLV;
            ObserveResponse observed = server.send(names.get(i), new ObserveRequest(format, 3, 0, 10));
            assertThat(observed.getCode()).isEqualTo(ResponseCode.CONTENT);
        }
        assertThat(run.get(WAIT_SECONDS * 2, TimeUnit.SECONDS)).isZero();
        long ended = System.currentTimeMillis();

        for (String name : names) {
            List<TestLwm2mServer.Notification> notified = server.notifications(name, "/3/0/10");
            // 3 s at one every 200 ms: about 15, whatever the phase
            assertThat(notified).hasSizeBetween(10, 17);
            assertThat(notified).allSatisfy(n -> assertThat(n.value()).isBetween(started, ended));
        }
        JsonNode figures = new ObjectMapper().readTree(Files.readString(json));
        assertThat(figures.at("/observedEndpoints").asInt()).isEqualTo(4);
        assertThat(figures.at("/notifications").asLong())
                .isEqualTo(names.stream().mapToLong(n -> server.notifications(n, "/3/0/10").size()).sum());
        assertThat(figures.at("/endpoints/notificationsNotEncoded").asInt()).isZero();
        assertThat(figures.at("/complete").asBoolean()).isTrue();
    }
}
