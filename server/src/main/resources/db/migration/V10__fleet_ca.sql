-- Certificates the fleet CA issued to devices (from their CSRs), and their revocation. Only public data: the
-- device keeps its private key. The serial (128 random bits, as lowercase hex) names a certificate; a revoked
-- one is refused at every DTLS handshake (the server loads the revoked serials into memory at start).
-- Rows outlive their device: deprovisioning revokes the device's certificates, so that a certificate issued to
-- an endpoint name cannot come back to life when the name is provisioned again.
CREATE TABLE device_certificate (
    serial             VARCHAR(40)   NOT NULL PRIMARY KEY,
    endpoint           VARCHAR(128)  NOT NULL,
    not_before         TIMESTAMP WITH TIME ZONE NOT NULL,
    not_after          TIMESTAMP WITH TIME ZONE NOT NULL,
    issued_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    certificate_pem    VARCHAR(4000) NOT NULL,
    revoked_at         TIMESTAMP WITH TIME ZONE,
    revocation_reason  VARCHAR(255)
);

CREATE INDEX device_certificate_endpoint_idx ON device_certificate (endpoint, issued_at);
CREATE INDEX device_certificate_revoked_idx ON device_certificate (revoked_at);
