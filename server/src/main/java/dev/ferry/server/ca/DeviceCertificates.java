package dev.ferry.server.ca;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.ca.CertificateRequestException.Kind;
import dev.ferry.server.lwm2m.ServerIdentity;
import dev.ferry.server.store.Database;

/**
 * Device certificates from the fleet CA: signs CSRs of provisioned x509 devices, lists what was issued, and
 * revokes. A revocation is written to the database, then put on the in-memory denylist that every DTLS handshake
 * consults, then the device's open DTLS connections with a revoked certificate are dropped. Blocking.
 */
public final class DeviceCertificates {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceCertificates.class);
    private static final Pattern SERIAL = Pattern.compile("[0-9a-fA-F]{1,40}");
    /** Devices' clocks may run a little behind the server's. */
    static final Duration BACKDATE = Duration.ofHours(1);
    static final int MAX_REASON_LENGTH = 255;

    /** What the DTLS side does when certificates are revoked: end the open sessions that use them. */
    @FunctionalInterface
    public interface ConnectionDropper {
        void dropConnections(String endpoint, Set<BigInteger> revokedSerials);
    }

    /**
     * A production batch's bootstrap credential just issued: {@code privateKeyPem} (PKCS#8) is shown to the
     * operator once and kept nowhere.
     */
    public record BatchCredential(String serial, String fingerprint, String certificatePem, OffsetDateTime notAfter,
            String privateKeyPem, List<String> chainPem) {
        @Override
        public String toString() {
            return "BatchCredential[serial=" + serial + ", fingerprint=" + fingerprint + "]"; // never the key
        }
    }

    /** A certificate just signed, with the chain up to the fleet CA (the CA's certificate). */
    public record Issued(IssuedCertificate certificate, List<String> chainPem) {
    }

    private final FleetCa ca;
    private final CertificateRepository repository;
    private final Revocations revocations;
    private final Duration validity;
    private final SecureRandom random = new SecureRandom();
    private volatile ConnectionDropper dropper = (endpoint, serials) -> { };

    public DeviceCertificates(FleetCa ca, Database database, Duration validity) {
        this.ca = ca;
        this.repository = new CertificateRepository(database);
        this.revocations = new Revocations(ca.certificate().getSubjectX500Principal());
        this.validity = validity;
        List<BigInteger> revoked = repository.revokedSerials();
        revocations.addAll(revoked);
        LOG.info("Fleet CA denylist: {} revoked certificate(s)", revoked.size());
    }

    /** Set once the DTLS endpoint exists, which needs {@link #revocations()} first. */
    public void dropConnectionsWith(ConnectionDropper dropper) {
        this.dropper = dropper;
    }

    public FleetCa ca() {
        return ca;
    }

    /** The in-memory denylist, for the DTLS handshake. */
    public Revocations revocations() {
        return revocations;
    }

    /** Signs the CSR of a provisioned x509 device; nothing is recorded when it is refused. */
    public Issued issue(String endpoint, String csrPem) {
        SigningRequest csr = SigningRequest.check(csrPem, endpoint);
        IssuedCertificate issued = repository.inTransaction(dsl -> {
            String mode = CertificateRepository.lockDevice(dsl, endpoint)
                    .orElseThrow(() -> unknownDevice(endpoint));
            if (!mode.equals("x509")) {
                throw new CertificateRequestException(Kind.NOT_X509, endpoint, "device '" + endpoint
                        + "' is provisioned for security mode " + mode + ", so it would not be let in with a"
                        + " certificate; deprovision it and provision it again with security mode x509");
            }
            if (endpoint.contains("+")) {
                // X.509 names escape '+' and Leshan compares the escaped CN with the endpoint, so such a device
                // would be refused at every registration.
                throw new CertificateRequestException(Kind.UNCERTIFIABLE_ENDPOINT, endpoint, "endpoint '" + endpoint
                        + "' holds a '+', which certificate names escape, so the LwM2M server could not match the"
                        + " certificate to the device; use PSK or RPK for it, or an endpoint name without '+'");
            }
            Instant now = Instant.now();
            BigInteger serial = new BigInteger(128, random).setBit(127);
            X509Certificate certificate = ca.issue(endpoint, csr.publicKey(), serial, now.minus(BACKDATE),
                    now.plus(validity));
            IssuedCertificate row = new IssuedCertificate(serial.toString(16), endpoint,
                    utc(certificate.getNotBefore().toInstant()), utc(certificate.getNotAfter().toInstant()), utc(now),
                    pem(certificate), null, null);
            CertificateRepository.insert(dsl, row);
            return row;
        });
        LOG.info("Fleet CA issued certificate {} to {}, valid until {}", issued.serial(), endpoint,
                issued.notAfter());
        return new Issued(issued, List.of(ca.certificatePem()));
    }

    /**
     * A production batch's shared bootstrap credential: a new EC P-256 key pair and a certificate for it
     * ({@code CN=<commonName>}, clientAuth, valid until {@code notAfter}). The private key is in the returned value
     * only: nothing here keeps or logs it.
     */
    public BatchCredential issueBatchCredential(String commonName, Instant notAfter) {
        KeyPair keys;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an EC P-256 key pair", e);
        }
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(128, random).setBit(127);
        X509Certificate certificate = ca.issue(commonName, keys.getPublic(), serial, now.minus(BACKDATE), notAfter);
        String keyPem;
        try {
            keyPem = PemFiles.privateKeyPem(keys.getPrivate());
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a private key", e);
        }
        LOG.info("Fleet CA issued bootstrap certificate {} to production batch {}, valid until {}",
                serial.toString(16), commonName, certificate.getNotAfter().toInstant());
        return new BatchCredential(serial.toString(16), fingerprint(certificate), pem(certificate),
                utc(certificate.getNotAfter().toInstant()), keyPem, List.of(ca.certificatePem()));
    }

    /** Puts certificates of revoked production batches on the denylist (their batch rows record the revocation). */
    public void revokeBatchCredentials(Collection<String> serials) {
        revocations.addAll(serials.stream().map(s -> new BigInteger(s, 16)).toList());
    }

    /** Lowercase hex SHA-256 of the DER certificate, as {@code openssl x509 -fingerprint -sha256} shows it. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The device's certificates, newest first; empty when the device is not provisioned. */
    public Optional<List<IssuedCertificate>> list(String endpoint) {
        return Optional.ofNullable(repository.listOfDevice(endpoint));
    }

    /**
     * Revokes one certificate of the device ({@code serial}) or all its valid ones ({@code serial} null); returns
     * those this call revoked (a certificate revoked before is not revoked again).
     */
    public List<IssuedCertificate> revoke(String endpoint, String serial, String reason) {
        String normalized = serial == null ? null : normalizeSerial(endpoint, serial);
        if (reason != null && reason.length() > MAX_REASON_LENGTH) {
            throw new CertificateRequestException(Kind.INVALID_REVOCATION, endpoint, "reason must be at most "
                    + MAX_REASON_LENGTH + " characters");
        }
        List<IssuedCertificate> revoked = repository.inTransaction(dsl -> {
            CertificateRepository.lockDevice(dsl, endpoint).orElseThrow(() -> unknownDevice(endpoint));
            if (normalized != null && !CertificateRepository.exists(dsl, endpoint, normalized)) {
                throw new CertificateRequestException(Kind.UNKNOWN_CERTIFICATE, endpoint, "device '" + endpoint
                        + "' has no certificate with serial " + normalized + "; list them with GET /api/v1/devices/"
                        + endpoint + "/certificates");
            }
            return CertificateRepository.revoke(dsl, endpoint, normalized, reason == null ? "revoked" : reason,
                    utc(Instant.now()));
        });
        enforce(endpoint, revoked);
        return revoked;
    }

    /** A deprovisioned device's certificates are revoked, so that they do not return with a new device of its name. */
    public void deviceRemoved(String endpoint) {
        try {
            enforce(endpoint, repository.inTransaction(dsl -> CertificateRepository.revoke(dsl, endpoint, null,
                    "device deprovisioned", utc(Instant.now()))));
        } catch (RuntimeException e) {
            LOG.error("Could not revoke the certificates of deprovisioned device {}; revoke them with POST"
                    + " /api/v1/devices/{}/certificate/revoke once it is provisioned again", endpoint, endpoint, e);
        }
    }

    private void enforce(String endpoint, List<IssuedCertificate> revoked) {
        if (revoked.isEmpty()) {
            return;
        }
        Set<BigInteger> serials = revoked.stream().map(c -> new BigInteger(c.serial(), 16))
                .collect(Collectors.toUnmodifiableSet());
        revocations.addAll(serials);
        dropper.dropConnections(endpoint, serials);
        LOG.info("Fleet CA revoked certificate(s) {} of {}", revoked.stream().map(IssuedCertificate::serial)
                .collect(Collectors.joining(", ")), endpoint);
    }

    private static String normalizeSerial(String endpoint, String serial) {
        String hex = serial.replace(":", "");
        if (!SERIAL.matcher(hex).matches()) {
            throw new CertificateRequestException(Kind.INVALID_REVOCATION, endpoint, "serial must be the"
                    + " certificate's serial number in hex (as GET /api/v1/devices/" + endpoint + "/certificates"
                    + " lists it, or 'openssl x509 -noout -serial' prints it)");
        }
        return new BigInteger(hex.toLowerCase(Locale.ROOT), 16).toString(16);
    }

    private static CertificateRequestException unknownDevice(String endpoint) {
        return new CertificateRequestException(Kind.UNKNOWN_DEVICE, endpoint, "no device with endpoint '" + endpoint
                + "' is provisioned; list devices with GET /api/v1/devices");
    }

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static String pem(X509Certificate certificate) {
        try {
            return ServerIdentity.pem(certificate);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }
}
