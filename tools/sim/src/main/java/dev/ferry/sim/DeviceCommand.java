package dev.ferry.sim;

import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "device", mixinStandardHelpOptions = true,
        description = "Run one simulated device until interrupted (Ctrl-C deregisters it).")
final class DeviceCommand implements Callable<Integer> {
    @Option(names = "--endpoint", required = true, description = "LwM2M endpoint name")
    String endpoint;

    @Option(names = "--server", required = true, description = "coap://host:5683 or coaps://host:5684")
    String server;

    @Option(names = "--psk-identity", description = "PSK identity (coaps only; default: the endpoint)")
    String pskIdentity;

    @Option(names = "--psk-key", description = "PSK as hex (coaps only)")
    String pskKey;

    @Option(names = "--lifetime", defaultValue = "300", description = "Registration lifetime in seconds")
    long lifetime;

    @Override
    public Integer call() throws Exception {
        boolean secure = server.startsWith("coaps://");
        if (secure && pskKey == null) {
            System.err.println("ferry-sim: --psk-key is required with a coaps:// server");
            return 2;
        }
        SimulatedDevice device = new SimulatedDevice(endpoint, server, pskIdentity == null ? endpoint : pskIdentity,
                secure ? HexFormat.of().parseHex(pskKey) : null, lifetime, null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            device.stop(true);
            stopped.countDown();
        }));
        device.start();
        try {
            long nanos = device.registered().get(60, TimeUnit.SECONDS);
            System.out.printf("%s registered with %s in %d ms; Ctrl-C to deregister and stop%n", endpoint, server,
                    TimeUnit.NANOSECONDS.toMillis(nanos));
        } catch (Exception e) {
            System.err.println("ferry-sim: " + (e.getCause() == null ? e : e.getCause()).getMessage());
            device.stop(false);
            return 1;
        }
        stopped.await();
        return 0;
    }
}
