package dev.ferry.server.device;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Provisions, changes and deprovisions devices. Validates input, writes the registry, and only then tells the
 * {@link CredentialSink} so the DTLS side never trusts credentials the database does not hold. Blocking.
 */
public final class ProvisioningService {
    private static final Logger LOG = LoggerFactory.getLogger(ProvisioningService.class);
    static final int GENERATED_PSK_BYTES = 16;
    static final int MIN_PSK_BYTES = 8;
    static final int MAX_PSK_BYTES = 64;
    static final int MAX_PSK_IDENTITY_LENGTH = 128;
    static final int MAX_TAGS = 32;
    static final int MAX_METADATA_LENGTH = 16_000;

    private final DeviceRepository repository;
    private final CredentialSink sink;
    private final boolean x509Enabled;
    private final Function<byte[], ?> publicKeyDecoder;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param x509Enabled whether the server trusts a CA for device certificates
     * @param publicKeyDecoder decodes an RPK public key, throwing IllegalArgumentException when it is invalid
     */
    public ProvisioningService(DeviceRepository repository, CredentialSink sink, boolean x509Enabled,
            Function<byte[], ?> publicKeyDecoder) {
        this.repository = repository;
        this.sink = sink;
        this.x509Enabled = x509Enabled;
        this.publicKeyDecoder = publicKeyDecoder;
    }

    public ProvisionResult provision(ProvisionRequest request) {
        Prepared prepared = prepare(request);
        Device device = repository.insert(prepared.credentials(), prepared.tags(), prepared.metadata());
        sink.provisioned(prepared.credentials());
        return new ProvisionResult(device, prepared.generatedKey());
    }

    /**
     * Provisions every row or none, in one transaction; every bad row is reported at once. See
     * {@link BulkProvisioning}.
     */
    public List<BulkProvisioning.Provisioned> provisionAll(List<BulkRow> rows, List<RowError> parseErrors) {
        return new BulkProvisioning(this, repository, sink).provision(rows, parseErrors);
    }

    /** A request checked and turned into what the registry stores; a generated key is set only when made here. */
    record Prepared(DeviceCredentials credentials, List<String> tags, String metadata, byte[] generatedKey) {
    }

    /** Checks a request and makes its credentials (generating a PSK if asked), without touching the registry. */
    Prepared prepare(ProvisionRequest request) {
        String endpoint = requireEndpoint(request.endpoint());
        List<String> tags = validTags(request.tags());
        checkMetadata(request.metadata());
        byte[] generated = null;
        DeviceCredentials credentials;
        switch (request.mode()) {
        case NONE -> credentials = DeviceCredentials.none(endpoint);
        case PSK -> {
            String identity = request.pskIdentity() == null ? endpoint : request.pskIdentity();
            if (identity.isEmpty() || identity.length() > MAX_PSK_IDENTITY_LENGTH) {
                throw new InvalidDeviceInputException("security.identity",
                        "security.identity must be 1 to " + MAX_PSK_IDENTITY_LENGTH + " characters");
            }
            byte[] key = request.pskKey();
            if (key == null) {
                key = new byte[GENERATED_PSK_BYTES];
                random.nextBytes(key);
                generated = key;
            } else if (key.length < MIN_PSK_BYTES || key.length > MAX_PSK_BYTES) {
                throw new InvalidDeviceInputException("security.key", "security.key must be " + MIN_PSK_BYTES
                        + " to " + MAX_PSK_BYTES + " bytes (" + 2 * MIN_PSK_BYTES + " to " + 2 * MAX_PSK_BYTES
                        + " hex digits), got " + key.length + " bytes");
            }
            credentials = DeviceCredentials.psk(endpoint, identity, key);
        }
        case RPK -> {
            if (request.publicKey() == null) {
                throw new InvalidDeviceInputException("security.publicKey",
                        "security.publicKey is required for mode rpk: the device's EC public key, base64 DER");
            }
            try {
                publicKeyDecoder.apply(request.publicKey());
            } catch (IllegalArgumentException e) {
                LOG.debug("Refused an RPK public key for {}", endpoint, e);
                throw new InvalidDeviceInputException("security.publicKey", "security.publicKey is not usable:"
                        + " it must be the device's EC public key as base64 DER (SubjectPublicKeyInfo), e.g. from"
                        + " 'openssl ec -pubout -outform DER'");
            }
            credentials = DeviceCredentials.rpk(endpoint, request.publicKey());
        }
        case X509 -> {
            if (!x509Enabled) {
                throw new InvalidDeviceInputException("security.mode", "security mode x509 needs a trusted"
                        + " CA: set dtls.trusted-certificates to the PEM file of the CA that signs device"
                        + " certificates");
            }
            credentials = DeviceCredentials.x509(endpoint);
        }
        default -> throw new IllegalStateException("unhandled security mode " + request.mode());
        }
        return new Prepared(credentials, tags, request.metadata() == null ? "{}" : request.metadata(), generated);
    }

    public Optional<Device> change(String endpoint, List<String> tags, String metadata) {
        List<String> validTags = tags == null ? null : validTags(tags);
        checkMetadata(metadata);
        String summary = (validTags != null ? "tags set to " + validTags : "")
                + (validTags != null && metadata != null ? "; " : "") + (metadata != null ? "metadata changed" : "");
        return repository.update(endpoint, validTags, metadata, summary);
    }

    public boolean deprovision(String endpoint) {
        boolean deleted = repository.delete(endpoint);
        if (deleted) {
            sink.deprovisioned(endpoint);
        }
        return deleted;
    }

    private static String requireEndpoint(String endpoint) {
        if (!Names.isEndpoint(endpoint)) {
            throw new InvalidDeviceInputException("endpoint", "endpoint must be " + Names.ENDPOINT_RULE
                    + (endpoint == null ? "" : "; got '" + endpoint + "'"));
        }
        return endpoint;
    }

    static List<String> validTags(Collection<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_TAGS) {
            throw new InvalidDeviceInputException("tags",
                    "at most " + MAX_TAGS + " tags per device, got " + tags.size());
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String tag : tags) {
            if (!Names.isTag(tag)) {
                throw new InvalidDeviceInputException("tags", "tag '" + tag + "' is invalid: " + Names.TAG_RULE);
            }
            unique.add(tag);
        }
        return List.copyOf(unique);
    }

    private static void checkMetadata(String metadata) {
        if (metadata != null && metadata.length() > MAX_METADATA_LENGTH) {
            throw new InvalidDeviceInputException("metadata",
                    "metadata is too large: at most " + MAX_METADATA_LENGTH + " characters of JSON");
        }
    }
}
