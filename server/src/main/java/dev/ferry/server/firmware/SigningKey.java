package dev.ferry.server.firmware;

import java.time.OffsetDateTime;

/**
 * A trusted image signing key (public half only). {@code id} is the hex SHA-256 that MCUboot's KEYHASH TLV
 * carries for it, so images name the key that signed them.
 */
public record SigningKey(String id, String name, String type, String publicKeyPem, OffsetDateTime createdAt) {
}
