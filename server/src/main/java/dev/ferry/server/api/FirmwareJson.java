package dev.ferry.server.api;

import dev.ferry.server.firmware.DeviceModel;
import dev.ferry.server.firmware.Firmware;
import dev.ferry.server.firmware.SigningKey;
import io.vertx.core.json.JsonObject;

/** JSON shapes of the firmware repository. */
final class FirmwareJson {
    private FirmwareJson() {
    }

    static JsonObject firmware(Firmware f) {
        return new JsonObject()
                .put("id", f.id())
                .put("model", f.model())
                .put("version", f.version().toString())
                .put("size", f.sizeBytes())
                .put("sha256", f.sha256())
                .put("imageHash", f.imageHash())
                .put("signingKeyId", f.signingKeyId())
                .put("securityCounter", f.securityCounter())
                .put("notes", f.notes())
                .put("createdAt", f.createdAt().toInstant().toString())
                .put("published", f.isPublished())
                .put("publishedAt", f.isPublished() ? f.publishedAt().toInstant().toString() : null)
                .put("downloadPath", f.downloadPath());
    }

    static JsonObject signingKey(SigningKey key) {
        return new JsonObject()
                .put("id", key.id())
                .put("name", key.name())
                .put("type", key.type())
                .put("publicKey", key.publicKeyPem())
                .put("createdAt", key.createdAt().toInstant().toString());
    }

    static JsonObject model(DeviceModel model) {
        return new JsonObject()
                .put("name", model.name())
                .put("slotSize", model.slotSize())
                .put("updatedAt", model.updatedAt().toInstant().toString());
    }
}
