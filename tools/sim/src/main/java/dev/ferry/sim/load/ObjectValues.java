package dev.ferry.sim.load;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.model.ObjectLoader;
import org.eclipse.leshan.core.model.StaticModel;
import org.eclipse.leshan.core.node.LwM2mMultipleResource;
import org.eclipse.leshan.core.node.LwM2mNode;
import org.eclipse.leshan.core.node.LwM2mObject;
import org.eclipse.leshan.core.node.LwM2mObjectInstance;
import org.eclipse.leshan.core.node.LwM2mPath;
import org.eclipse.leshan.core.node.LwM2mResource;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.node.codec.CodecException;
import org.eclipse.leshan.core.node.codec.DefaultLwM2mEncoder;
import org.eclipse.leshan.core.request.ContentFormat;

/**
 * The fixed values every load endpoint reports for objects 1 (Server), 3 (Device) and 5 (Firmware Update),
 * encoded once at start by Leshan's encoder in every content format it can write for each path (object,
 * instance, resource), so answering a read costs a map lookup. The values are the same for every endpoint.
 */
final class ObjectValues {
    /** What a read without an Accept option gets: TLV, which every LwM2M 1.0 and 1.1 server decodes. */
    static final int DEFAULT_FORMAT = ContentFormat.TLV_CODE;
    static final int LINK_FORMAT = ContentFormat.LINK_CODE;

    private final Map<String, Map<Integer, byte[]>> reads = new HashMap<>();
    private final Map<String, byte[]> discoveries = new HashMap<>();
    private final List<Integer> objects;
    private final byte[] registerPayload;
    private final LwM2mModel model = new StaticModel(ObjectLoader.loadAllDefault());
    private final DefaultLwM2mEncoder encoder = new DefaultLwM2mEncoder();

    private ObjectValues(List<Integer> objects, long lifetime) {
        this.objects = List.copyOf(objects);
        StringBuilder links = new StringBuilder();
        for (int objectId : objects) {
            LwM2mObjectInstance instance = new LwM2mObjectInstance(0, resources(objectId, lifetime));
            if (links.length() > 0) {
                links.append(',');
            }
            links.append("</").append(objectId).append("/0>");
            put(encoder, model, new LwM2mPath(objectId), new LwM2mObject(objectId, instance));
            put(encoder, model, new LwM2mPath(objectId, 0), instance);
            StringBuilder discover = new StringBuilder("</" + objectId + "/0>");
            for (LwM2mResource resource : instance.getResources().values()) {
                put(encoder, model, new LwM2mPath(objectId, 0, resource.getId()), resource);
                discover.append(",</").append(objectId).append("/0/").append(resource.getId()).append('>');
            }
            byte[] links0 = discover.toString().getBytes(StandardCharsets.UTF_8);
            discoveries.put("/" + objectId, links0);
            discoveries.put("/" + objectId + "/0", links0);
        }
        registerPayload = links.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The values of {@code objects} (each with instance 0), the Server object reporting {@code lifetime}. */
    static ObjectValues of(List<Integer> objects, long lifetime) {
        for (int objectId : objects) {
            if (objectId != 1 && objectId != 3 && objectId != 5) {
                throw new IllegalArgumentException("object " + objectId + " is not simulated: choose from 1, 3, 5");
            }
        }
        return new ObjectValues(objects, lifetime);
    }

    private static List<LwM2mResource> resources(int objectId, long lifetime) {
        List<LwM2mResource> resources = new ArrayList<>();
        switch (objectId) {
            case 1 -> {
                resources.add(LwM2mSingleResource.newIntegerResource(0, 1));
                resources.add(LwM2mSingleResource.newIntegerResource(1, lifetime));
                resources.add(LwM2mSingleResource.newBooleanResource(6, false));
                resources.add(LwM2mSingleResource.newStringResource(7, "U"));
            }
            case 3 -> {
                resources.add(LwM2mSingleResource.newStringResource(0, "Ferry Simulator"));
                resources.add(LwM2mSingleResource.newStringResource(1, "sim-1"));
                resources.add(LwM2mSingleResource.newStringResource(2, "SIM-LOAD"));
                resources.add(LwM2mSingleResource.newStringResource(3, "1.0.0"));
                resources.add(LwM2mSingleResource.newIntegerResource(10, 0)); // free memory: what notifications carry
                resources.add(LwM2mMultipleResource.newIntegerResource(11, Map.of(0, 0L)));
                resources.add(LwM2mSingleResource.newStringResource(16, "U"));
            }
            default -> {
                resources.add(LwM2mSingleResource.newStringResource(1, ""));
                resources.add(LwM2mSingleResource.newIntegerResource(3, 0));
                resources.add(LwM2mSingleResource.newIntegerResource(5, 0));
                resources.add(LwM2mSingleResource.newStringResource(6, "app"));
                resources.add(LwM2mSingleResource.newStringResource(7, "1.0.0"));
                resources.add(LwM2mMultipleResource.newIntegerResource(8, Map.of(0, 0L, 1, 1L, 2, 2L)));
                resources.add(LwM2mSingleResource.newIntegerResource(9, 2));
            }
        }
        return resources;
    }

    private void put(DefaultLwM2mEncoder encoder, LwM2mModel model, LwM2mPath path, LwM2mNode node) {
        Map<Integer, byte[]> encodings = new HashMap<>();
        for (ContentFormat format : encoder.getSupportedContentFormat()) {
            try {
                encodings.put(format.getCode(), encoder.encode(node, format, path, model));
            } catch (CodecException | IllegalArgumentException e) {
                // this format cannot carry this node (e.g. plain text for a whole instance): 4.06 then
            }
        }
        reads.put(path.toString(), encodings);
    }

    /**
     * {@code value} as the integer resource {@code resourceId} at {@code path}, encoded in {@code format} (plain
     * text by hand, the others by Leshan's encoder), or null when that format cannot carry it.
     */
    byte[] encodeInteger(String path, int resourceId, long value, int format) {
        if (format == ContentFormat.TEXT_CODE) {
            return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
        }
        try {
            return encoder.encode(LwM2mSingleResource.newIntegerResource(resourceId, value),
                    ContentFormat.fromCode(format), new LwM2mPath(path), model);
        } catch (CodecException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Whether {@code path} ("/3/0/1") names something the endpoints have. */
    boolean has(String path) {
        return reads.containsKey(path);
    }

    /** The encoded value of {@code path} in {@code format}, or null when that format cannot carry it. */
    byte[] read(String path, int format) {
        Map<Integer, byte[]> encodings = reads.get(path);
        return encodings == null ? null : encodings.get(format);
    }

    /** The link-format answer to a Discover of an object or instance, or null for anything else. */
    byte[] discover(String path) {
        return discoveries.get(path);
    }

    /** The Register payload: {@code </1/0>,</3/0>,</5/0>}. */
    byte[] registerPayload() {
        return registerPayload;
    }

    List<Integer> objects() {
        return objects;
    }
}
