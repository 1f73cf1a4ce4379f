package dev.ferry.server.ca;

/** A certificate request or revocation the fleet CA refuses, with why; nothing was issued or changed. */
public final class CertificateRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the request was refused. */
    public enum Kind {
        /** The CSR is missing, not PEM, not PKCS#10, its signature does not verify, or its key is not usable. */
        INVALID_CSR,
        /** The CSR is sound but its subject CN is not the device's endpoint. */
        SUBJECT_MISMATCH,
        /** The device is provisioned for another security mode than x509. */
        NOT_X509,
        /** The endpoint name cannot be matched to a certificate's CN by the DTLS stack (it holds a '+'). */
        UNCERTIFIABLE_ENDPOINT,
        /** No device with this endpoint is provisioned. */
        UNKNOWN_DEVICE,
        /** The device has no certificate with this serial. */
        UNKNOWN_CERTIFICATE,
        /** The revocation request itself is malformed. */
        INVALID_REVOCATION
    }

    private final Kind kind;
    private final String endpoint;

    CertificateRequestException(Kind kind, String endpoint, String message) {
        super(message);
        this.kind = kind;
        this.endpoint = endpoint;
    }

    public Kind kind() {
        return kind;
    }

    public String endpoint() {
        return endpoint;
    }
}
