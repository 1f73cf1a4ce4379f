package dev.ferry.server.device;

/** Where provisioning publishes credential changes once they are committed: the DTLS/LwM2M side. */
public interface CredentialSink {
    void provisioned(DeviceCredentials credentials);

    void deprovisioned(String endpoint);

    /** The device's credential was replaced; what was trusted under the old one must go. */
    default void rekeyed(DeviceCredentials credentials) {
        provisioned(credentials);
    }
}
