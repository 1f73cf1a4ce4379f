package dev.ferry.server.device;

/**
 * One device of a bulk provisioning request: its 1-based position in the list ({@code row}), what the single-device
 * route takes, the model to record for it until the device reports its own (null: none), and whether to issue it
 * a claim code.
 */
public record BulkRow(int row, ProvisionRequest request, String model, boolean claimCode) {
}
