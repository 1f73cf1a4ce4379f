package dev.ferry.server.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.ApiClient;
import dev.ferry.server.testing.ServerProcess;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Kills the server with SIGKILL while commands are being queued: every command it answered 202 for is there. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CommandCrashTest {
    private static final String DEVICE = "far-away";
    private Path dataDir;
    private ServerProcess server;
    private ApiClient client;

    @AfterEach
    void killServerAndRemoveData() throws IOException {
        if (client != null) {
            client.close();
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

    @Test
    void every_command_acknowledged_before_kill_9_is_queued_after_the_restart_in_its_order() throws Exception {
        dataDir = Files.createTempDirectory("ferry-command-crash-");
        ServerProcess.Launch launch = ServerProcess.on(dataDir).ports(ServerProcess.Ports.free());
        start(launch);
        assertThat(client.postJson("/api/v1/devices", new JsonObject().put("endpoint", DEVICE)
                .put("security", new JsonObject().put("mode", "none")).encode()).status()).isEqualTo(201);

        List<Long> acknowledged = new ArrayList<>();
        CountDownLatch some = new CountDownLatch(20);
        CompletableFuture<Void> burst = CompletableFuture.runAsync(() -> {
            for (int i = 0; ; i++) {
                try {
                    TestServer.Reply reply = client.postJson("/api/v1/devices/" + DEVICE + "/commands",
                            new JsonObject().put("kind", "write").put("path", "/1/0/3").put("value", i).encode());
                    if (reply.status() != 202) {
                        return;
                    }
                    synchronized (acknowledged) {
                        acknowledged.add(reply.json().getLong("id"));
                    }
                    some.countDown();
                } catch (IOException | RuntimeException e) {
                    return; // the server is gone
                }
            }
        });
        assertThat(some.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(server.kill()).isEqualTo(ServerProcess.KILLED_BY_SIGKILL);
        burst.get(30, TimeUnit.SECONDS);

        start(launch);
        List<Long> queued = new ArrayList<>();
        Long before = null;
        while (true) {
            JsonObject page = client.get("/api/v1/devices/" + DEVICE + "/commands?state=pending&limit=1000"
                    + (before == null ? "" : "&before=" + before)).json();
            JsonArray items = page.getJsonArray("items");
            items.forEach(item -> queued.add(0, ((JsonObject) item).getLong("id")));
            before = page.getLong("next");
            if (before == null) {
                break;
            }
        }
        List<Long> sorted = new ArrayList<>(queued);
        sorted.sort(null);
        assertThat(queued).as("listed newest first").isEqualTo(sorted);
        synchronized (acknowledged) {
            assertThat(queued).as("every acknowledged command, in the order it was queued").containsSubsequence(
                    acknowledged).hasSizeBetween(acknowledged.size(), acknowledged.size() + 1);
        }
    }

    private void start(ServerProcess.Launch launch) {
        if (client != null) {
            client.close();
        }
        server = launch.start();
        client = ApiClient.withAdminTokenOf(server.baseUrl(), dataDir);
    }
}
