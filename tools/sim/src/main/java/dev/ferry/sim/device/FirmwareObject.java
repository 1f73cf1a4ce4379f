package dev.ferry.sim.device;

import java.util.List;
import java.util.Map;
import org.eclipse.leshan.client.resource.BaseInstanceEnabler;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel.Type;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.request.argument.Arguments;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * Object 5 instance 0 as the LwM2M client exposes it; one per boot. Decisions are the device's; this
 * only maps resources to them.
 */
final class FirmwareObject extends BaseInstanceEnabler {
    static final int PACKAGE = 0;
    static final int PACKAGE_URI = 1;
    static final int UPDATE = 2;
    static final int STATE = 3;
    static final int UPDATE_RESULT = 5;
    static final int PKG_NAME = 6;
    static final int PKG_VERSION = 7;
    static final int PROTOCOL_SUPPORT = 8;
    static final int DELIVERY_METHOD = 9;

    /** 0 CoAP, 1 CoAPS, 2 HTTP 1.1 (3 HTTPS is not supported). */
    private static final Map<Integer, Long> PROTOCOLS = Map.of(0, 0L, 1, 1L, 2, 2L);
    /** Both pull and push. */
    private static final long DELIVERY_BOTH = 2;
    private static final List<Integer> RESOURCES = List.of(PACKAGE, PACKAGE_URI, UPDATE, STATE, UPDATE_RESULT,
            PKG_NAME, PKG_VERSION, PROTOCOL_SUPPORT, DELIVERY_METHOD);

    private final FirmwareUpdates device;

    FirmwareObject(FirmwareUpdates device) {
        super(0);
        this.device = device;
    }

    @Override
    public ReadResponse read(LwM2mServer server, int resourceId) {
        FirmwareUpdates.FirmwareView view = device.firmwareView();
        return switch (resourceId) {
            case PACKAGE_URI -> ReadResponse.success(resourceId, view.packageUri());
            case STATE -> ReadResponse.success(resourceId, (long) view.state().code());
            case UPDATE_RESULT -> ReadResponse.success(resourceId, (long) view.result().code());
            case PKG_NAME -> ReadResponse.success(resourceId, view.packageName());
            case PKG_VERSION -> ReadResponse.success(resourceId, view.packageVersion());
            case PROTOCOL_SUPPORT -> ReadResponse.success(resourceId, PROTOCOLS, Type.INTEGER);
            case DELIVERY_METHOD -> ReadResponse.success(resourceId, DELIVERY_BOTH);
            default -> super.read(server, resourceId);
        };
    }

    @Override
    public WriteResponse write(LwM2mServer server, boolean replace, int resourceId, LwM2mResource value) {
        return switch (resourceId) {
            case PACKAGE -> device.writePackage((byte[]) value.getValue());
            case PACKAGE_URI -> device.writePackageUri((String) value.getValue());
            default -> super.write(server, replace, resourceId, value);
        };
    }

    @Override
    public ExecuteResponse execute(LwM2mServer server, int resourceId, Arguments arguments) {
        if (resourceId == UPDATE) {
            return device.executeUpdate();
        }
        return super.execute(server, resourceId, arguments);
    }

    /** Tells observers State, Update Result and what depends on them changed. */
    void fireStateChange() {
        fireResourcesChange(getResourcePaths(PACKAGE_URI, STATE, UPDATE_RESULT, PKG_NAME, PKG_VERSION));
    }

    @Override
    public List<Integer> getAvailableResourceIds(ObjectModel model) {
        return RESOURCES;
    }
}
