package dev.ferry.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import org.eclipse.californium.core.CoapServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** The plain Californium reference server, fetched by DownloadBench's devices block by numbered block. */
class PlainCoapFileServerTest {
    private final byte[] image = new byte[20_000];
    private CoapServer server;

    @BeforeEach
    void serve_an_image() {
        new Random(7).nextBytes(image);
        server = PlainCoapFileServer.create(0, image);
        server.start();
    }

    @AfterEach
    void stop() {
        server.destroy();
    }

    @Test
    void every_device_gets_the_whole_image_asking_for_each_numbered_block() throws Exception {
        int port = ((InetSocketAddress) server.getEndpoints().get(0).getAddress()).getPort();
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));

        String output = run("--url", "coap://127.0.0.1:" + port + "/fw", "--sha256", sha256, "--block-sizes", "512",
                "--repeat", "1", "--devices", "3", "--label", "californium");

        // 20,000 bytes in 512-byte blocks: 40 blocks; once alone (with its warm-up), then 3 devices at once.
        assertThat(output).contains("californium single device,  512-byte blocks: median")
                .contains("californium 3 devices at once, 512-byte blocks: 120 blocks in");
    }

    @Test
    void aggregate_only_skips_the_single_device_downloads() throws Exception {
        int port = ((InetSocketAddress) server.getEndpoints().get(0).getAddress()).getPort();

        String output = run("--url", "coap://127.0.0.1:" + port + "/fw", "--aggregate-only", "--devices", "2");

        assertThat(output).doesNotContain("single device").contains("2 devices at once, 512-byte blocks: 80 blocks");
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exitCode = new CommandLine(new DownloadBench()).execute(args);
            assertThat(exitCode).as(out.toString(StandardCharsets.UTF_8)).isZero();
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
