package dev.ferry.server.device;

/** The provisioned device, and the PSK the server generated for it (null when the operator supplied one). */
public record ProvisionResult(Device device, byte[] generatedPskKey) {
}
