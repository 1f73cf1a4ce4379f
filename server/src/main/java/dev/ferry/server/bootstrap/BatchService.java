package dev.ferry.server.bootstrap;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    /** What an operator asks for; {@code security} null means psk. */
    public record BatchRequest(String name, Integer maxDevices, OffsetDateTime expiresAt, String security,
            List<String> tags, String model) {
    }

    /** A new batch with its bootstrap key, which is shown this once. */
    public record Created(Batch batch, byte[] key) {
    }

    private final BatchRepository repository;
    private final BatchCredentials credentials = new BatchCredentials();
    private final SecureRandom random = new SecureRandom();

    public BatchService(Database database) {
        this.repository = new BatchRepository(database);
        repository.loadAll().forEach(s -> credentials.put(s.batch(), s.key(), s.produced()));
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
        byte[] idBytes = new byte[8];
        random.nextBytes(idBytes);
        String identity = "ferry-batch-" + HexFormat.of().formatHex(idBytes);
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        Batch batch = repository.insert(name, identity, key, mode, tags, request.model(), request.maxDevices(),
                request.expiresAt());
        credentials.put(batch, key, Set.of());
        LOG.info("Created production batch '{}' ({}): up to {} device(s) until {}, devices get security {}",
                batch.name(), batch.id(), batch.maxDevices(), batch.expiresAt(), mode.wireName());
        return new Created(batch, key);
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
