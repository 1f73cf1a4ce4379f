package dev.ferry.sim.bench;

import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.californium.core.coap.BlockOption;
import org.eclipse.californium.core.coap.CoAP.ResponseCode;
import org.eclipse.californium.core.coap.MessageObserverAdapter;
import org.eclipse.californium.core.coap.Request;
import org.eclipse.californium.core.coap.Response;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.elements.util.ExecutorsUtil;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Block-wise download benchmark against any CoAP server: the blocks per second many devices achieve together,
 * and the time one device needs to fetch an image at each block size. Every device has its own UDP socket and
 * fetches block after block (Block2 with an explicit block number), as a device resuming at any block would.
 * The same client code measures Ferry and, for comparison, libcoap's coap-server. The single-device time is
 * mostly this JVM client's own (a download takes it several times as long as libcoap's coap-client), so
 * {@code tools/bench/download-bench} measures one device with coap-client and runs this with
 * {@code --aggregate-only}.
 */
@Command(name = "download-bench", mixinStandardHelpOptions = true,
        description = "Measures CoAP block-wise download time and aggregate blocks/s.")
public final class DownloadBench implements Runnable {
    private static final int WARM_UP_DOWNLOADS = 10;
    @Option(names = "--url", required = true, description = "coap://host:port/path of the image")
    URI url;
    @Option(names = "--sha256", description = "Expected SHA-256 of the image (checked on every single download)")
    String sha256;
    @Option(names = "--block-sizes", split = ",", defaultValue = "256,512,1024")
    int[] blockSizes;
    @Option(names = "--repeat", defaultValue = "20", description = "Single-device downloads per block size")
    int repeat;
    @Option(names = "--devices", split = ",", defaultValue = "100,1000",
            description = "Concurrent devices for the aggregate runs")
    int[] devices;
    @Option(names = "--aggregate-block-size", defaultValue = "512")
    int aggregateBlockSize;
    @Option(names = "--label", defaultValue = "server")
    String label;
    @Option(names = "--aggregate-only", description = "Only the many-devices runs, no single-device downloads")
    boolean aggregateOnly;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DownloadBench()).execute(args));
    }

    @Override
    public void run() {
        CoapConfig.register();
        UdpConfig.register();
        ScheduledExecutorService executor = ExecutorsUtil.newScheduledThreadPool(
                Runtime.getRuntime().availableProcessors() * 2, new org.eclipse.californium.elements.util.DaemonThreadFactory("bench#"));
        ScheduledExecutorService secondary = ExecutorsUtil.newDefaultSecondaryScheduler("bench-timer#");
        try {
            for (int blockSize : aggregateOnly ? new int[0] : blockSizes) {
                singleDevice(blockSize, executor, secondary);
            }
            for (int count : devices) {
                aggregate(count, executor, secondary);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            executor.shutdownNow();
            secondary.shutdownNow();
        }
    }

    private void singleDevice(int blockSize, ScheduledExecutorService executor, ScheduledExecutorService secondary)
            throws Exception {
        Device device = new Device(endpoint(executor, secondary), blockSize);
        try {
            for (int i = 0; i < WARM_UP_DOWNLOADS; i++) {
                device.download().get(60, TimeUnit.SECONDS); // server caches and both JITs warm up
            }
            long[] millis = new long[repeat];
            for (int i = 0; i < repeat; i++) {
                long start = System.nanoTime();
                byte[] image = device.download().get(60, TimeUnit.SECONDS);
                millis[i] = (System.nanoTime() - start) / 1_000;
                if (sha256 != null && !sha256.equals(hex(image))) {
                    throw new IllegalStateException("downloaded image has the wrong SHA-256");
                }
            }
            Arrays.sort(millis);
            System.out.printf(Locale.ROOT, "%s single device, %4d-byte blocks: median %.1f ms, best %.1f ms (%d runs,"
                    + " %d blocks each)%n", label, blockSize, millis[repeat / 2] / 1000.0, millis[0] / 1000.0, repeat,
                    device.blocks.get() / (repeat + WARM_UP_DOWNLOADS));
        } finally {
            device.endpoint.destroy();
        }
    }

    private void aggregate(int count, ScheduledExecutorService executor, ScheduledExecutorService secondary)
            throws Exception {
        List<Device> fleet = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            fleet.add(new Device(endpoint(executor, secondary), aggregateBlockSize));
        }
        try {
            long start = System.nanoTime();
            CompletableFuture.allOf(fleet.stream().map(Device::download).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.MINUTES);
            double seconds = (System.nanoTime() - start) / 1e9;
            long blocks = fleet.stream().mapToLong(d -> d.blocks.get()).sum();
            long retransmissions = fleet.stream().mapToLong(d -> d.retransmissions.get()).sum();
            System.out.printf(Locale.ROOT, "%s %d devices at once, %d-byte blocks: %d blocks in %.2f s = %.0f blocks/s"
                    + " (%d retransmissions)%n", label, count, aggregateBlockSize, blocks, seconds, blocks / seconds,
                    retransmissions);
        } finally {
            fleet.forEach(d -> d.endpoint.destroy());
        }
    }

    private static CoapEndpoint endpoint(ScheduledExecutorService executor, ScheduledExecutorService secondary)
            throws Exception {
        Configuration config = Configuration.createStandardWithoutFile();
        config.set(CoapConfig.PREFERRED_BLOCK_SIZE, 1024);
        // Off: every block is requested and received by this code, none reassembled by the stack.
        config.set(CoapConfig.MAX_RESOURCE_BODY_SIZE, 0);
        config.set(UdpConfig.UDP_RECEIVER_THREAD_COUNT, 1);
        config.set(UdpConfig.UDP_SENDER_THREAD_COUNT, 1);
        CoapEndpoint endpoint = new CoapEndpoint.Builder().setConfiguration(config)
                .setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0)).build();
        endpoint.setExecutors(executor, secondary);
        endpoint.start();
        return endpoint;
    }

    private static String hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One device fetching the image block by block, each request sent when the previous block arrived. */
    private final class Device {
        final CoapEndpoint endpoint;
        final int blockSize;
        final AtomicLong blocks = new AtomicLong();
        final AtomicLong retransmissions = new AtomicLong();

        Device(CoapEndpoint endpoint, int blockSize) {
            this.endpoint = endpoint;
            this.blockSize = blockSize;
        }

        CompletableFuture<byte[]> download() {
            CompletableFuture<byte[]> done = new CompletableFuture<>();
            request(0, new java.io.ByteArrayOutputStream(), done);
            return done;
        }

        private void request(int num, java.io.ByteArrayOutputStream received, CompletableFuture<byte[]> done) {
            Request request = Request.newGet();
            request.setURI(url);
            request.getOptions().setBlock2(BlockOption.size2Szx(blockSize), false, num);
            request.addMessageObserver(new MessageObserverAdapter() {
                @Override
                public void onResponse(Response response) {
                    if (response.getCode() != ResponseCode.CONTENT || !response.getOptions().hasBlock2()) {
                        done.completeExceptionally(new IllegalStateException("block " + num + ": "
                                + response.getCode() + " " + response.getPayloadString()));
                        return;
                    }
                    blocks.incrementAndGet();
                    received.writeBytes(response.getPayload());
                    BlockOption block = response.getOptions().getBlock2();
                    if (block.isM()) {
                        // The server may answer with smaller blocks than asked; continue at its size.
                        int next = (block.getOffset() + block.getSize()) / blockSize;
                        if (block.getSize() != blockSize) {
                            done.completeExceptionally(new IllegalStateException("server changed the block size to "
                                    + block.getSize()));
                            return;
                        }
                        request(next, received, done);
                    } else {
                        done.complete(received.toByteArray());
                    }
                }

                @Override
                public void onRetransmission() {
                    retransmissions.incrementAndGet();
                }

                @Override
                protected void failed() {
                    done.completeExceptionally(new IllegalStateException("block " + num + " failed"));
                }
            });
            endpoint.sendRequest(request);
        }
    }
}
