package dev.ferry.server.firmware;

import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;

import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.image.ImageFormatException;
import dev.ferry.server.device.Names;
import dev.ferry.image.McubootImage;
import dev.ferry.image.keys.ImagePublicKey;
import dev.ferry.image.keys.KeyFormatError;
import dev.ferry.image.keys.KeyFormatException;
import dev.ferry.image.keys.KeyPem;
import dev.ferry.image.verify.ImageVerifier;
import dev.ferry.image.verify.TrustedKeys;
import dev.ferry.image.verify.VerificationResult;

/**
 * The firmware repository: takes an image only when it parses, verifies against a trusted key and passes the
 * model's rules; stores its blob durably before the metadata commits; publishes and deletes. Every method blocks
 * (database and disk), so callers run it on worker threads.
 */
public final class FirmwareService {
    private static final Logger LOG = LoggerFactory.getLogger(FirmwareService.class);
    static final int MAX_NOTES_LENGTH = 4000;
    static final int MAX_KEY_NAME_LENGTH = 128;
    private static final String UNUSABLE_KEY = "publicKey is not a usable PEM public key: its PEM block does not"
            + " decode to an ECDSA P-256, Ed25519 or RSA-2048/3072 key. Send the output of 'ferry image getpub"
            + " --encoding pem -k key.pem'";

    private final FirmwareRepository repository;
    private final BlobStore blobs;
    private final PublishedImages published;
    private final FirmwareUsage usage;
    private final Consumer<String> blobRemoved;
    /**
     * Uploads and deletions of the same content take turns (striped by SHA-256): otherwise a refused upload could
     * delete the blob while another upload of the same bytes, which found the blob already there, commits its record.
     */
    private final Object[] contentLocks = new Object[64];

    /** Tells whether an update session, running or in the history, refers to an image; such an image stays. */
    public interface FirmwareUsage {
        /** Null when unused, otherwise what uses it and what the operator can do about it. */
        String usedBy(long firmwareId);
    }

    /** @param blobRemoved told the SHA-256 of each blob deleted from disk, so caches can drop it */
    public FirmwareService(FirmwareRepository repository, BlobStore blobs, PublishedImages published,
            FirmwareUsage usage, Consumer<String> blobRemoved) {
        this.repository = repository;
        this.blobs = blobs;
        this.published = published;
        this.usage = usage;
        this.blobRemoved = blobRemoved;
        for (int i = 0; i < contentLocks.length; i++) {
            contentLocks[i] = new Object();
        }
        int orphans = blobs.removeAllBut(repository.allSha256());
        if (orphans > 0) {
            LOG.info("Removed {} firmware blob(s) whose upload did not complete before the server stopped", orphans);
        }
        published.load(repository.allPublished());
    }

    public FirmwareRepository repository() {
        return repository;
    }

    /** Verifies and stores an image for a model; throws {@link FirmwareRejectedException} with the reason. */
    public Firmware upload(String model, String notes, byte[] bytes) {
        checkModel(model);
        if (notes != null && notes.length() > MAX_NOTES_LENGTH) {
            throw new InvalidFirmwareInputException("notes are limited to " + MAX_NOTES_LENGTH + " characters");
        }
        McubootImage image = parse(bytes);
        VerificationResult verification = ImageVerifier.verify(image, trustedKeys());
        if (!verification.isOk()) {
            throw new FirmwareRejectedException(reasonOf(verification), verification.message());
        }
        String keyId = HexFormat.of().formatHex(verification.signer().orElseThrow().keyHash());
        String sha256 = BlobStore.sha256Hex(bytes);
        String imageHash = HexFormat.of().formatHex(image.hash().orElseThrow());
        OptionalLong counter = image.securityCounter();
        OffsetDateTime now = OffsetDateTime.now();

        long id;
        synchronized (contentLock(sha256)) {
            boolean newBlob = false;
            try {
                newBlob = blobs.store(sha256, bytes);
                id = repository.dsl().transactionResult(tx -> {
                    DSLContext dsl = tx.dsl();
                    checkSlot(dsl, model, bytes.length);
                    if (repository.versionExists(dsl, model, image.version())) {
                        throw new FirmwareRejectedException(RejectionReason.DUPLICATE_VERSION, "model '" + model
                                + "' already has firmware version " + image.version() + "; bump the version when"
                                + " signing (ferry image sign --version)");
                    }
                    checkCounter(dsl, model, counter);
                    return repository.insert(dsl, model, image.version(), bytes.length, sha256, imageHash, keyId,
                            counter.isPresent() ? counter.getAsLong() : null, notes, now);
                });
            } catch (RuntimeException e) {
                if (newBlob) {
                    removeBlobIfUnreferenced(sha256);
                }
                throw duplicateOr(e, model, image);
            }
            LOG.info("Stored firmware {} {} for model {} ({} bytes, sha256 {}{})", id, image.version(), model,
                    bytes.length, sha256, newBlob ? "" : ", blob shared");
        }
        return repository.find(id).orElseThrow();
    }

    /** Publishes an image for distribution; empty when there is no such image. Publishing twice is harmless. */
    public Optional<Firmware> publish(long id) {
        Optional<Firmware> before = repository.dsl().transactionResult(tx -> {
            Optional<Firmware> firmware = repository.findForUpdate(tx.dsl(), id);
            if (firmware.isPresent() && !firmware.get().isPublished()) {
                checkCounter(tx.dsl(), firmware.get().model(), firmware.get().securityCounterValue());
                repository.markPublished(tx.dsl(), id, OffsetDateTime.now());
            }
            return firmware;
        });
        Optional<Firmware> after = before.flatMap(f -> repository.find(id));
        after.filter(Firmware::isPublished).ifPresent(published::add);
        return after;
    }

    /** Deletes an image and, when no other record shares it, its blob. False when there is no such image. */
    public boolean delete(long id) {
        String user = usage.usedBy(id);
        if (user != null) {
            throw new FirmwareConflictException("firmware " + id + " cannot be deleted: it is used by " + user);
        }
        Optional<Firmware> firmware = repository.find(id);
        if (firmware.isEmpty()) {
            return false;
        }
        published.remove(id);
        boolean deleted;
        synchronized (contentLock(firmware.get().sha256())) {
            deleted = repository.dsl().transactionResult(tx -> repository.delete(tx.dsl(), id));
            if (deleted) {
                removeBlobIfUnreferenced(firmware.get().sha256());
            }
        }
        if (deleted) {
            LOG.info("Deleted firmware {} {} of model {}", id, firmware.get().version(), firmware.get().model());
        }
        return deleted;
    }

    public SigningKey addSigningKey(String name, String pem) {
        if (name == null || name.isBlank() || name.length() > MAX_KEY_NAME_LENGTH) {
            throw new InvalidFirmwareInputException("name is required: 1 to " + MAX_KEY_NAME_LENGTH + " characters");
        }
        if (pem == null || pem.isBlank()) {
            throw new InvalidFirmwareInputException("publicKey is required: the PEM printed by 'ferry image getpub"
                    + " --encoding pem -k key.pem'");
        }
        if (pem.contains("PRIVATE KEY")) {
            throw new InvalidFirmwareInputException("this is a private key; the server keeps public keys only. Send the"
                    + " output of 'ferry image getpub --encoding pem -k key.pem' and keep the private key offline");
        }
        ImagePublicKey key;
        try {
            key = KeyPem.readPublicKey(pem);
        } catch (KeyFormatException e) {
            // Our own messages say what is wrong, except when the PEM block's contents do not decode.
            LOG.debug("Refused signing key '{}'", name, e);
            throw new InvalidFirmwareInputException(e.reason() == KeyFormatError.MALFORMED_KEY
                    ? UNUSABLE_KEY : "publicKey is not a usable PEM public key: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.debug("Refused signing key '{}'", name, e);
            throw new InvalidFirmwareInputException(UNUSABLE_KEY);
        }
        String id = HexFormat.of().formatHex(key.keyHash());
        SigningKey signingKey = new SigningKey(id, name.strip(), key.type().cliName(), KeyPem.publicKeyPem(key),
                OffsetDateTime.now());
        repository.dsl().transaction(tx -> {
            if (repository.keyExists(tx.dsl(), id, signingKey.name())) {
                throw new FirmwareConflictException("a signing key with this name or the same public key (id " + id
                        + ") is already trusted");
            }
            repository.insertKey(tx.dsl(), signingKey);
        });
        LOG.info("Trusting signing key '{}' ({}, id {})", signingKey.name(), signingKey.type(), id);
        return signingKey;
    }

    public boolean removeSigningKey(String id) {
        return repository.dsl().transactionResult(tx -> {
            int signed = repository.firmwareSignedWith(tx.dsl(), id);
            if (signed > 0) {
                throw new FirmwareConflictException(signed + " firmware image(s) are signed with key " + id
                        + "; delete them before removing the key");
            }
            return repository.deleteKey(tx.dsl(), id);
        });
    }

    public DeviceModel putModel(String name, Long slotSize) {
        checkModel(name);
        if (slotSize != null && slotSize <= 0) {
            throw new InvalidFirmwareInputException("slotSize must be a positive number of bytes");
        }
        return repository.putModel(name, slotSize);
    }

    private TrustedKeys trustedKeys() {
        List<ImagePublicKey> keys = repository.signingKeys().stream().map(k -> {
            try {
                return KeyPem.readPublicKey(k.publicKeyPem());
            } catch (KeyFormatException e) {
                throw new IllegalStateException("stored signing key " + k.id() + " is unreadable", e);
            }
        }).toList();
        return TrustedKeys.of(keys);
    }

    private static McubootImage parse(byte[] bytes) {
        try {
            return McubootImage.parse(bytes);
        } catch (ImageFormatException e) {
            throw new FirmwareRejectedException(RejectionReason.MALFORMED_IMAGE,
                    "not a valid MCUboot image: " + e.getMessage());
        }
    }

    private static RejectionReason reasonOf(VerificationResult result) {
        return switch (result.failure().orElseThrow()) {
        case ENCRYPTED_IMAGE -> RejectionReason.ENCRYPTED_IMAGE;
        case MISSING_HASH, MISSING_SIGNATURE -> RejectionReason.UNSIGNED;
        case UNKNOWN_KEY -> RejectionReason.UNKNOWN_KEY;
        case HASH_MISMATCH -> RejectionReason.TAMPERED;
        case KEY_TYPE_MISMATCH, BAD_SIGNATURE -> RejectionReason.BAD_SIGNATURE;
        };
    }

    private void checkSlot(DSLContext dsl, String model, long size) {
        Optional<DeviceModel> known = repository.model(dsl, model);
        if (known.isPresent() && known.get().slotSize() != null && size > known.get().slotSize()) {
            throw new FirmwareRejectedException(RejectionReason.TOO_LARGE_FOR_SLOT, "the image is " + size
                    + " bytes but model '" + model + "' has a " + known.get().slotSize() + "-byte slot");
        }
    }

    private void checkCounter(DSLContext dsl, String model, OptionalLong counter) {
        OptionalLong highest = repository.highestPublishedCounter(dsl, model);
        long mine = counter.orElse(0);
        if (highest.isPresent() && mine < highest.getAsLong()) {
            throw new FirmwareRejectedException(RejectionReason.SECURITY_COUNTER_ROLLBACK, "security counter "
                    + (counter.isPresent() ? mine : "absent (0)") + " is lower than " + highest.getAsLong()
                    + ", the newest published for model '" + model + "'; devices with rollback protection would"
                    + " refuse it. Sign with --security-counter " + highest.getAsLong() + " or higher");
        }
    }

    private static void checkModel(String model) {
        if (model == null || model.isBlank()) {
            throw new InvalidFirmwareInputException("model is required: the device model this image is built for");
        }
        if (!Names.isModel(model)) {
            throw new InvalidFirmwareInputException("model must be " + Names.MODEL_RULE + "; got '" + model + "'");
        }
    }

    private Object contentLock(String sha256) {
        return contentLocks[Math.floorMod(sha256.hashCode(), contentLocks.length)];
    }

    /** Called holding the content's lock. */
    private void removeBlobIfUnreferenced(String sha256) {
        try {
            if (!repository.anyWithSha256(repository.dsl(), sha256)) {
                blobs.delete(sha256);
                blobRemoved.accept(sha256);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not remove unreferenced firmware blob {}: {}", sha256, e.getMessage());
        }
    }

    private static RuntimeException duplicateOr(RuntimeException e, String model, McubootImage image) {
        Throwable cause = e instanceof DataAccessException && e.getCause() instanceof RuntimeException inner
                && !(e instanceof IntegrityConstraintViolationException) ? inner : e;
        if (cause instanceof FirmwareRejectedException rejected) {
            return rejected;
        }
        if (e instanceof IntegrityConstraintViolationException) {
            // Two uploads of the same version at once: the constraint, not the check, caught it.
            return new FirmwareRejectedException(RejectionReason.DUPLICATE_VERSION,
                    "model '" + model + "' already has firmware version " + image.version());
        }
        return cause instanceof RuntimeException r ? r : e;
    }
}
