package dev.ferry.server.telemetry;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.LeshanClientBuilder;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coap.CoapClientProtocolProvider;
import org.eclipse.leshan.client.object.Security;
import org.eclipse.leshan.client.object.Server;
import org.eclipse.leshan.client.observer.LwM2mClientObserverAdapter;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.resource.ObjectsInitializer;
import org.eclipse.leshan.client.send.ManualDataSender;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.RegisterRequest;
import org.eclipse.leshan.core.response.ReadResponse;

/**
 * A real Leshan client of model {@link #MODEL} whose object 3 reports free memory (3/0/10) and battery level
 * (3/0/9), values the test sets; it notifies observers of each change and can Send, with the time it collected
 * the values.
 */
final class ProbeDevice implements AutoCloseable {
    static final String MODEL = "probe-7";

    private final LeshanClient client;
    private final DeviceObject device = new DeviceObject();
    private final ManualDataSender sender = new ManualDataSender();
    private final CompletableFuture<Void> registered = new CompletableFuture<>();
    // Shared with the client, so that its notification timers (pmin, pmax) stop with it.
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2, task -> {
        Thread thread = new Thread(task, "sim-probe-device");
        thread.setDaemon(true);
        return thread;
    });

    ProbeDevice(String endpoint, String serverUri) {
        ObjectsInitializer initializer = new ObjectsInitializer(new StaticModel(ObjectLoader.loadAllDefault()));
        initializer.setInstancesForObject(LwM2mId.SECURITY, Security.noSec(serverUri, 123));
        initializer.setInstancesForObject(LwM2mId.SERVER, new Server(123, 600));
        initializer.setInstancesForObject(LwM2mId.DEVICE, device);
        CaliforniumClientEndpointsProvider.Builder endpoints = new CaliforniumClientEndpointsProvider.Builder(
                new CoapClientProtocolProvider());
        endpoints.setClientAddress(InetAddress.getLoopbackAddress());
        LeshanClientBuilder builder = new LeshanClientBuilder(endpoint);
        builder.setObjects(initializer.create(LwM2mId.SECURITY, LwM2mId.SERVER, LwM2mId.DEVICE));
        builder.setEndpointsProviders(endpoints.build());
        builder.setDataSenders(sender);
        builder.setSharedExecutor(threads);
        client = builder.build();
        client.addObserver(new LwM2mClientObserverAdapter() {
            @Override
            public void onRegistrationSuccess(LwM2mServer server, RegisterRequest request, String registrationId) {
                registered.complete(null);
            }
        });
        client.start();
    }

    void awaitRegistered() throws Exception {
        registered.get(20, TimeUnit.SECONDS);
    }

    /** Sets free memory; observers of 3/0/10 are notified. */
    void freeMemory(long bytes) {
        device.freeMemory = bytes;
        device.fireResourceChange(10);
    }

    void batteryLevel(int percent) {
        device.battery = percent;
        device.fireResourceChange(9);
    }

    /** Collects the paths' current values now (the device's timestamp) and sends them in SenML. */
    void collectAndSend(ContentFormat format, String... paths) throws Exception {
        sender.collectData(java.util.Arrays.stream(paths).map(LwM2mPath::new).toList());
        sender.sendCollectedData(client.getRegisteredServers().values().iterator().next(), format, 10_000, false);
    }

    @Override
    public void close() {
        client.destroy(false);
        threads.shutdownNow();
    }

    public static final class DeviceObject extends BaseInstanceEnabler {
        volatile long freeMemory = 1000;
        volatile int battery = 100;

        public DeviceObject() {
        }

        @Override
        public ReadResponse read(LwM2mServer server, int resourceId) {
            return switch (resourceId) {
            case 0 -> ReadResponse.success(resourceId, "Acme Instruments");
            case 1 -> ReadResponse.success(resourceId, MODEL);
            case 2 -> ReadResponse.success(resourceId, "SN-probe");
            case 3 -> ReadResponse.success(resourceId, "1.0.0");
            case 9 -> ReadResponse.success(resourceId, (long) battery);
            case 10 -> ReadResponse.success(resourceId, freeMemory);
            case 16 -> ReadResponse.success(resourceId, "U");
            default -> super.read(server, resourceId);
            };
        }

        @Override
        public List<Integer> getAvailableResourceIds(ObjectModel model) {
            return List.of(0, 1, 2, 3, 9, 10, 16);
        }
    }
}
