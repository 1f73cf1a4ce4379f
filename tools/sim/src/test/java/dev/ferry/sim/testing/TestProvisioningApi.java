package dev.ferry.sim.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The provisioning part of Ferry's API, {@code POST /api/v1/devices} and {@code DELETE /api/v1/devices/{ep}},
 * in front of a {@link TestLwm2mServer}'s security store: generated PSKs are returned once, as Ferry does.
 */
public final class TestProvisioningApi implements AutoCloseable {
    /** The bearer token every request must carry, as Ferry's API asks for one; others are answered 401. */
    public static final String TOKEN = "ferry_" + "T".repeat(43);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final TestLwm2mServer lwm2m;
    private final Set<String> devices = ConcurrentHashMap.newKeySet();
    private final SecureRandom random = new SecureRandom();

    public TestProvisioningApi(TestLwm2mServer lwm2m) throws IOException {
        this.lwm2m = lwm2m;
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/devices", this::handle);
        http.start();
    }

    public String uri() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"ferry\"");
                reply(exchange, 401, JSON.createObjectNode().put("detail", "this route needs an API token"));
                return;
            }
            if (exchange.getRequestMethod().equals("DELETE")) {
                String endpoint = exchange.getRequestURI().getPath().substring("/api/v1/devices/".length());
                boolean known = devices.remove(endpoint);
                lwm2m.removePsk(endpoint);
                exchange.sendResponseHeaders(known ? 204 : 404, -1);
                return;
            }
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            String endpoint = request.path("endpoint").asText();
            if (!devices.add(endpoint)) {
                reply(exchange, 409, JSON.createObjectNode().put("detail", endpoint + " exists"));
                return;
            }
            ObjectNode device = JSON.createObjectNode().put("endpoint", endpoint);
            ObjectNode security = device.putObject("security");
            JsonNode asked = request.path("security");
            security.put("mode", asked.path("mode").asText());
            if (asked.path("mode").asText().equals("psk")) {
                String identity = asked.path("identity").asText(endpoint);
                byte[] key;
                if (asked.has("key")) {
                    key = HexFormat.of().parseHex(asked.path("key").asText());
                } else {
                    key = new byte[16];
                    random.nextBytes(key);
                    security.put("key", HexFormat.of().formatHex(key));
                }
                security.put("identity", identity);
                lwm2m.addPsk(endpoint, identity, key);
            }
            reply(exchange, 201, device);
        }
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
