package dev.ferry.server.bootstrap;

import static dev.ferry.server.store.generated.Tables.BOOTSTRAP_BATCH;
import static dev.ferry.server.store.generated.Tables.BOOTSTRAP_BATCH_DEVICE;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.exception.IntegrityConstraintViolationException;

import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.store.Database;

/** Batches and the devices they produced. Every method blocks on the database. */
final class BatchRepository {
    /** A batch as stored, with its key and the endpoints it produced, for loading {@link BatchCredentials}. */
    record Stored(Batch batch, byte[] key, Set<String> produced) {
    }

    private final Database database;

    BatchRepository(Database database) {
        this.database = database;
    }

    /**
     * {@code pskIdentity} and {@code key} for a psk batch, {@code certificate} and its PEM for an x509 batch (whose
     * private key is never stored).
     */
    Batch insert(String name, String pskIdentity, byte[] key, Batch.Certificate certificate, String certificatePem,
            SecurityMode deviceSecurity, List<String> tags, String model, int maxDevices, OffsetDateTime expiresAt) {
        OffsetDateTime now = OffsetDateTime.now();
        try {
            return database.dsl().transactionResult(tx -> {
                DSLContext dsl = tx.dsl();
                if (dsl.fetchExists(BOOTSTRAP_BATCH, BOOTSTRAP_BATCH.NAME.eq(name))) {
                    throw new BatchConflictException("a batch named '" + name + "' exists already; names are unique");
                }
                long id = dsl.insertInto(BOOTSTRAP_BATCH).set(BOOTSTRAP_BATCH.NAME, name)
                        .set(BOOTSTRAP_BATCH.CREDENTIAL_KIND, certificate == null ? "psk" : "x509")
                        .set(BOOTSTRAP_BATCH.PSK_IDENTITY, pskIdentity).set(BOOTSTRAP_BATCH.PSK_KEY, key)
                        .set(BOOTSTRAP_BATCH.CERTIFICATE_CN, certificate == null ? null : certificate.commonName())
                        .set(BOOTSTRAP_BATCH.CERTIFICATE_SERIAL, certificate == null ? null : certificate.serial())
                        .set(BOOTSTRAP_BATCH.CERTIFICATE_FINGERPRINT,
                                certificate == null ? null : certificate.fingerprint())
                        .set(BOOTSTRAP_BATCH.CERTIFICATE_NOT_AFTER, certificate == null ? null : certificate.notAfter())
                        .set(BOOTSTRAP_BATCH.CERTIFICATE_PEM, certificatePem)
                        .set(BOOTSTRAP_BATCH.DEVICE_SECURITY_MODE, deviceSecurity.wireName())
                        .set(BOOTSTRAP_BATCH.TAGS, String.join(",", tags)).set(BOOTSTRAP_BATCH.MODEL, model)
                        .set(BOOTSTRAP_BATCH.MAX_DEVICES, maxDevices).set(BOOTSTRAP_BATCH.EXPIRES_AT, expiresAt)
                        .set(BOOTSTRAP_BATCH.CREATED_AT, now)
                        .returningResult(BOOTSTRAP_BATCH.ID).fetchOne(BOOTSTRAP_BATCH.ID);
                return new Batch(id, name, pskIdentity, deviceSecurity, List.copyOf(tags), model, maxDevices,
                        expiresAt, now, null, 0, certificate);
            });
        } catch (IntegrityConstraintViolationException e) {
            throw new BatchConflictException("a batch named '" + name + "' exists already; names are unique");
        }
    }

    /** Newest first. */
    List<Batch> list(int limit) {
        return database.dsl().selectFrom(BOOTSTRAP_BATCH)
                .orderBy(BOOTSTRAP_BATCH.ID.desc()).limit(limit).fetch(BatchRepository::toBatch);
    }

    Optional<Batch> find(long id) {
        return database.dsl().selectFrom(BOOTSTRAP_BATCH)
                .where(BOOTSTRAP_BATCH.ID.eq(id)).fetchOptional(BatchRepository::toBatch);
    }

    /** The devices a batch produced, most recently bootstrapped first. */
    List<Batch.Produced> produced(long id, int limit) {
        return database.dsl().selectFrom(BOOTSTRAP_BATCH_DEVICE).where(BOOTSTRAP_BATCH_DEVICE.BATCH_ID.eq(id))
                .orderBy(BOOTSTRAP_BATCH_DEVICE.LAST_BOOTSTRAP.desc(), BOOTSTRAP_BATCH_DEVICE.ENDPOINT).limit(limit)
                .fetch(r -> new Batch.Produced(r.getEndpoint(), r.getFirstBootstrap(), r.getLastBootstrap(),
                        r.getBootstraps()));
    }

    /** Sets the revocation time unless it is set already; empty when the batch is unknown. */
    Optional<Batch> revoke(long id, OffsetDateTime at) {
        database.dsl().update(BOOTSTRAP_BATCH).set(BOOTSTRAP_BATCH.REVOKED_AT, at)
                .where(BOOTSTRAP_BATCH.ID.eq(id).and(BOOTSTRAP_BATCH.REVOKED_AT.isNull())).execute();
        return find(id);
    }

    List<Stored> loadAll() {
        DSLContext dsl = database.dsl();
        Map<Long, Set<String>> produced = new HashMap<>();
        dsl.select(BOOTSTRAP_BATCH_DEVICE.BATCH_ID, BOOTSTRAP_BATCH_DEVICE.ENDPOINT).from(BOOTSTRAP_BATCH_DEVICE)
                .forEach(r -> produced.computeIfAbsent(r.value1(), k -> new HashSet<>()).add(r.value2()));
        return dsl.selectFrom(BOOTSTRAP_BATCH)
                .where(BOOTSTRAP_BATCH.CREDENTIAL_KIND.in("psk", "x509"))
                .fetch(r -> new Stored(toBatch(r), r.get(BOOTSTRAP_BATCH.PSK_KEY),
                        produced.getOrDefault(r.get(BOOTSTRAP_BATCH.ID), Set.of())));
    }

    /**
     * Records that the batch produced (or re-bootstrapped) the endpoint, in one transaction with a last check
     * of the size limit: the database, not memory, has the final word. Null when recorded, otherwise why not.
     */
    String recordBootstrap(long batchId, String endpoint, OffsetDateTime at) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            int again = dsl.update(BOOTSTRAP_BATCH_DEVICE).set(BOOTSTRAP_BATCH_DEVICE.LAST_BOOTSTRAP, at)
                    .set(BOOTSTRAP_BATCH_DEVICE.BOOTSTRAPS, BOOTSTRAP_BATCH_DEVICE.BOOTSTRAPS.plus(1))
                    .where(BOOTSTRAP_BATCH_DEVICE.BATCH_ID.eq(batchId), BOOTSTRAP_BATCH_DEVICE.ENDPOINT.eq(endpoint))
                    .execute();
            if (again > 0) {
                return null; // a device the batch produced before: it does not count again
            }
            // The limit is checked and the device counted in one statement: concurrent bootstraps cannot both
            // take the last place.
            int counted = dsl.update(BOOTSTRAP_BATCH).set(BOOTSTRAP_BATCH.PRODUCED, BOOTSTRAP_BATCH.PRODUCED.plus(1))
                    .where(BOOTSTRAP_BATCH.ID.eq(batchId), BOOTSTRAP_BATCH.PRODUCED.lt(BOOTSTRAP_BATCH.MAX_DEVICES))
                    .execute();
            if (counted == 0) {
                Integer max = dsl.select(BOOTSTRAP_BATCH.MAX_DEVICES).from(BOOTSTRAP_BATCH)
                        .where(BOOTSTRAP_BATCH.ID.eq(batchId)).fetchOne(BOOTSTRAP_BATCH.MAX_DEVICES);
                return max == null ? "batch " + batchId + " no longer exists"
                        : "batch " + batchId + " is exhausted: it produced its " + max + " device(s)";
            }
            dsl.insertInto(BOOTSTRAP_BATCH_DEVICE).set(BOOTSTRAP_BATCH_DEVICE.BATCH_ID, batchId)
                    .set(BOOTSTRAP_BATCH_DEVICE.ENDPOINT, endpoint).set(BOOTSTRAP_BATCH_DEVICE.FIRST_BOOTSTRAP, at)
                    .set(BOOTSTRAP_BATCH_DEVICE.LAST_BOOTSTRAP, at).execute();
            return null;
        });
    }

    /** Takes back a record made by {@link #recordBootstrap} for a device whose provisioning then failed. */
    void forget(long batchId, String endpoint, boolean wasNew) {
        if (wasNew) {
            database.dsl().transaction(tx -> {
                int deleted = tx.dsl().deleteFrom(BOOTSTRAP_BATCH_DEVICE).where(
                        BOOTSTRAP_BATCH_DEVICE.BATCH_ID.eq(batchId), BOOTSTRAP_BATCH_DEVICE.ENDPOINT.eq(endpoint))
                        .execute();
                if (deleted > 0) {
                    tx.dsl().update(BOOTSTRAP_BATCH).set(BOOTSTRAP_BATCH.PRODUCED, BOOTSTRAP_BATCH.PRODUCED.minus(1))
                            .where(BOOTSTRAP_BATCH.ID.eq(batchId)).execute();
                }
            });
        }
    }

    private static Batch toBatch(Record r) {
        String tags = r.get(BOOTSTRAP_BATCH.TAGS);
        return new Batch(r.get(BOOTSTRAP_BATCH.ID), r.get(BOOTSTRAP_BATCH.NAME), r.get(BOOTSTRAP_BATCH.PSK_IDENTITY),
                SecurityMode.fromWireName(r.get(BOOTSTRAP_BATCH.DEVICE_SECURITY_MODE)).orElseThrow(),
                tags.isEmpty() ? List.of() : Arrays.asList(tags.split(",")), r.get(BOOTSTRAP_BATCH.MODEL),
                r.get(BOOTSTRAP_BATCH.MAX_DEVICES), r.get(BOOTSTRAP_BATCH.EXPIRES_AT),
                r.get(BOOTSTRAP_BATCH.CREATED_AT), r.get(BOOTSTRAP_BATCH.REVOKED_AT), r.get(BOOTSTRAP_BATCH.PRODUCED),
                r.get(BOOTSTRAP_BATCH.CERTIFICATE_CN) == null ? null : new Batch.Certificate(
                        r.get(BOOTSTRAP_BATCH.CERTIFICATE_CN), r.get(BOOTSTRAP_BATCH.CERTIFICATE_SERIAL),
                        r.get(BOOTSTRAP_BATCH.CERTIFICATE_FINGERPRINT), r.get(BOOTSTRAP_BATCH.CERTIFICATE_NOT_AFTER)));
    }
}
