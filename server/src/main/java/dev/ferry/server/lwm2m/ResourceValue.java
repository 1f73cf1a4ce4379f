package dev.ferry.server.lwm2m;

/** A value read from a device: its path, LwM2M type name and JSON-friendly value (see {@link ResourceValues}). */
public record ResourceValue(String path, String type, Object value) {
}
