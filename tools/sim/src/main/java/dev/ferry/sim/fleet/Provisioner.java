package dev.ferry.sim.fleet;

import java.util.List;
import java.util.Map;

/** Gives simulated devices their credentials, usually by creating them on the server. */
public interface Provisioner {

    /**
     * Credentials for each of {@code endpoints}, keyed by endpoint.
     *
     * @param secure true when the devices talk to the server over coaps and need a PSK
     * @throws ProvisioningException naming the first device that could not be provisioned and why
     */
    Map<String, DeviceCredentials> provision(List<String> endpoints, boolean secure) throws ProvisioningException;

    /** No server involved: PSKs derived from the endpoint names (see {@link DeviceCredentials#derivedPsk}). */
    static Provisioner derivedKeys() {
        return (endpoints, secure) -> {
            Map<String, DeviceCredentials> credentials = new java.util.LinkedHashMap<>();
            for (String endpoint : endpoints) {
                credentials.put(endpoint, secure ? DeviceCredentials.derivedPsk(endpoint) : DeviceCredentials.NONE);
            }
            return credentials;
        };
    }

    /** Why provisioning failed. */
    final class ProvisioningException extends Exception {
        public ProvisioningException(String message) {
            super(message);
        }

        public ProvisioningException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
