package dev.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import dev.ferry.server.testing.TestServer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;

class OpenApiTest {

    @Test
    void openapi_document_lists_exactly_the_routes_the_server_serves() {
        try (TestServer server = TestServer.givenServer().start()) {
            TestServer.Reply reply = server.get("/api/v1/openapi.yaml");
            assertThat(reply.status()).isEqualTo(200);
            Map<String, Object> document = new Yaml().load(reply.body());
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) document.get("paths");
            Set<String> documented = new TreeSet<>();
            paths.forEach((path, operations) -> operations.keySet().stream()
                    .filter(key -> Set.of("get", "head", "put", "post", "patch", "delete").contains(key))
                    .forEach(method -> documented.add(method.toUpperCase() + " " + path)));

            Set<String> served = new TreeSet<>();
            for (Route route : server.server().httpApiRouter().getRoutes()) {
                if (route.getPath() == null || route.methods() == null) {
                    continue; // body handler and failure handler apply to every route
                }
                String path = route.getPath().replaceAll(":(\\w+)", "{$1}");
                for (HttpMethod method : route.methods()) {
                    served.add(method.name() + " " + path);
                }
            }

            assertThat(documented).isEqualTo(served);
        }
    }
}
