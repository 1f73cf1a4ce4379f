package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ferry.image.keys.ImageSigningKey;
import dev.ferry.server.firmware.BlobStore;
import dev.ferry.server.testing.ApiClient;
import dev.ferry.server.testing.Images;
import dev.ferry.server.testing.RequestBurst;
import dev.ferry.server.testing.ServerProcess;
import dev.ferry.server.testing.TestDevice;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Kills the server process with SIGKILL while provisioning requests, firmware uploads and update-session creations
 * are in flight, restarts it on the same data directory and checks that every change the API acknowledged is there
 * and that nothing half-made is: no firmware record without its blob, no stray blob, temporary file or empty
 * directory, no session without its device and firmware.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class CrashRecoveryTest {
    static final String MODEL = "crash-2";
    static final int POOL_SIZE = 60;

    final ImageSigningKey signer = Images.newKey();
    final Map<String, String> devices = new HashMap<>();
    final List<String> burstDevices = new ArrayList<>();
    final Map<Long, byte[]> firmware = new HashMap<>();
    final Map<Long, RequestBurst.Session> sessions = new HashMap<>();
    final List<String> sessionDevices = new ArrayList<>();
    Path dataDir;
    String durability;
    ServerProcess server;
    ApiClient api;

    @AfterEach
    void killServerAndRemoveData() throws IOException {
        if (api != null) {
            api.close();
        }
        if (server != null) {
            server.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @ParameterizedTest(name = "database.durability={0}, {1} kill(s)")
    @CsvSource({ "process-crash, 2", "power-loss, 1" })
    void every_acknowledged_change_survives_kill_9_in_the_middle_of_bursts_and_nothing_half_made_remains(
            String durability, int kills) throws Exception {
        dataDir = Files.createTempDirectory("ferry-crash-");
        this.durability = durability;
        startServer();
        assertDatabaseFileOpenedForSynchronousWrites(durability.equals("power-loss"));
        assertThat(api.postJson("/api/v1/signing-keys", new JsonObject().put("name", "release")
                .put("publicKey", Images.publicPem(signer)).encode()).status()).isEqualTo(201);
        long published = uploadAndPublish(Images.signed("0.1.0", 4000, signer));

        for (int round = 1; round <= kills; round++) {
            List<String> pool = provisionPool(round);
            RequestBurst burst = RequestBurst.start(api, round, MODEL, signer, pool, published);
            int exitStatus;
            try {
                burst.awaitAcknowledged(40, 4, 20);
                exitStatus = server.kill();
            } finally {
                burst.stop();
            }

            assertThat(exitStatus).as("the server was killed by SIGKILL, not stopped").isEqualTo(
                    ServerProcess.KILLED_BY_SIGKILL);
            assertThat(burst.unexpectedAnswers()).as("answers other than success while the server ran").isEmpty();
            burst.devices().forEach((endpoint, key) -> {
                devices.put(endpoint, key);
                burstDevices.add(endpoint);
            });
            firmware.putAll(burst.firmware());
            sessions.putAll(burst.sessions());
            sessionDevices.addAll(pool);

            startServer();
            assertEveryAcknowledgedChangeIsThere();
            assertNothingHalfMadeRemains();
        }
        assertTheLastAcknowledgedDeviceAuthenticatesWithItsKey();
    }

    private void startServer() {
        if (api != null) {
            api.close();
        }
        server = ServerProcess.on(dataDir).start("--database-durability", durability);
        api = ApiClient.withAdminTokenOf(server.baseUrl(), dataDir);
    }

    private long uploadAndPublish(byte[] image) throws IOException {
        TestServer.Reply upload = api.uploadFirmware(MODEL, image);
        assertThat(upload.status()).as(upload.body()).isEqualTo(201);
        long id = upload.json().getLong("id");
        firmware.put(id, image);
        assertThat(api.postJson("/api/v1/firmware/" + id + "/publish", "{}").status()).isEqualTo(200);
        return id;
    }

    /** Devices that get an update session during the burst; provisioned before it, like a fleet that exists. */
    private List<String> provisionPool(int round) {
        List<String> pool = IntStream.range(0, POOL_SIZE).mapToObj(i -> "pool-" + round + "-" + i).toList();
        pool.parallelStream().forEach(endpoint -> {
            TestServer.Reply reply = call(() -> api.postJson("/api/v1/devices", RequestBurst.pskDevice(endpoint,
                    randomKey())));
            assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        });
        pool.forEach(endpoint -> devices.put(endpoint, null));
        return pool;
    }

    private void assertEveryAcknowledgedChangeIsThere() throws IOException {
        Map<String, JsonObject> stored = listAll("/api/v1/devices", 1000, "endpoint");
        assertThat(stored.keySet()).as("acknowledged devices after the restart").containsAll(devices.keySet());
        for (String endpoint : devices.keySet()) {
            JsonObject security = stored.get(endpoint).getJsonObject("security");
            assertThat(security.getString("mode")).as(endpoint).isEqualTo("psk");
            assertThat(security.getString("identity")).as(endpoint).isEqualTo(endpoint);
        }

        Map<String, JsonObject> images = listAll("/api/v1/firmware", 500, "id");
        assertThat(images.keySet()).as("acknowledged firmware after the restart")
                .containsAll(firmware.keySet().stream().map(String::valueOf).toList());
        for (Map.Entry<Long, byte[]> uploaded : firmware.entrySet()) {
            String sha256 = BlobStore.sha256Hex(uploaded.getValue());
            assertThat(images.get(uploaded.getKey().toString()).getString("sha256")).isEqualTo(sha256);
            assertThat(Files.readAllBytes(blob(sha256))).as("blob of firmware " + uploaded.getKey())
                    .isEqualTo(uploaded.getValue());
        }

        sessions.entrySet().parallelStream().forEach(created -> {
            RequestBurst.Session session = created.getValue();
            TestServer.Reply reply = call(() -> api.get("/api/v1/devices/" + session.endpoint() + "/updates/"
                    + created.getKey()));
            assertThat(reply.status()).as("acknowledged update session " + created.getKey() + ": " + reply.body())
                    .isEqualTo(200);
            assertThat(reply.json().getLong("firmwareId")).isEqualTo(session.firmwareId());
        });
    }

    private void assertNothingHalfMadeRemains() throws IOException {
        Map<String, JsonObject> images = listAll("/api/v1/firmware", 500, "id");
        Set<String> referenced = new HashSet<>();
        for (JsonObject image : images.values()) {
            String sha256 = image.getString("sha256");
            referenced.add(sha256);
            assertThat(blob(sha256)).as("blob of firmware " + image.getLong("id")).isRegularFile();
            assertThat(BlobStore.sha256Hex(Files.readAllBytes(blob(sha256)))).isEqualTo(sha256);
        }

        Path blobs = dataDir.resolve("firmware/blobs");
        try (Stream<Path> temporary = Files.list(blobs.resolve("tmp"))) {
            assertThat(temporary).as("temporary files of interrupted uploads").isEmpty();
        }
        Set<String> onDisk = new HashSet<>();
        try (Stream<Path> directories = Files.list(blobs)) {
            for (Path directory : directories.filter(d -> !d.getFileName().toString().equals("tmp")).toList()) {
                try (Stream<Path> files = Files.list(directory)) {
                    List<String> names = files.map(f -> f.getFileName().toString()).toList();
                    assertThat(names).as("blob directory " + directory.getFileName()).isNotEmpty();
                    onDisk.addAll(names);
                }
            }
        }
        assertThat(onDisk).as("blobs on disk are exactly those firmware records refer to").isEqualTo(referenced);
        Path uploads = dataDir.resolve("firmware/uploads");
        if (Files.isDirectory(uploads)) {
            try (Stream<Path> left = Files.list(uploads)) {
                assertThat(left).as("files of interrupted multipart uploads").isEmpty();
            }
        }

        Map<String, JsonObject> stored = listAll("/api/v1/devices", 1000, "endpoint");
        sessionDevices.parallelStream().forEach(endpoint -> {
            assertThat(stored).as("device of update sessions").containsKey(endpoint);
            JsonArray items = call(() -> api.get("/api/v1/devices/" + endpoint + "/updates")).json()
                    .getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                assertThat(images).as("firmware of update session " + items.getJsonObject(i).getLong("id"))
                        .containsKey(items.getJsonObject(i).getLong("firmwareId").toString());
            }
        });
    }

    /**
     * Proves the key itself was kept (the server never returns a PSK, but a DTLS handshake needs it) for the device
     * acknowledged last, the one a lazy commit would have lost first.
     */
    private void assertTheLastAcknowledgedDeviceAuthenticatesWithItsKey() {
        String endpoint = burstDevices.get(burstDevices.size() - 1);
        try (TestDevice device = TestDevice.device(endpoint)
                .psk("coaps://127.0.0.1:" + server.coapsPort(), endpoint, HexFormat.of().parseHex(devices.get(endpoint)))
                .cipherSuites(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8).start()) {
            TestServer.eventually(endpoint + " registers over DTLS with its key", () -> isOnline(endpoint));
        }
    }

    /** Reads the open flags of the server's database file from Linux's /proc (O_DSYNC is octal 010000). */
    private void assertDatabaseFileOpenedForSynchronousWrites(boolean expected) throws IOException {
        Path fds = Path.of("/proc", Long.toString(server.pid()), "fd");
        Assumptions.assumeTrue(Files.isDirectory(fds), "needs Linux's /proc to read open flags");
        try (Stream<Path> open = Files.list(fds)) {
            for (Path fd : open.toList()) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException closedMeanwhile) {
                    continue;
                }
                if (target.toString().endsWith("ferry.mv.db")) {
                    String flags = Files.readAllLines(Path.of("/proc", Long.toString(server.pid()), "fdinfo",
                            fd.getFileName().toString())).stream().filter(l -> l.startsWith("flags:")).findFirst()
                            .orElseThrow().substring("flags:".length()).trim();
                    assertThat((Long.parseLong(flags, 8) & 010000) != 0).as("O_DSYNC on the database file, flags "
                            + flags).isEqualTo(expected);
                    return;
                }
            }
        }
        throw new AssertionError("the server process has no ferry.mv.db open");
    }

    private boolean isOnline(String endpoint) {
        return call(() -> api.get("/api/v1/devices/" + endpoint)).json().getBoolean("online");
    }

    private interface Call {
        TestServer.Reply send() throws IOException;
    }

    /** For requests to a server that is expected to answer. */
    private static TestServer.Reply call(Call call) {
        try {
            return call.send();
        } catch (IOException e) {
            throw new AssertionError("the server did not answer: " + e.getMessage(), e);
        }
    }

    private Map<String, JsonObject> listAll(String path, int limit, String key) throws IOException {
        Map<String, JsonObject> all = new HashMap<>();
        for (int offset = 0;; offset += limit) {
            TestServer.Reply reply = api.get(path + "?limit=" + limit + "&offset=" + offset);
            assertThat(reply.status()).as(reply.body()).isEqualTo(200);
            JsonArray items = reply.json().getJsonArray("items");
            for (int i = 0; i < items.size(); i++) {
                all.put(items.getJsonObject(i).getValue(key).toString(), items.getJsonObject(i));
            }
            if (items.size() < limit) {
                return all;
            }
        }
    }

    private Path blob(String sha256) {
        return dataDir.resolve("firmware/blobs").resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    static String randomKey() {
        byte[] key = new byte[16];
        RANDOM.nextBytes(key);
        return HexFormat.of().formatHex(key);
    }
}
