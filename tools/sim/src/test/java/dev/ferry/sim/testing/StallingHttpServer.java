package dev.ferry.sim.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP server on loopback that answers {@code /stall} with its headers and the first {@link #SENT} of
 * {@link #LENGTH} bytes, then sends nothing more until it is closed; {@code /whole} is answered in full.
 */
public final class StallingHttpServer implements AutoCloseable {
    public static final int LENGTH = 4096;
    public static final int SENT = 100;

    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool();
    private final CountDownLatch closed = new CountDownLatch(1);

    public StallingHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(handlers);
        server.createContext("/stall", this::stall);
        server.createContext("/whole", this::whole);
        server.start();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private void stall(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, LENGTH);
        OutputStream body = exchange.getResponseBody();
        body.write(new byte[SENT]);
        body.flush();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exchange.close();
    }

    private void whole(HttpExchange exchange) throws IOException {
        exchange.sendResponseHeaders(200, LENGTH);
        try (OutputStream body = exchange.getResponseBody()) {
            body.write(new byte[LENGTH]);
        }
    }

    @Override
    public void close() {
        closed.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }
}
