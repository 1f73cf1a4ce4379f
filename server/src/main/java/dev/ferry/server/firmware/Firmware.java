package dev.ferry.server.firmware;

import java.time.OffsetDateTime;
import java.util.OptionalLong;

import dev.ferry.image.ImageVersion;

/**
 * An uploaded firmware image as the repository records it. {@code sha256} is the hex SHA-256 of the whole image
 * file and names its blob; {@code imageHash} is MCUboot's own hash TLV (header, protected TLVs and body).
 */
public record Firmware(long id, String model, ImageVersion version, long sizeBytes, String sha256, String imageHash,
        String signingKeyId, Long securityCounter, String notes, OffsetDateTime createdAt,
        OffsetDateTime publishedAt) {

    public boolean isPublished() {
        return publishedAt != null;
    }

    public OptionalLong securityCounterValue() {
        return securityCounter == null ? OptionalLong.empty() : OptionalLong.of(securityCounter);
    }

    /** Where the image is served over HTTP and CoAP(S), relative to the server's address. */
    public String downloadPath() {
        return "/fw/" + sha256;
    }
}
