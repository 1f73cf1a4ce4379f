package dev.ferry.sim.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves packages at {@code /fw/<sha256>} over HTTP with ETag, Range (206) and If-Range, on a loopback
 * ephemeral port: the HTTP side of Ferry's firmware store.
 */
public final class TestHttpFirmwareServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    private final Map<String, byte[]> packages = new ConcurrentHashMap<>();
    /** The Range header of every request, "-" when there was none. */
    private final List<String> ranges = new CopyOnWriteArrayList<>();

    public TestHttpFirmwareServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/fw/", this::handle);
        server.start();
    }

    public String serve(byte[] bytes) {
        String name = TestCoapFirmwareServer.sha256(bytes);
        packages.put(name, bytes);
        return "/fw/" + name;
    }

    /** Serves {@code bytes} at an existing {@code path} from now on, with their own ETag: a changed package. */
    public void replace(String path, byte[] bytes) {
        packages.put(path.substring("/fw/".length()), bytes);
    }

    public String uri(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public List<String> ranges() {
        return List.copyOf(ranges);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String name = exchange.getRequestURI().getPath().substring("/fw/".length());
        byte[] bytes = packages.get(name);
        String range = exchange.getRequestHeaders().getFirst("Range");
        ranges.add(range == null ? "-" : range);
        try (exchange) {
            if (bytes == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String etag = "\"" + TestCoapFirmwareServer.sha256(bytes).substring(0, 16) + "\"";
            exchange.getResponseHeaders().set("ETag", etag);
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            int from = 0;
            if (m != null && m.matches() && (ifRange == null || ifRange.equals(etag))) {
                from = Integer.parseInt(m.group(1));
                if (from >= bytes.length) {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Range",
                        "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
                exchange.sendResponseHeaders(206, bytes.length - from);
            } else {
                exchange.sendResponseHeaders(200, bytes.length);
            }
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(bytes, from, bytes.length - from);
            } catch (IOException e) {
                // the device went away in the middle of the body: expected with dropped connections
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
