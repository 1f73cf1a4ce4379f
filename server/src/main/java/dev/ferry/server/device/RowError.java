package dev.ferry.server.device;

/** Why one row of a bulk request cannot be provisioned: its 1-based position, the field at fault (or null), why. */
public record RowError(int row, String field, String reason) {
}
