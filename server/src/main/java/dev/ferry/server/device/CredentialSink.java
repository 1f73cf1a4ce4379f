package dev.ferry.server.device;

/** Where provisioning publishes credential changes once they are committed: the DTLS/LwM2M side. */
public interface CredentialSink {
    void provisioned(DeviceCredentials credentials);

    void deprovisioned(String endpoint);
}
