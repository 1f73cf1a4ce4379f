-- Claim codes: one short, single-use code per device, printed on its box or shown as a QR code, that a
-- consumer's app presents to attach the device to its owner (POST /api/v1/devices/claim). Only the SHA-256
-- of the normalised code is kept: the code itself is shown once, when it is made. claimed_at is set by the
-- one claim that succeeds; issuing a new code for the device replaces the row.
CREATE TABLE device_claim_code (
    device_id   BIGINT     NOT NULL PRIMARY KEY,
    code_hash   BINARY(32) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    claimed_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT device_claim_code_device_fk FOREIGN KEY (device_id) REFERENCES device (id) ON DELETE CASCADE,
    CONSTRAINT device_claim_code_hash_unique UNIQUE (code_hash)
);
