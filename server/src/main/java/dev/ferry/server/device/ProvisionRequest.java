package dev.ferry.server.device;

import java.util.List;

/**
 * What an operator asks for when provisioning. Keys are already decoded from their text form; a null
 * {@code pskKey} in PSK mode asks the server to generate one, a null {@code pskIdentity} defaults to the
 * endpoint name. {@code metadata} is a JSON object in text form.
 */
public record ProvisionRequest(String endpoint, SecurityMode mode, String pskIdentity, byte[] pskKey,
        byte[] publicKey, List<String> tags, String metadata) {
}
