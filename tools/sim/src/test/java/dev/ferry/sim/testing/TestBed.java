package dev.ferry.sim.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.sim.device.DeviceEvent;
import dev.ferry.sim.device.FirmwareState;
import dev.ferry.sim.device.SimDevice;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ReadResponse;

/**
 * Everything an update test needs on loopback: a plain Leshan server, a CoAP(S) and an HTTP firmware
 * server, shared threads for the devices, and the server's side of an update.
 */
public final class TestBed implements AutoCloseable {
    public static final long WAIT_SECONDS = 20;

    public final TestLwm2mServer lwm2m = new TestLwm2mServer();
    public final TestCoapFirmwareServer coapFirmware = new TestCoapFirmwareServer();
    public final TestHttpFirmwareServer httpFirmware;
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(4);
    private final List<SimDevice> devices = new ArrayList<>();

    public TestBed() throws IOException {
        httpFirmware = new TestHttpFirmwareServer();
    }

    /** A device on the plain CoAP LwM2M endpoint, running the old image, with short test timings. */
    public SimDevice.Builder device(String endpoint) {
        return SimDevice.builder(endpoint)
                .server(lwm2m.coapUri())
                .primaryImage(TestFirmware.OLD)
                .trustedKeys(TestFirmware.TRUSTED)
                .rebootDelay(Duration.ofMillis(50))
                .downloadRetries(5, Duration.ofMillis(50))
                .coapTimeouts(Duration.ofMillis(300), 4)
                .confirmDeadline(Duration.ofSeconds(10))
                .powerOffTime(Duration.ofMillis(100))
                .sharedExecutor(threads);
    }

    /** Builds the device, to be closed after the test, without starting it. */
    public SimDevice build(SimDevice.Builder builder) {
        SimDevice device = builder.build();
        devices.add(device);
        return device;
    }

    /** Starts the device and waits until both the server and the device know it registered. */
    public SimDevice started(SimDevice.Builder builder) throws Exception {
        SimDevice device = builder.build();
        devices.add(device);
        CompletableFuture<?> serverSide = lwm2m.nextRegistration(device.endpoint());
        CompletableFuture<?> deviceSide = device.next(DeviceEvent.Type.REGISTERED);
        device.start();
        CompletableFuture.allOf(serverSide, deviceSide).get(WAIT_SECONDS, TimeUnit.SECONDS);
        return device;
    }

    /**
     * The server's part of a pull: writes the Package URI, waits for Downloaded (or a failure) and executes
     * Update. Returns the outcome: object 5 back to Idle with its final result.
     */
    public DeviceEvent pullUpdate(SimDevice device, String uri) throws Exception {
        CompletableFuture<DeviceEvent> downloaded = device.next(e -> e.type() == DeviceEvent.Type.STATE_CHANGED
                && (e.state() == FirmwareState.DOWNLOADED || e.isUpdateOutcome()));
        assertSuccess(lwm2m.send(device.endpoint(), new WriteRequest(5, 0, 1, uri)));
        return executeWhenDownloaded(device, downloaded);
    }

    /** Waits for Downloaded, then executes Update and waits for the outcome. */
    public DeviceEvent executeWhenDownloaded(SimDevice device, CompletableFuture<DeviceEvent> downloaded)
            throws Exception {
        DeviceEvent event = downloaded.get(WAIT_SECONDS, TimeUnit.SECONDS);
        if (event.isUpdateOutcome()) {
            return event;
        }
        CompletableFuture<DeviceEvent> outcome = device.nextUpdateOutcome();
        assertSuccess(lwm2m.send(device.endpoint(), new ExecuteRequest(5, 0, 2)));
        return outcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Reads a single resource of instance 0 of {@code object} through the server; the read must succeed. */
    public Object read(SimDevice device, int object, int resource) throws InterruptedException {
        ReadResponse response = lwm2m.send(device.endpoint(), new ReadRequest(object, 0, resource));
        assertSuccess(response);
        return ((LwM2mSingleResource) response.getContent()).getValue();
    }

    public static void assertSuccess(LwM2mResponse response) {
        assertThat(response.getCode()).as(response.getErrorMessage() == null ? "" : response.getErrorMessage())
                .isIn(ResponseCode.CHANGED, ResponseCode.CONTENT);
    }

    /** Closes the devices made so far; the servers stay for the next test. */
    public void closeDevices() {
        devices.forEach(SimDevice::close);
        devices.clear();
    }

    @Override
    public void close() {
        closeDevices();
        lwm2m.close();
        coapFirmware.close();
        httpFirmware.close();
        threads.shutdownNow();
    }
}
