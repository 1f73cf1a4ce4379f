package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_CLAIM_CODE;
import static dev.ferry.server.store.generated.Tables.DEVICE_TAG;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.jooq.DSLContext;

/**
 * Claim codes: issuing one for a device (replacing any earlier one) and claiming a device with its code, which adds
 * the owner's tags to it. A code works once: the claim is a conditional UPDATE of an unclaimed code, so of two
 * concurrent claims exactly one changes the row, and the other finds nothing to claim. Blocking.
 */
public final class ClaimCodes {
    private final DeviceRepository repository;
    private final SecureRandom random = new SecureRandom();

    public ClaimCodes(DeviceRepository repository) {
        this.repository = repository;
    }

    /** A new code for the device in its printed form, shown this once; empty when the device is unknown. */
    public Optional<String> issue(String endpoint) {
        String code = ClaimCode.generate(random);
        byte[] hash = ClaimCode.hash(code);
        DeviceEvent issued = repository.database().dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            Long id = dsl.select(DEVICE.ID).from(DEVICE).where(DEVICE.ENDPOINT.eq(endpoint)).fetchOne(DEVICE.ID);
            if (id == null) {
                return null;
            }
            OffsetDateTime now = OffsetDateTime.now();
            dsl.deleteFrom(DEVICE_CLAIM_CODE).where(DEVICE_CLAIM_CODE.DEVICE_ID.eq(id)).execute();
            dsl.insertInto(DEVICE_CLAIM_CODE).set(DEVICE_CLAIM_CODE.DEVICE_ID, id)
                    .set(DEVICE_CLAIM_CODE.CODE_HASH, hash).set(DEVICE_CLAIM_CODE.CREATED_AT, now).execute();
            return DeviceRepository.recordEvent(dsl, endpoint, DeviceEventType.CHANGED,
                    "claim code issued; an earlier code, if any, no longer works", now);
        });
        if (issued == null) {
            return Optional.empty();
        }
        repository.publish(issued);
        return Optional.of(code);
    }

    /**
     * Claims the device whose unclaimed code this is and adds {@code tags} to it. Empty when no device has this
     * code unclaimed: never issued, replaced, or already used are one answer, so a caller learns nothing about
     * codes it does not hold.
     *
     * @param code a well-formed code ({@link ClaimCode#normalise})
     */
    public Optional<Device> claim(String code, List<String> tags) {
        List<String> added = ProvisioningService.validTags(tags);
        byte[] hash = ClaimCode.hash(code);
        Optional<DeviceEvent> claimedEvent = repository.database().dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            OffsetDateTime now = OffsetDateTime.now();
            Long id = dsl.select(DEVICE_CLAIM_CODE.DEVICE_ID).from(DEVICE_CLAIM_CODE)
                    .where(DEVICE_CLAIM_CODE.CODE_HASH.eq(hash)).and(DEVICE_CLAIM_CODE.CLAIMED_AT.isNull())
                    .fetchOne(DEVICE_CLAIM_CODE.DEVICE_ID);
            if (id == null) {
                return Optional.<DeviceEvent>empty();
            }
            int claimed = dsl.update(DEVICE_CLAIM_CODE).set(DEVICE_CLAIM_CODE.CLAIMED_AT, now)
                    .where(DEVICE_CLAIM_CODE.DEVICE_ID.eq(id)).and(DEVICE_CLAIM_CODE.CODE_HASH.eq(hash))
                    .and(DEVICE_CLAIM_CODE.CLAIMED_AT.isNull()).execute();
            if (claimed == 0) {
                return Optional.<DeviceEvent>empty(); // another claim of the same code committed first
            }
            String name = dsl.select(DEVICE.ENDPOINT).from(DEVICE).where(DEVICE.ID.eq(id)).fetchOne(DEVICE.ENDPOINT);
            addTags(dsl, id, added);
            dsl.update(DEVICE).set(DEVICE.UPDATED_AT, now).where(DEVICE.ID.eq(id)).execute();
            return Optional.of(DeviceRepository.recordEvent(dsl, name, DeviceEventType.CHANGED,
                    "claimed; tags added " + added, now));
        });
        claimedEvent.ifPresent(repository::publish);
        return claimedEvent.flatMap(event -> repository.find(event.endpoint()));
    }

    private static void addTags(DSLContext dsl, Long id, List<String> added) {
        Set<String> all = new LinkedHashSet<>(
                dsl.select(DEVICE_TAG.TAG).from(DEVICE_TAG).where(DEVICE_TAG.DEVICE_ID.eq(id)).fetch(DEVICE_TAG.TAG));
        List<String> missing = new ArrayList<>();
        for (String tag : added) {
            if (all.add(tag)) {
                missing.add(tag);
            }
        }
        if (all.size() > ProvisioningService.MAX_TAGS) {
            // Thrown inside the transaction, so the code stays unclaimed.
            throw new InvalidDeviceInputException("tags", "the device would have " + all.size() + " tags; at most "
                    + ProvisioningService.MAX_TAGS + " per device");
        }
        if (!missing.isEmpty()) {
            var insert = dsl.insertInto(DEVICE_TAG, DEVICE_TAG.DEVICE_ID, DEVICE_TAG.TAG);
            for (String tag : missing) {
                insert = insert.values(id, tag);
            }
            insert.execute();
        }
    }
}
