-- Production batches whose shared bootstrap credential is an X.509 certificate from the fleet CA
-- (credential_kind 'x509') instead of a PSK. Only the certificate is kept: its private key is handed to the
-- operator once, when the batch is created, and never stored. The bootstrap server's DTLS handshake finds the
-- batch by the certificate's SHA-256 fingerprint; its CN (ferry-batch-<random>) names the batch to the
-- bootstrap authorizer. Revoking the batch puts the serial on the fleet CA's denylist.
ALTER TABLE bootstrap_batch ADD COLUMN certificate_cn VARCHAR(64);
ALTER TABLE bootstrap_batch ADD COLUMN certificate_serial VARCHAR(40);
ALTER TABLE bootstrap_batch ADD COLUMN certificate_fingerprint VARCHAR(64);
ALTER TABLE bootstrap_batch ADD COLUMN certificate_not_after TIMESTAMP WITH TIME ZONE;
ALTER TABLE bootstrap_batch ADD COLUMN certificate_pem VARCHAR(4000);
ALTER TABLE bootstrap_batch ADD CONSTRAINT bootstrap_batch_certificate_cn_unique UNIQUE (certificate_cn);
ALTER TABLE bootstrap_batch ADD CONSTRAINT bootstrap_batch_certificate_fingerprint_unique
    UNIQUE (certificate_fingerprint);
