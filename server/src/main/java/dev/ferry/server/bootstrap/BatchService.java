package dev.ferry.server.bootstrap;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.ca.DeviceCertificates;
import dev.ferry.server.device.Names;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.store.Database;

/**
 * Creates, lists and revokes production batches, and keeps the bootstrap server's view of them
 * ({@link BatchCredentials}) in step: database first, then memory. Blocking.
 */
public final class BatchService {
    private static final Logger LOG = LoggerFactory.getLogger(BatchService.class);
    static final int KEY_BYTES = 32;
    static final int MAX_DEVICES = 1_000_000;
    static final int MAX_TAGS = 32;
    static final Duration LONGEST_LIFE = Duration.ofDays(10 * 366);
    public static final int DEVICES_SHOWN = 1000;

    /**
     * What an operator asks for; {@code security} null means psk; {@code credential} is the kind of bootstrap
     * credential, psk (null) or x509.
     */
    public record BatchRequest(String name, Integer maxDevices, OffsetDateTime expiresAt, String security,
            List<String> tags, String model, String credential) {
        public BatchRequest(String name, Integer maxDevices, OffsetDateTime expiresAt, String security,
                List<String> tags, String model) {
            this(name, maxDevices, expiresAt, security, tags, model, null);
        }
    }

    /**
     * A new batch with its bootstrap credential, which is shown this once: {@code key} for a psk batch,
     * {@code certificate} (with the private key) for an x509 batch.
     */
    public record Created(Batch batch, byte[] key, DeviceCertificates.BatchCredential certificate) {
        @Override
        public String toString() {
            return "Created[" + batch + "]"; // never the key
        }
    }

    private final BatchRepository repository;
    private final DeviceCertificates ca;
    private final BatchCredentials credentials = new BatchCredentials();
    private final SecureRandom random = new SecureRandom();

    /** {@code ca} issues the certificates of x509 batches and keeps the denylist their revocation goes on. */
    public BatchService(Database database, DeviceCertificates ca) {
        this.repository = new BatchRepository(database);
        this.ca = ca;
        List<String> revokedCertificates = new ArrayList<>();
        repository.loadAll().forEach(s -> {
            credentials.put(s.batch(), s.key(), s.produced());
            if (s.batch().revoked() && s.batch().certificate() != null) {
                revokedCertificates.add(s.batch().certificate().serial());
            }
        });
        ca.revokeBatchCredentials(revokedCertificates);
    }

    /**
     * Whether the certificate is an x509 batch's bootstrap credential: such a certificate is refused as a device
     * credential by the LwM2M server. From memory; asked at every X.509 handshake there.
     */
    public boolean isBatchCertificate(X509Certificate certificate) {
        return credentials.byCertificateFingerprint(DeviceCertificates.fingerprint(certificate)).isPresent();
    }

    BatchCredentials credentials() {
        return credentials;
    }

    BatchRepository repository() {
        return repository;
    }

    public Created create(BatchRequest request) {
        String name = request.name();
        if (name == null || !Names.isModel(name)) {
            throw new InvalidBatchException("name must be " + Names.MODEL_RULE, false);
        }
        if (request.maxDevices() == null || request.maxDevices() < 1 || request.maxDevices() > MAX_DEVICES) {
            throw new InvalidBatchException("maxDevices must be a whole number from 1 to " + MAX_DEVICES, false);
        }
        OffsetDateTime now = OffsetDateTime.now();
        if (request.expiresAt() == null) {
            throw new InvalidBatchException("expiresAt (RFC 3339) or expiresInSeconds is required: a bootstrap"
                    + " credential shared by a whole batch must not be valid for ever", false);
        }
        if (!request.expiresAt().isAfter(now)) {
            throw new InvalidBatchException("expiresAt " + request.expiresAt() + " is not in the future", true);
        }
        if (request.expiresAt().isAfter(now.plus(LONGEST_LIFE))) {
            throw new InvalidBatchException("expiresAt is more than 10 years ahead; a shared bootstrap credential"
                    + " should expire when the batch has left the factory", true);
        }
        SecurityMode mode = request.security() == null ? SecurityMode.PSK
                : SecurityMode.fromWireName(request.security()).orElseThrow(() -> new InvalidBatchException(
                        "security must be psk or none, got '" + request.security() + "'", false));
        if (mode != SecurityMode.PSK && mode != SecurityMode.NONE) {
            throw new InvalidBatchException("security " + mode.wireName() + " cannot be handed out by the bootstrap"
                    + " server: batches give their devices psk (a key of their own) or none", true);
        }
        List<String> tags = validTags(request.tags());
        if (request.model() != null && !Names.isModel(request.model())) {
            throw new InvalidBatchException("model must be " + Names.MODEL_RULE, false);
        }
        boolean x509 = credentialKind(request.credential());
        byte[] idBytes = new byte[8];
        random.nextBytes(idBytes);
        String identity = "ferry-batch-" + HexFormat.of().formatHex(idBytes);
        Created created;
        if (x509) {
            // The key pair is made here and its private half handed back once; only the certificate is stored.
            DeviceCertificates.BatchCredential issued = ca.issueBatchCredential(identity,
                    request.expiresAt().toInstant());
            Batch.Certificate certificate = new Batch.Certificate(identity, issued.serial(), issued.fingerprint(),
                    issued.notAfter());
            Batch batch = repository.insert(name, null, null, certificate, issued.certificatePem(), mode, tags,
                    request.model(), request.maxDevices(), request.expiresAt());
            credentials.put(batch, null, Set.of());
            created = new Created(batch, null, issued);
        } else {
            byte[] key = new byte[KEY_BYTES];
            random.nextBytes(key);
            Batch batch = repository.insert(name, identity, key, null, null, mode, tags, request.model(),
                    request.maxDevices(), request.expiresAt());
            credentials.put(batch, key, Set.of());
            created = new Created(batch, key, null);
        }
        Batch batch = created.batch();
        LOG.info("Created production batch '{}' ({}) with a {} bootstrap credential: up to {} device(s) until {},"
                + " devices get security {}", batch.name(), batch.id(), batch.credentialKind(), batch.maxDevices(),
                batch.expiresAt(), mode.wireName());
        return created;
    }

    private static boolean credentialKind(String credential) {
        if (credential == null || credential.equals("psk")) {
            return false;
        }
        if (credential.equals("x509")) {
            return true;
        }
        throw new InvalidBatchException("credential must be psk (a shared bootstrap PSK) or x509 (a shared"
                + " bootstrap certificate from the fleet CA), got '" + credential + "'", false);
    }

    public List<Batch> list() {
        return repository.list(DEVICES_SHOWN);
    }

    public Optional<Batch> find(long id) {
        return repository.find(id);
    }

    public List<Batch.Produced> produced(long id) {
        return repository.produced(id, DEVICES_SHOWN);
    }

    /** Revokes the batch: no further bootstraps. Empty when unknown; a conflict when revoked already. */
    public Optional<Batch> revoke(long id) {
        Optional<Batch> current = repository.find(id);
        if (current.isEmpty()) {
            return current;
        }
        if (current.get().revoked()) {
            throw new BatchConflictException("batch " + id + " was revoked already, at " + current.get().revokedAt());
        }
        Optional<Batch> revoked = repository.revoke(id, OffsetDateTime.now());
        revoked.ifPresent(b -> {
            credentials.revoked(id, b.revokedAt());
            if (b.certificate() != null) {
                ca.revokeBatchCredentials(List.of(b.certificate().serial()));
            }
            LOG.info("Revoked production batch '{}' ({}): its devices can no longer bootstrap", b.name(), id);
        });
        return revoked;
    }

    private static List<String> validTags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_TAGS) {
            throw new InvalidBatchException("at most " + MAX_TAGS + " tags, got " + tags.size(), false);
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String tag : tags) {
            if (!Names.isTag(tag)) {
                throw new InvalidBatchException("tag '" + tag + "' is invalid: " + Names.TAG_RULE, false);
            }
            unique.add(tag);
        }
        return List.copyOf(unique);
    }
}
