package dev.ferry.server.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.json.JsonObject;

/** A production batch created through the API, with the bootstrap credential its reply showed once. */
record BatchFixture(long id, String identity, byte[] key, String keyHex, String keyBase64, JsonObject created) {

    static BatchFixture create(TestServer server, String body) {
        TestServer.Reply reply = server.post("/api/v1/provisioning/batches", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(201);
        JsonObject json = reply.json();
        JsonObject bootstrap = json.getJsonObject("bootstrap");
        String hex = bootstrap.getString("key");
        return new BatchFixture(json.getLong("id"), bootstrap.getString("pskIdentity"), HexFormat.of().parseHex(hex),
                hex, bootstrap.getString("keyBase64"), json);
    }

    static BatchFixture create(TestServer server, String name, int maxDevices, long expiresInSeconds) {
        return create(server, "{\"name\":\"" + name + "\",\"maxDevices\":" + maxDevices + ",\"expiresInSeconds\":"
                + expiresInSeconds + ",\"tags\":[\"line-3\",\"eu\"],\"model\":\"meter-x\"}");
    }

    String path() {
        return "/api/v1/provisioning/batches/" + id;
    }
}
