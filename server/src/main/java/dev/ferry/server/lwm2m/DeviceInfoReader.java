package dev.ferry.server.lwm2m;

import java.time.OffsetDateTime;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.device.RegistryChange;
import dev.ferry.server.device.RegistryWriter;
import dev.ferry.server.device.StoredIdentities;

/**
 * After a registration, reads what the registry does not know yet of the device: its identity (Object 3) and,
 * when it has one, its firmware update state (Object 5). A device whose identity was never read gets both read
 * whole; a device the registry knows gets only its firmware version (3/0/3) read, and both objects again only when
 * that version changed. Object 5 of a device with an unfinished update session is followed by the update engine.
 * <p>
 * The registering thread only queues the registration: deciding (a database lookup) and sending run on this
 * reader's own thread, so a registration never waits for a read. When that queue is full the read is skipped,
 * counted and logged. Results become registry changes like any other.
 */
final class DeviceInfoReader {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceInfoReader.class);
    static final int DEVICE_OBJECT = 3;
    static final int FIRMWARE_UPDATE_OBJECT = 5;
    static final int FIRMWARE_VERSION = 3;
    /** Registrations waiting for their reads; a storm beyond this skips reads rather than hold the receivers. */
    private static final int QUEUE_CAPACITY = 10_000;
    private static final long SKIP_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final RegistryWriter writer;
    private final StoredIdentities identities;
    private final long timeoutMillis;
    private final boolean enabled;
    private final ThreadPoolExecutor sender;
    private final AtomicLong skipped = new AtomicLong();
    private volatile long lastSkipLog;
    private volatile LeshanServer server;

    DeviceInfoReader(RegistryWriter writer, long timeoutMillis, boolean enabled) {
        this.writer = writer;
        this.identities = writer.storedIdentities();
        this.timeoutMillis = timeoutMillis;
        this.enabled = enabled;
        // One thread, started on demand and ended when idle for a minute, so a stopped server leaves nothing running.
        this.sender = new ThreadPoolExecutor(1, 1, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
                task -> {
                    Thread thread = new Thread(task, "ferry-device-info");
                    thread.setDaemon(true);
                    return thread;
                });
        this.sender.allowCoreThreadTimeOut(true);
    }

    void attach(LeshanServer server) {
        this.server = server;
    }

    /** Drops the reads not yet sent and ends the reader's thread; the server is stopping. */
    void close() {
        sender.shutdownNow();
    }

    /** Registrations whose reads were skipped because the queue was full. */
    long skippedCount() {
        return skipped.get();
    }

    /** Called on the thread that received the registration: only queues it. */
    void readAfterRegistration(Registration registration) {
        if (!enabled || server == null || !(has(registration, DEVICE_OBJECT)
                || has(registration, FIRMWARE_UPDATE_OBJECT))) {
            return;
        }
        queue(registration, () -> readWhatIsUnknown(registration));
    }

    private void readWhatIsUnknown(Registration registration) {
        StoredIdentities.Identity stored = identities.of(registration.getEndpoint());
        if (stored == null || !has(registration, DEVICE_OBJECT)) {
            readAll(registration);
            return;
        }
        send(registration, new ReadRequest(DEVICE_OBJECT, 0, FIRMWARE_VERSION),
                response -> onVersionRead(registration, stored.firmwareVersion(), response), "3/0/3");
    }

    /** A device without a firmware version answers the read with an error: unchanged too, when none is stored. */
    private void onVersionRead(Registration registration, String stored, ReadResponse response) {
        String version = response.isSuccess() && response.getContent() instanceof LwM2mResource resource
                ? text(resource) : null;
        if (Objects.equals(stored, version)) {
            return;
        }
        LOG.debug("Device {} reports firmware version {} (registry: {}); reading objects 3 and 5",
                registration.getEndpoint(), version, stored);
        queue(registration, () -> readAll(registration));
    }

    private void readAll(Registration registration) {
        if (has(registration, DEVICE_OBJECT)) {
            send(registration, new ReadRequest(DEVICE_OBJECT, 0), response -> onDeviceRead(registration, response),
                    "3/0");
        }
        if (has(registration, FIRMWARE_UPDATE_OBJECT)) {
            send(registration, new ReadRequest(FIRMWARE_UPDATE_OBJECT, 0),
                    response -> onFirmwareRead(registration, response), "5/0");
        }
    }

    private void queue(Registration registration, Runnable work) {
        try {
            sender.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    LOG.info("Reading the identity of device {} failed: {}", registration.getEndpoint(), e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            long count = skipped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastSkipLog > SKIP_LOG_INTERVAL_NANOS) {
                lastSkipLog = now;
                LOG.warn("Device-info read queue is full; {} registration(s) not read so far (latest: {}); the"
                        + " registry keeps what it knew of them", count, registration.getEndpoint());
            }
        }
    }

    private void send(Registration registration, ReadRequest request,
            org.eclipse.leshan.core.response.ResponseCallback<ReadResponse> onResponse, String path) {
        server.send(registration, request, timeoutMillis, onResponse, e -> onReadFailed(registration, path, e));
    }

    private void onDeviceRead(Registration registration, ReadResponse response) {
        if (!response.isSuccess() || !(response.getContent() instanceof LwM2mObjectInstance instance)) {
            LOG.info("Device {} answered {} to a read of 3/0", registration.getEndpoint(), response.getCode());
            return;
        }
        writer.submit(new RegistryChange.DeviceInfoRead(registration.getEndpoint(), text(instance, 0),
                text(instance, 1), text(instance, 2), text(instance, 3), OffsetDateTime.now()));
    }

    private void onFirmwareRead(Registration registration, ReadResponse response) {
        if (!response.isSuccess() || !(response.getContent() instanceof LwM2mObjectInstance instance)) {
            LOG.info("Device {} answered {} to a read of 5/0", registration.getEndpoint(), response.getCode());
            return;
        }
        writer.submit(new RegistryChange.FirmwareStateRead(registration.getEndpoint(), integer(instance, 3),
                integer(instance, 5), OffsetDateTime.now()));
    }

    private static void onReadFailed(Registration registration, String path, Exception e) {
        LOG.info("Reading {} of device {} failed: {}", path, registration.getEndpoint(), e.toString());
    }

    private static boolean has(Registration registration, int objectId) {
        return registration.getSupportedObject().containsKey(objectId);
    }

    private static String text(LwM2mObjectInstance instance, int resourceId) {
        LwM2mResource resource = instance.getResource(resourceId);
        return resource == null ? null : text(resource);
    }

    private static String text(LwM2mResource resource) {
        if (resource.isMultiInstances()) {
            return null;
        }
        // Without a model of the object version the device declared, a string arrives as opaque bytes.
        return resource.getValue() instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
                : String.valueOf(resource.getValue());
    }

    private static Integer integer(LwM2mObjectInstance instance, int resourceId) {
        LwM2mResource resource = instance.getResource(resourceId);
        if (resource == null || resource.isMultiInstances() || !(resource.getValue() instanceof Number n)) {
            return null;
        }
        return n.intValue();
    }
}
