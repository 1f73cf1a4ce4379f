package dev.ferry.server.telemetry;

import java.time.Instant;

/**
 * One stored value of one device path: a number (integers, floats, times and booleans as 0/1 go here too, so
 * that they can be aggregated) or, for strings and opaque values, a short text summary.
 *
 * @param path the LwM2M path, "/3303/0/5700"
 * @param at the device's own timestamp when it sent one (SenML), otherwise when the server received the value
 * @param type the LwM2M resource type's name, "FLOAT", "INTEGER", "STRING", "BOOLEAN", "OPAQUE", "TIME", ...
 * @param number the value when it is numeric (null otherwise)
 * @param text the value when it is not numeric, or a summary of it ("opaque, 512 bytes") (null otherwise)
 */
public record TelemetryPoint(String endpoint, String path, Instant at, String type, Double number, String text) {
}
