package dev.ferry.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;

/**
 * {@code ferry-sim bench} against a plain Leshan server in this JVM, with two devices and two warm-up devices:
 * {@code t-*} over DTLS with the PSKs the server knows, {@code c-*} over CoAP (devices with a PSK may not).
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    private LeshanServer server;

    @BeforeEach
    void start_a_plain_leshan_server() throws Exception {
        server = BaselineServerCommand.create(0, 0, "t", 2, 2);
        server.start();
    }

    @AfterEach
    void stop_it() {
        server.destroy();
    }

    @Test
    void dtls_devices_report_the_cipher_suite_each_handshake_negotiated() throws Exception {
        // The server accepts three suites; the devices offer one the fixed label of old never named.
        Run run = bench(uri(Protocol.COAPS), "--prefix", "t",
                "--cipher-suites", "TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("2/2 registered over DTLS-PSK (TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256 x2)");
        assertThat(run.figures().path("negotiatedCipherSuites").path("TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256")
                .asInt()).isEqualTo(2);
        assertThat(run.figures().path("negotiatedCipherSuites").size()).isEqualTo(1);
    }

    @Test
    void warm_up_devices_register_and_deregister_before_the_measured_ones_and_are_not_counted() throws Exception {
        Run run = bench(uri(Protocol.COAP), "--prefix", "c");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).contains("warm-up: 2/2 c-warm-<i> registered").contains("2/2 registered over CoAP");
        assertThat(run.figures().path("warmup").path("registered").asInt()).isEqualTo(2);
        assertThat(run.figures().path("registered").asInt()).isEqualTo(2);
        assertThat(run.figures().path("latencyMs").path("p99").asDouble()).isPositive();
        // The measured devices stop without deregistering; the warm-up ones deregistered.
        assertThat(registeredEndpoints()).containsExactlyInAnyOrder("c-0", "c-1");
    }

    @Test
    void server_cpu_is_reported_for_the_phase_and_including_the_seconds_after_it() throws Exception {
        Run run = bench(uri(Protocol.COAP), "--prefix", "c",
                "--server-pid", Long.toString(ProcessHandle.current().pid()), "--after-seconds", "1");

        assertThat(run.exitCode()).as(run.output()).isZero();
        assertThat(run.output()).containsPattern("server CPU per registration during phase [0-9.]+ ms,"
                + " including 1 s after [0-9.]+ ms").contains("KiB per device");
        JsonNode cpu = run.figures().path("serverCpu");
        assertThat(cpu.path("withAfterMs").asLong()).isGreaterThanOrEqualTo(cpu.path("phaseMs").asLong());
        assertThat(cpu.path("afterSeconds").asInt()).isEqualTo(1);
        assertThat(run.figures().path("serverHeap").path("afterKiB").asLong()).isPositive();
    }

    @Test
    void registrations_in_flight_reach_the_concurrency_asked_for() throws Exception {
        // A server that answers nobody until six devices wait for it at once, then refuses them all.
        try (DatagramSocket server = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            server.setSoTimeout(200);
            CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return bench("coap://127.0.0.1:" + server.getLocalPort(), "--prefix", "s", "--devices", "6",
                            "--warmup", "0", "--concurrency", "6", "--registration-timeout", "60");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Map<SocketAddress, byte[]> waiting = new HashMap<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (waiting.size() < 6 && System.nanoTime() < deadline) {
                DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                try {
                    server.receive(packet);
                    waiting.put(packet.getSocketAddress(), Arrays.copyOf(packet.getData(), packet.getLength()));
                } catch (SocketTimeoutException e) {
                    // look at the deadline again
                }
            }
            int inFlightAtOnce = waiting.size();
            for (Map.Entry<SocketAddress, byte[]> request : waiting.entrySet()) {
                refuse(server, request.getKey(), request.getValue());
            }
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!run.isDone() && System.nanoTime() < giveUp) { // refuse the rest too, so the bench ends
                DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                try {
                    server.receive(packet);
                    refuse(server, packet.getSocketAddress(), Arrays.copyOf(packet.getData(), packet.getLength()));
                } catch (SocketTimeoutException e) {
                    // look at the bench again
                }
            }

            assertThat(inFlightAtOnce).isEqualTo(6);
            Run finished = run.get(60, TimeUnit.SECONDS);
            assertThat(finished.output()).contains("0/6 registered").contains("6x registration of <endpoint> refused");
        }
    }

    /** Answers a confirmable CoAP request with a piggybacked 4.03 Forbidden: ACK, same message id and token. */
    private static void refuse(DatagramSocket server, SocketAddress device, byte[] request) throws Exception {
        int tokenLength = request[0] & 0x0F;
        byte[] response = new byte[4 + tokenLength];
        response[0] = (byte) (0x60 | tokenLength);
        response[1] = (byte) ((4 << 5) | 3);
        System.arraycopy(request, 2, response, 2, 2 + tokenLength);
        server.send(new DatagramPacket(response, response.length, device));
    }

    private record Run(int exitCode, String output, JsonNode figures) {
    }

    private Run bench(String serverUri, String... more) throws Exception {
        Path json = dir.resolve("figures.json");
        List<String> args = new ArrayList<>(List.of("bench", "--server", serverUri, "--json", json.toString()));
        args.addAll(List.of(more));
        for (String option : List.of("--devices", "--warmup", "--concurrency")) {
            if (!args.contains(option)) {
                args.addAll(List.of(option, "2"));
            }
        }
        if (!args.contains("--after-seconds")) {
            args.addAll(List.of("--after-seconds", "0"));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        int exitCode;
        PrintStream both = new PrintStream(out, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            exitCode = new CommandLine(new SimMain()).execute(args.toArray(String[]::new));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        String output = out.toString(StandardCharsets.UTF_8);
        JsonNode figures = json.toFile().exists() ? new ObjectMapper().readTree(json.toFile())
                : new ObjectMapper().createObjectNode();
        return new Run(exitCode, output, figures);
    }

    private String uri(Protocol protocol) {
        return server.getEndpoint(protocol).getURI().toString();
    }

    private List<String> registeredEndpoints() {
        List<String> endpoints = new ArrayList<>();
        Iterator<Registration> all = server.getRegistrationService().getAllRegistrations();
        all.forEachRemaining(r -> endpoints.add(r.getEndpoint()));
        return endpoints;
    }
}
