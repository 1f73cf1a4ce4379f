package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.ferry.server.testing.LogCapture;
import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Claim codes: issued per device, shown once, claim the device for an owner tag exactly once. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ClaimCodeTest {
    static final String CODE_FORMAT = "[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}";

    TestServer server;
    LogCapture log;

    @BeforeEach
    void start() {
        log = new LogCapture();
        server = TestServer.givenServer().start();
        TestServer.Reply lamp = server.post("/api/v1/devices",
                "{\"endpoint\":\"lamp-1\",\"security\":{\"mode\":\"none\"},\"tags\":[\"batch-7\"]}");
        assertThat(lamp.status()).as(lamp.body()).isEqualTo(201);
    }

    @AfterEach
    void stop() {
        server.close();
        log.close();
    }

    @Test
    void a_code_claims_its_device_once_adding_the_owner_tag_and_a_second_use_is_refused() {
        String code = issue("lamp-1");
        assertThat(code).matches(CODE_FORMAT);

        // Typed from the box: lower case, without the hyphens.
        TestServer.Reply claimed = claim(code.toLowerCase(Locale.ROOT).replace("-", ""), "owner:alice");

        assertThat(claimed.status()).as(claimed.body()).isEqualTo(200);
        assertThat(claimed.json().getString("endpoint")).isEqualTo("lamp-1");
        assertThat(claimed.json().getJsonArray("tags")).containsExactly("batch-7", "owner:alice");
        assertThat(server.get("/api/v1/devices/lamp-1").json().getJsonArray("tags"))
                .containsExactly("batch-7", "owner:alice");

        TestServer.Reply again = claim(code, "owner:mallory");
        assertThat(again.status()).isEqualTo(404);
        assertThat(server.get("/api/v1/devices/lamp-1").json().getJsonArray("tags"))
                .containsExactly("batch-7", "owner:alice");
        assertThat(log.text()).doesNotContain(code).doesNotContain(code.replace("-", ""));
        assertThat(server.get("/api/v1/devices/lamp-1").body() + server.get("/api/v1/events").body()
                + server.get("/api/v1/devices").body()).doesNotContain(code).doesNotContain(code.replace("-", ""));
    }

    @Test
    void an_unknown_code_gets_the_same_404_as_a_used_one_and_a_malformed_code_gets_400() {
        String code = issue("lamp-1");
        assertThat(claim(code, "owner:alice").status()).isEqualTo(200);

        TestServer.Reply used = claim(code, "owner:bob");
        TestServer.Reply unknown = claim("ABCD-EFGH-JKLM", "owner:bob");

        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.isProblem()).isTrue();
        assertThat(unknown.json().getString("type")).isEqualTo("urn:ferry:problem:unknown-claim-code");
        assertThat(unknown.json().getString("detail")).isEqualTo(used.json().getString("detail"));
        for (String malformed : List.of("ABCD-EFGH-JKL", "ABCD-EFGH-JKL0", "ABCD-EFGH-JKLI", "", "ABCD-EFGH-JKLM-N")) {
            TestServer.Reply reply = claim(malformed, "owner:bob");
            assertThat(reply.status()).as(malformed).isEqualTo(400);
            assertThat(reply.json().getString("detail")).contains("not a claim code");
        }
    }

    @Test
    void a_new_code_replaces_the_old_one_and_an_unknown_device_gets_no_code() {
        String first = issue("lamp-1");
        String second = issue("lamp-1");

        assertThat(claim(first, "owner:alice").status()).isEqualTo(404);
        assertThat(claim(second, "owner:alice").status()).isEqualTo(200);
        TestServer.Reply nobody = server.post("/api/v1/devices/nobody/claim-code", "{}");
        assertThat(nobody.status()).isEqualTo(404);
        assertThat(nobody.json().getString("type")).isEqualTo("urn:ferry:problem:unknown-device");
    }

    @Test
    void a_claim_with_bad_tags_is_refused_and_leaves_the_code_usable() {
        String code = issue("lamp-1");

        assertThat(claim(code, "owner alice").status()).isEqualTo(400);
        assertThat(server.post("/api/v1/devices/claim", new JsonObject().put("code", code).encode()).status())
                .isEqualTo(400);
        assertThat(claim(code, "owner:alice").status()).isEqualTo(200);
    }

    @Test
    void of_concurrent_claims_with_one_code_exactly_one_succeeds() throws Exception {
        String code = issue("lamp-1");
        int claimants = 12;
        ExecutorService pool = Executors.newFixedThreadPool(claimants);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < claimants; i++) {
                String owner = "owner:user-" + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    return claim(code, owner).status();
                }));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> answer : answers) {
                statuses.add(answer.get(60, TimeUnit.SECONDS));
            }

            assertThat(statuses).as(statuses.toString()).containsOnly(200, 404);
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
            JsonArray tags = server.get("/api/v1/devices/lamp-1").json().getJsonArray("tags");
            assertThat(tags.stream().filter(t -> t.toString().startsWith("owner:"))).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_code_issued_by_bulk_provisioning_claims_its_device() {
        TestServer.Reply bulk = server.sendBytes("POST", "/api/v1/devices:bulk",
                "endpoint,security,claimCode\nbox-1,none,generate\nbox-2,none,generate\n".getBytes(), "text/csv");
        assertThat(bulk.status()).as(bulk.body()).isEqualTo(201);
        String code = bulk.json().getJsonArray("devices").getJsonObject(1).getString("claimCode");

        TestServer.Reply claimed = claim(code, "owner:carol");

        assertThat(claimed.status()).isEqualTo(200);
        assertThat(claimed.json().getString("endpoint")).isEqualTo("box-2");
        assertThat(log.text()).doesNotContain(code);
    }

    private String issue(String endpoint) {
        TestServer.Reply reply = server.post("/api/v1/devices/" + endpoint + "/claim-code", "{}");
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        assertThat(reply.json().getString("endpoint")).isEqualTo(endpoint);
        return reply.json().getString("claimCode");
    }

    private TestServer.Reply claim(String code, String tag) {
        return server.post("/api/v1/devices/claim",
                new JsonObject().put("code", code).put("tags", new JsonArray().add(tag)).encode());
    }
}
