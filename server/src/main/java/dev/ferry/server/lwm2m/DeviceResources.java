package dev.ferry.server.lwm2m;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.eclipse.leshan.core.LwM2mId;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.model.ResourceModel.Operations;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.WriteRequest.Mode;
import org.eclipse.leshan.core.request.exception.TimeoutException;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.lwm2m.DeviceRequestException.Kind;

/**
 * Read, write and execute single resources on registered devices. Every call is asynchronous and completes
 * exceptionally with a {@link DeviceRequestException} that says what went wrong.
 */
public final class DeviceResources {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceResources.class);
    private final LeshanServer server;
    private final LifetimeRange lifetimes;

    DeviceResources(LeshanServer server, LifetimeRange lifetimes) {
        this.server = server;
        this.lifetimes = lifetimes;
    }

    public CompletableFuture<ResourceValue> read(String endpoint, int objectId, int instanceId, int resourceId,
            Duration timeout) {
        String path = path(objectId, instanceId, resourceId);
        return awake(endpoint).thenCompose(reg -> {
            ResourceModel model = model(reg, objectId, resourceId, path);
            if (model != null && !model.operations.isReadable()) {
                throw notAllowed(path, model, "read");
            }
            return send(reg, new ReadRequest(objectId, instanceId, resourceId), timeout, path);
        }).thenApply(response -> {
            ReadResponse read = response;
            if (!(read.getContent() instanceof LwM2mResource resource)) {
                throw new DeviceRequestException(Kind.SEND_FAILED, "device returned no resource for " + path);
            }
            return new ResourceValue(path, resource.getType().name(), ResourceValues.toJsonValue(resource));
        });
    }

    public CompletableFuture<Void> write(String endpoint, int objectId, int instanceId, int resourceId,
            Object jsonValue, Duration timeout) {
        String path = path(objectId, instanceId, resourceId);
        String lifetimeRefusal = lifetimeRefusal(objectId, resourceId, jsonValue);
        if (lifetimeRefusal != null) {
            return CompletableFuture.failedFuture(new DeviceRequestException(Kind.BAD_VALUE, path
                    + " is the device's registration lifetime: " + lifetimeRefusal));
        }
        return awake(endpoint).thenCompose(reg -> {
            ResourceModel model = model(reg, objectId, resourceId, path);
            if (model == null) {
                throw new DeviceRequestException(Kind.UNKNOWN_RESOURCE,
                        "the server has no object model for " + path + ", so it cannot encode a value for it");
            }
            if (!model.operations.isWritable()) {
                throw notAllowed(path, model, "written");
            }
            Object value = ResourceValues.fromJsonValue(model.type, jsonValue, path);
            // Addressed to the resource itself: an instance-level replace would wipe its other resources.
            WriteRequest request = new WriteRequest(Mode.REPLACE, ContentFormat.TLV,
                    new LwM2mPath(objectId, instanceId, resourceId),
                    LwM2mSingleResource.newResource(resourceId, value, model.type));
            return send(reg, request, timeout, path).thenApply(r -> (Void) null);
        });
    }

    public CompletableFuture<Void> execute(String endpoint, int objectId, int instanceId, int resourceId,
            String arguments, Duration timeout) {
        String path = path(objectId, instanceId, resourceId);
        return awake(endpoint).thenCompose(reg -> {
            ResourceModel model = model(reg, objectId, resourceId, path);
            if (model != null && !model.operations.isExecutable()) {
                throw notAllowed(path, model, "executed");
            }
            ExecuteRequest request = arguments == null || arguments.isEmpty()
                    ? new ExecuteRequest(objectId, instanceId, resourceId)
                    : new ExecuteRequest(objectId, instanceId, resourceId, arguments);
            return send(reg, request, timeout, path).thenApply(r -> (Void) null);
        });
    }

    /**
     * Why a write of this value to this resource is refused before any device is asked (a Server object's lifetime
     * outside the accepted range), or null when it is not.
     */
    public String writeRefusal(int objectId, int resourceId, Object jsonValue) {
        String refusal = lifetimeRefusal(objectId, resourceId, jsonValue);
        return refusal == null ? null : "/" + objectId + "/x/" + resourceId
                + " is the device's registration lifetime: " + refusal;
    }

    /** A Server object's lifetime (1/x/1) must stay within the range the server accepts at registration. */
    private String lifetimeRefusal(int objectId, int resourceId, Object jsonValue) {
        if (objectId != LwM2mId.SERVER || resourceId != LwM2mId.SRV_LIFETIME || !(jsonValue instanceof Number n)) {
            return null; // values that are not numbers are refused with the resource's type
        }
        double seconds = n.doubleValue();
        if (seconds != Math.rint(seconds) || Math.abs(seconds) >= Long.MAX_VALUE) {
            return "it must be a whole number of seconds, " + lifetimes.describe() + ", got " + n;
        }
        return lifetimes.refusal(n.longValue());
    }

    /**
     * Reads a whole object (instanceId null) or object instance, shaped for JSON: {@code {"path": "/3",
     * "instances": {"0": {"0": {"type": "STRING", "value": "..."}, ...}}}} or {@code {"path": "/3/0", "resources":
     * {...}}}.
     */
    public CompletableFuture<Map<String, Object>> readNode(String endpoint, int objectId, Integer instanceId, Duration timeout) {
        String path = "/" + objectId + (instanceId == null ? "" : "/" + instanceId);
        return awake(endpoint).thenCompose(reg -> {
            if (!reg.getSupportedObject().containsKey(objectId)) {
                throw new DeviceRequestException(Kind.UNKNOWN_RESOURCE,
                        "device '" + endpoint + "' does not declare object " + objectId);
            }
            ReadRequest request = instanceId == null ? new ReadRequest(objectId) : new ReadRequest(objectId, instanceId);
            return send(reg, request, timeout, path);
        }).thenApply(response -> {
            LwM2mNode content = response.getContent();
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("path", path);
            if (content instanceof LwM2mObject object) {
                Map<String, Object> instances = new TreeMap<>(Comparator.comparingInt(Integer::parseInt));
                object.getInstances().forEach((id, instance) -> instances.put(id.toString(), resources(instance)));
                node.put("instances", instances);
                return node;
            }
            if (content instanceof LwM2mObjectInstance instance) {
                node.put("resources", resources(instance));
                return node;
            }
            throw new DeviceRequestException(Kind.SEND_FAILED, "device returned no object or instance for " + path);
        });
    }

    private static Map<String, Object> resources(LwM2mObjectInstance instance) {
        Map<String, Object> resources = new TreeMap<>(Comparator.comparingInt(Integer::parseInt));
        instance.getResources().forEach((id, resource) -> {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("type", resource.getType().name());
            value.put("value", ResourceValues.toJsonValue(resource));
            resources.put(id.toString(), value);
        });
        return resources;
    }

    private static DeviceRequestException notAllowed(String path, ResourceModel model, String operation) {
        return DeviceRequestException.notAllowed(path + " (" + model.name + ") cannot be " + operation
                + "; its object model allows " + operations(model.operations), model.operations.name());
    }

    private static String operations(Operations operations) {
        List<String> names = new ArrayList<>();
        if (operations.isReadable()) {
            names.add("read");
        }
        if (operations.isWritable()) {
            names.add("write");
        }
        if (operations.isExecutable()) {
            names.add("execute");
        }
        return names.isEmpty() ? "no operation" : String.join(" and ", names);
    }

    private CompletableFuture<Registration> awake(String endpoint) {
        Registration registration = server.getRegistrationService().getByEndpoint(endpoint);
        if (registration == null) {
            return CompletableFuture.failedFuture(new DeviceRequestException(Kind.NOT_REGISTERED, "device '" + endpoint
                    + "' is not registered; it must register with the server before its resources can be reached"));
        }
        if (registration.usesQueueMode() && !server.getPresenceService().isClientAwake(registration)) {
            return CompletableFuture.failedFuture(new DeviceRequestException(Kind.ASLEEP, "device '" + endpoint
                    + "' uses queue mode and is asleep; queue the request with POST /api/v1/devices/" + endpoint
                    + "/commands and the device gets it when it next wakes up"));
        }
        return CompletableFuture.completedFuture(registration);
    }

    private ResourceModel model(Registration registration, int objectId, int resourceId, String path) {
        if (!registration.getSupportedObject().containsKey(objectId)) {
            throw new DeviceRequestException(Kind.UNKNOWN_RESOURCE,
                    "device '" + registration.getEndpoint() + "' does not declare object " + objectId);
        }
        var objectModel = server.getModelProvider().getObjectModel(registration).getObjectModel(objectId);
        if (objectModel == null) {
            return null;
        }
        ResourceModel model = objectModel.resources.get(resourceId);
        if (model == null) {
            throw new DeviceRequestException(Kind.UNKNOWN_RESOURCE,
                    "object " + objectId + " (" + objectModel.name + ") has no resource " + resourceId);
        }
        return model;
    }

    /**
     * Sends any request to a registered device. Fails with {@link DeviceRequestException}: {@code DEVICE_ERROR}
     * (with the device's code) when it answered with an error, {@code TIMEOUT} or {@code SEND_FAILED} otherwise.
     */
    public <T extends LwM2mResponse> CompletableFuture<T> send(Registration registration, DownlinkRequest<T> request,
            Duration timeout, String path) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            server.send(registration, request, timeout.toMillis(), response -> {
                if (response.isSuccess()) {
                    result.complete(response);
                } else {
                    String detail = response.getErrorMessage() == null ? "" : ": " + response.getErrorMessage();
                    result.completeExceptionally(new DeviceRequestException(Kind.DEVICE_ERROR,
                            "device answered " + response.getCode() + " to " + describe(request) + " " + path + detail,
                            response.getCode().getName()));
                }
            }, error -> result.completeExceptionally(translate(error, request, path, timeout)));
        } catch (RuntimeException e) {
            LOG.warn("Cannot send {} {} to {}", describe(request), path, registration.getEndpoint(), e);
            result.completeExceptionally(new DeviceRequestException(Kind.SEND_FAILED,
                    "cannot send " + describe(request) + " " + path + " to the device; the server log has the cause"));
        }
        return result;
    }

    private static DeviceRequestException translate(Exception error, DownlinkRequest<?> request, String path,
            Duration timeout) {
        if (error instanceof TimeoutException) {
            return new DeviceRequestException(Kind.TIMEOUT, "device did not answer " + describe(request) + " " + path
                    + " within " + timeout.toMillis() + " ms");
        }
        LOG.warn("{} {} failed", describe(request), path, error);
        return new DeviceRequestException(Kind.SEND_FAILED,
                describe(request) + " " + path + " failed before the device answered; the server log has the cause");
    }

    private static String describe(DownlinkRequest<?> request) {
        return request.getClass().getSimpleName().replace("Request", "").toLowerCase();
    }

    private static String path(int objectId, int instanceId, int resourceId) {
        return "/" + objectId + "/" + instanceId + "/" + resourceId;
    }
}
