package dev.ferry.sim.device;

import java.util.List;
import java.util.Map;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.request.argument.Arguments;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;

/** Object 3 instance 0: who the device is and, in 3/0/3, the version of the image it runs. */
final class DeviceObject extends BaseInstanceEnabler {
    private static final int MANUFACTURER = 0;
    private static final int MODEL = 1;
    private static final int SERIAL = 2;
    private static final int FIRMWARE_VERSION = 3;
    private static final int REBOOT = 4;
    private static final int ERROR_CODES = 11;
    private static final int BINDINGS = 16;
    private static final List<Integer> RESOURCES = List.of(MANUFACTURER, MODEL, SERIAL, FIRMWARE_VERSION, REBOOT,
            ERROR_CODES, BINDINGS);

    private final SimDevice device;
    private final String model;

    DeviceObject(SimDevice device, String model) {
        super(0);
        this.device = device;
        this.model = model;
    }

    @Override
    public ReadResponse read(LwM2mServer server, int resourceId) {
        return switch (resourceId) {
            case MANUFACTURER -> ReadResponse.success(resourceId, "Ferry");
            case MODEL -> ReadResponse.success(resourceId, model);
            case SERIAL -> ReadResponse.success(resourceId, device.endpoint());
            case FIRMWARE_VERSION -> ReadResponse.success(resourceId, device.runningVersion().toString());
            case ERROR_CODES -> ReadResponse.success(resourceId, Map.of(0, 0L), Type.INTEGER);
            case BINDINGS -> ReadResponse.success(resourceId, "U");
            default -> super.read(server, resourceId);
        };
    }

    @Override
    public ExecuteResponse execute(LwM2mServer server, int resourceId, Arguments arguments) {
        if (resourceId == REBOOT) {
            device.rebootSoon("the server executed Reboot (3/0/4)");
            return ExecuteResponse.success();
        }
        return super.execute(server, resourceId, arguments);
    }

    @Override
    public List<Integer> getAvailableResourceIds(ObjectModel model) {
        return RESOURCES;
    }
}
