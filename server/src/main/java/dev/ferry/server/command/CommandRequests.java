package dev.ferry.server.command;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttribute;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributeSet;
import org.eclipse.leshan.core.link.lwm2m.attributes.LwM2mAttributes;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.ContentFormat;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteAttributesRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.WriteRequest.Mode;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.core.response.ObserveResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.eclipse.leshan.server.model.LwM2mModelProvider;
import org.eclipse.leshan.server.registration.Registration;

import dev.ferry.server.lwm2m.ResourceValues;
import io.vertx.core.json.JsonObject;

/**
 * Turns a queued command into the LwM2M request for one registration, checked against the object models the
 * device declares, and the device's answer into the value recorded as the outcome.
 */
final class CommandRequests {
    private final LwM2mModelProvider models;

    CommandRequests(LwM2mModelProvider models) {
        this.models = models;
    }

    /**
     * The request for a read, write, execute, write-attributes or observe; cancel-observe has none of its own
     * (see {@link CommandDispatcher}). Fails with {@link InvalidCommandException} when the device cannot take it.
     */
    DownlinkRequest<? extends LwM2mResponse> request(Command command, Registration registration) {
        LwM2mPath path = new LwM2mPath(command.path());
        if (!registration.getSupportedObject().containsKey(path.getObjectId())) {
            throw new InvalidCommandException("the device does not declare object " + path.getObjectId());
        }
        JsonObject payload = command.payload();
        return switch (command.kind()) {
            case READ -> new ReadRequest(command.path());
            case OBSERVE -> new ObserveRequest(command.path());
            case EXECUTE -> {
                requireOperation(registration, path, "executed", ResourceModel.Operations::isExecutable);
                String arguments = payload.getString("arguments");
                yield arguments == null ? new ExecuteRequest(command.path())
                        : new ExecuteRequest(command.path(), arguments);
            }
            case WRITE -> write(registration, path, payload);
            case WRITE_ATTRIBUTES -> new WriteAttributesRequest(path, attributes(payload.getJsonObject("attributes")));
            case CANCEL_OBSERVE -> throw new IllegalArgumentException("cancel-observe is no single request");
        };
    }

    private WriteRequest write(Registration registration, LwM2mPath path, JsonObject payload) {
        ObjectModel object = objectModel(registration, path);
        if (payload.containsKey("value")) {
            ResourceModel model = resourceModel(object, path.getResourceId(), path);
            requireWritable(model, path);
            Object value = ResourceValues.fromJsonValue(model.type, payload.getValue("value"), path.toString());
            // Addressed to the resource itself: an instance-level replace would wipe its other resources.
            return new WriteRequest(Mode.REPLACE, ContentFormat.TLV, path,
                    LwM2mSingleResource.newResource(path.getResourceId(), value, model.type));
        }
        List<LwM2mResource> resources = new ArrayList<>();
        JsonObject values = payload.getJsonObject("values");
        for (String id : new TreeMap<>(values.getMap()).keySet()) {
            int resourceId = Integer.parseInt(id);
            LwM2mPath resourcePath = new LwM2mPath(path.getObjectId(), path.getObjectInstanceId(), resourceId);
            ResourceModel model = resourceModel(object, resourceId, resourcePath);
            requireWritable(model, resourcePath);
            Object value = ResourceValues.fromJsonValue(model.type, values.getValue(id), resourcePath.toString());
            resources.add(LwM2mSingleResource.newResource(resourceId, value, model.type));
        }
        // A partial update: the instance's other resources keep their values.
        return new WriteRequest(Mode.UPDATE, ContentFormat.TLV, path.getObjectId(),
                path.getObjectInstanceId(), resources);
    }

    private void requireOperation(Registration registration, LwM2mPath path, String operation,
            java.util.function.Predicate<ResourceModel.Operations> allowed) {
        ObjectModel object = models.getObjectModel(registration).getObjectModel(path.getObjectId());
        if (object == null) {
            return; // no model: the device judges
        }
        ResourceModel model = resourceModel(object, path.getResourceId(), path);
        if (!allowed.test(model.operations)) {
            throw new InvalidCommandException(path + " (" + model.name + ") cannot be " + operation
                    + "; its object model allows " + model.operations.name());
        }
    }

    private ObjectModel objectModel(Registration registration, LwM2mPath path) {
        ObjectModel object = models.getObjectModel(registration).getObjectModel(path.getObjectId());
        if (object == null) {
            throw new InvalidCommandException("the server has no object model for " + path
                    + ", so it cannot encode a value for it");
        }
        return object;
    }

    private static ResourceModel resourceModel(ObjectModel object, int resourceId, LwM2mPath path) {
        ResourceModel model = object.resources.get(resourceId);
        if (model == null) {
            throw new InvalidCommandException("object " + object.id + " (" + object.name + ") has no resource "
                    + resourceId + " (" + path + ")");
        }
        return model;
    }

    private static void requireWritable(ResourceModel model, LwM2mPath path) {
        if (!model.operations.isWritable()) {
            throw new InvalidCommandException(path + " (" + model.name + ") cannot be written; its object model"
                    + " allows " + model.operations.name());
        }
    }

    static LwM2mAttributeSet attributes(JsonObject attributes) {
        List<LwM2mAttribute<?>> set = new ArrayList<>();
        attributes.forEach(a -> {
            Number n = (Number) a.getValue();
            set.add(switch (a.getKey()) {
                case "pmin" -> LwM2mAttributes.create(LwM2mAttributes.MINIMUM_PERIOD, n.longValue());
                case "pmax" -> LwM2mAttributes.create(LwM2mAttributes.MAXIMUM_PERIOD, n.longValue());
                case "gt" -> LwM2mAttributes.create(LwM2mAttributes.GREATER_THAN, n.doubleValue());
                case "lt" -> LwM2mAttributes.create(LwM2mAttributes.LESSER_THAN, n.doubleValue());
                case "st" -> LwM2mAttributes.create(LwM2mAttributes.STEP, n.doubleValue());
                default -> throw new InvalidCommandException("unknown attribute '" + a.getKey() + "'");
            });
        });
        return new LwM2mAttributeSet(set);
    }

    /** The value an answer carries (reads and observes), shaped as the synchronous resource routes show values. */
    static Object value(LwM2mResponse response) {
        LwM2mNode content = response instanceof ReadResponse read ? read.getContent()
                : response instanceof ObserveResponse observe ? observe.getContent() : null;
        return content == null ? null : node(content);
    }

    private static Object node(LwM2mNode content) {
        if (content instanceof LwM2mResource resource) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("type", resource.getType().name());
            value.put("value", ResourceValues.toJsonValue(resource));
            return value;
        }
        if (content instanceof LwM2mObjectInstance instance) {
            Map<String, Object> resources = new TreeMap<>(Comparator.comparingInt(Integer::parseInt));
            instance.getResources().forEach((id, resource) -> resources.put(id.toString(), node(resource)));
            return resources;
        }
        if (content instanceof LwM2mObject object) {
            Map<String, Object> instances = new TreeMap<>(Comparator.comparingInt(Integer::parseInt));
            object.getInstances().forEach((id, instance) -> instances.put(id.toString(), node(instance)));
            return instances;
        }
        return content.toString();
    }
}
