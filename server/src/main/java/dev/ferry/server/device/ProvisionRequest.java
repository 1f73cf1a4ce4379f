package dev.ferry.server.device;

import java.util.List;

/**
 * What an operator asks for when provisioning. Keys are already decoded from their text form; a null
 * {@code pskKey} in PSK mode asks the server to generate one, a null {@code pskIdentity} defaults to the
 * endpoint name. {@code metadata} is a JSON object in text form. {@code model} (may be null) is the device
 * model known before the device reports its own in 3/0/1, which then replaces it (e.g. a production batch's).
 */
public record ProvisionRequest(String endpoint, SecurityMode mode, String pskIdentity, byte[] pskKey,
        byte[] publicKey, List<String> tags, String metadata, String model) {

    /** A request without a model: the device reports it when it registers. */
    public ProvisionRequest(String endpoint, SecurityMode mode, String pskIdentity, byte[] pskKey, byte[] publicKey,
            List<String> tags, String metadata) {
        this(endpoint, mode, pskIdentity, pskKey, publicKey, tags, metadata, null);
    }
}
