package dev.ferry.sim.bench;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.eclipse.californium.core.CoapResource;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MediaTypeRegistry;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.core.server.resources.CoapExchange;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Plain Californium (the CoAP stack under Leshan and Ferry) serving one file at {@code coap://127.0.0.1:<port>/fw},
 * block-wise by its own block-wise layer, with Californium's defaults: the reference the download benchmark
 * measures Ferry's firmware blocks against. Every numbered block request is an exchange of its own.
 */
@Command(name = "plain-coap-file-server", mixinStandardHelpOptions = true,
        description = "Serves one file over CoAP with plain Californium, until stopped.")
public final class PlainCoapFileServer implements Callable<Integer> {
    @Option(names = "--port", defaultValue = "26683", description = "UDP port on 127.0.0.1 (default ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--file", required = true, description = "The file served at /fw")
    Path file;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PlainCoapFileServer()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        byte[] image = Files.readAllBytes(file);
        CoapServer server = create(port, image);
        server.start();
        System.out.printf("plain Californium serving %d bytes at coap://127.0.0.1:%d/fw, pid %d%n", image.length, port,
                ProcessHandle.current().pid());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.destroy();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** The server on 127.0.0.1 (port 0: any free one), not started. */
    static CoapServer create(int port, byte[] image) {
        CoapConfig.register();
        UdpConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        CoapServer server = new CoapServer(config);
        server.addEndpoint(new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", port)).build());
        server.add(new CoapResource("fw") {
            @Override
            public void handleGET(CoapExchange exchange) {
                exchange.respond(ResponseCode.CONTENT, image, MediaTypeRegistry.APPLICATION_OCTET_STREAM);
            }
        });
        return server;
    }
}
