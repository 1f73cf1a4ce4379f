package dev.ferry.server.lwm2m;

import java.time.OffsetDateTime;

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

/**
 * After a registration, reads the device's identity (Object 3) and, when it has one, its firmware update
 * state (Object 5). Both reads are asynchronous; results become registry changes like any other.
 */
final class DeviceInfoReader {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceInfoReader.class);
    static final int DEVICE_OBJECT = 3;
    static final int FIRMWARE_UPDATE_OBJECT = 5;

    private final RegistryWriter writer;
    private final long timeoutMillis;
    private final boolean enabled;
    private volatile LeshanServer server;

    DeviceInfoReader(RegistryWriter writer, long timeoutMillis, boolean enabled) {
        this.writer = writer;
        this.timeoutMillis = timeoutMillis;
        this.enabled = enabled;
    }

    void attach(LeshanServer server) {
        this.server = server;
    }

    void readAfterRegistration(Registration registration) {
        LeshanServer target = server;
        if (!enabled || target == null) {
            return;
        }
        if (registration.getSupportedObject().containsKey(DEVICE_OBJECT)) {
            target.send(registration, new ReadRequest(DEVICE_OBJECT, 0), timeoutMillis,
                    response -> onDeviceRead(registration, response), e -> onReadFailed(registration, "3/0", e));
        }
        if (registration.getSupportedObject().containsKey(FIRMWARE_UPDATE_OBJECT)) {
            target.send(registration, new ReadRequest(FIRMWARE_UPDATE_OBJECT, 0), timeoutMillis,
                    response -> onFirmwareRead(registration, response), e -> onReadFailed(registration, "5/0", e));
        }
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

    private static String text(LwM2mObjectInstance instance, int resourceId) {
        LwM2mResource resource = instance.getResource(resourceId);
        return resource == null || resource.isMultiInstances() ? null : String.valueOf(resource.getValue());
    }

    private static Integer integer(LwM2mObjectInstance instance, int resourceId) {
        LwM2mResource resource = instance.getResource(resourceId);
        if (resource == null || resource.isMultiInstances() || !(resource.getValue() instanceof Number n)) {
            return null;
        }
        return n.intValue();
    }
}
