package dev.ferry.server.device;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a device proves who it is. Stored by {@link #wireName()} in the database and the API. */
public enum SecurityMode {
    /** Plain CoAP, no authentication. Only for devices explicitly provisioned so. */
    NONE("none"),
    /** DTLS with a pre-shared key bound to a PSK identity. */
    PSK("psk"),
    /** DTLS with a raw public key registered at provisioning. */
    RPK("rpk"),
    /** DTLS with an X.509 certificate whose CN is the endpoint, issued by a trusted CA. */
    X509("x509");

    private final String wireName;

    SecurityMode(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static Optional<SecurityMode> fromWireName(String name) {
        return Arrays.stream(values()).filter(mode -> mode.wireName.equals(name)).findFirst();
    }

    public static String allWireNames() {
        return Arrays.stream(values()).map(SecurityMode::wireName).collect(Collectors.joining(", "));
    }
}
