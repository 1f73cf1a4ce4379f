package dev.ferry.server.device;

import java.util.Objects;

/**
 * What a device authenticates with. Only the fields of its {@link SecurityMode} are set: {@code pskIdentity}
 * and {@code pskKey} for PSK, {@code publicKey} (DER SubjectPublicKeyInfo) for RPK, nothing for X.509 and none.
 */
public record DeviceCredentials(String endpoint, SecurityMode mode, String pskIdentity, byte[] pskKey,
        byte[] publicKey) {

    public DeviceCredentials {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(mode, "mode");
    }

    public static DeviceCredentials none(String endpoint) {
        return new DeviceCredentials(endpoint, SecurityMode.NONE, null, null, null);
    }

    public static DeviceCredentials psk(String endpoint, String identity, byte[] key) {
        return new DeviceCredentials(endpoint, SecurityMode.PSK, identity, key.clone(), null);
    }

    public static DeviceCredentials rpk(String endpoint, byte[] publicKeyDer) {
        return new DeviceCredentials(endpoint, SecurityMode.RPK, null, null, publicKeyDer.clone());
    }

    public static DeviceCredentials x509(String endpoint) {
        return new DeviceCredentials(endpoint, SecurityMode.X509, null, null, null);
    }
}
