package dev.ferry.server.api;

import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;

import dev.ferry.server.device.Device;
import dev.ferry.server.device.DeviceEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** JSON representations of registry data, as documented in openapi.yaml. */
final class DeviceJson {
    private DeviceJson() {
    }

    static JsonObject summary(Device d) {
        JsonObject security = new JsonObject().put("mode", d.securityMode().wireName());
        if (d.pskIdentity() != null) {
            security.put("identity", d.pskIdentity());
        }
        JsonObject json = new JsonObject()
                .put("endpoint", d.endpoint())
                .put("security", security)
                .put("tags", new JsonArray(d.tags()))
                .put("metadata", new JsonObject(d.metadata()))
                .put("manufacturer", d.manufacturer())
                .put("model", d.model())
                .put("serialNumber", d.serialNumber())
                .put("firmwareVersion", d.firmwareVersion())
                .put("online", d.online())
                .put("lastSeen", time(d.lastSeen()))
                .put("registration", registration(d))
                .put("firmwareUpdate", d.firmwareState() == null && d.firmwareResult() == null ? null
                        : new JsonObject().put("state", d.firmwareState()).put("result", d.firmwareResult()))
                .put("createdAt", time(d.createdAt()))
                .put("updatedAt", time(d.updatedAt()));
        return json;
    }

    static JsonObject detail(Device d, List<DeviceEvent> recentEvents) {
        return summary(d).put("recentEvents", events(recentEvents));
    }

    static JsonObject provisioned(Device d, byte[] generatedKey) {
        JsonObject json = summary(d);
        if (generatedKey != null) {
            // Shown exactly once: the server stores the key but never returns it again.
            json.getJsonObject("security").put("key", HexFormat.of().formatHex(generatedKey));
        }
        return json;
    }

    static JsonArray events(List<DeviceEvent> events) {
        JsonArray array = new JsonArray();
        for (DeviceEvent e : events) {
            array.add(new JsonObject().put("id", e.id()).put("endpoint", e.endpoint()).put("type", e.type().wireName())
                    .put("detail", e.detail()).put("peerAddress", e.peerAddress()).put("at", time(e.occurredAt())));
        }
        return array;
    }

    private static JsonObject registration(Device d) {
        if (d.registrationId() == null) {
            return null;
        }
        JsonArray objects = new JsonArray();
        if (d.supportedObjects() != null && !d.supportedObjects().isEmpty()) {
            for (String object : d.supportedObjects().split(",")) {
                // Registrations stored before instances were listed hold bare object ids ("3").
                objects.add(object.startsWith("/") ? object : "/" + object);
            }
        }
        return new JsonObject()
                .put("id", d.registrationId())
                .put("lwm2mVersion", d.lwm2mVersion())
                .put("binding", d.bindingMode())
                .put("queueMode", d.queueMode())
                .put("lifetimeSeconds", d.lifetimeSeconds())
                .put("address", d.peerAddress())
                .put("objects", objects);
    }

    private static String time(OffsetDateTime time) {
        return time == null ? null : time.toInstant().toString();
    }
}
