package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_CLAIM_CODE;
import static dev.ferry.server.store.generated.Tables.DEVICE_CREDENTIAL;
import static dev.ferry.server.store.generated.Tables.DEVICE_EVENT;
import static dev.ferry.server.store.generated.Tables.DEVICE_TAG;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.jooq.DSLContext;

/**
 * The statements of bulk provisioning: many rows per statement, every value a bind value, in chunks small enough
 * for the database's parameter limits. The caller runs {@link #insert} in its transaction.
 */
final class BulkInsert {
    /** Devices per statement: a few thousand bind values each. */
    static final int CHUNK = 500;

    /** What one device of a bulk request stores: its credentials, model, tags, metadata and claim code hash. */
    record NewDevice(DeviceCredentials credentials, String model, List<String> tags, String metadata,
            byte[] claimCodeHash) {
    }

    private BulkInsert() {
    }

    /** The endpoints among these that are already provisioned. */
    static Set<String> existingEndpoints(DSLContext dsl, Collection<String> endpoints) {
        Set<String> existing = new HashSet<>();
        inChunks(new ArrayList<>(endpoints), CHUNK, chunk -> existing.addAll(
                dsl.select(DEVICE.ENDPOINT).from(DEVICE).where(DEVICE.ENDPOINT.in(chunk)).fetch(DEVICE.ENDPOINT)));
        return existing;
    }

    /** The PSK identities among these that another device already uses. */
    static Set<String> existingPskIdentities(DSLContext dsl, Collection<String> identities) {
        Set<String> existing = new HashSet<>();
        inChunks(new ArrayList<>(identities), CHUNK, chunk -> existing.addAll(dsl.select(DEVICE_CREDENTIAL.PSK_IDENTITY)
                .from(DEVICE_CREDENTIAL).where(DEVICE_CREDENTIAL.PSK_IDENTITY.in(chunk))
                .fetch(DEVICE_CREDENTIAL.PSK_IDENTITY)));
        return existing;
    }

    static void insert(DSLContext dsl, List<NewDevice> devices, OffsetDateTime now) {
        inChunks(devices, CHUNK, chunk -> insertChunk(dsl, chunk, now));
    }

    private static void insertChunk(DSLContext dsl, List<NewDevice> chunk, OffsetDateTime now) {
        var devices = dsl.insertInto(DEVICE, DEVICE.ENDPOINT, DEVICE.SECURITY_MODE, DEVICE.MODEL, DEVICE.METADATA,
                DEVICE.CREATED_AT, DEVICE.UPDATED_AT);
        List<String> endpoints = new ArrayList<>(chunk.size());
        for (NewDevice d : chunk) {
            devices = devices.values(d.credentials().endpoint(), d.credentials().mode().wireName(), d.model(),
                    d.metadata(), now, now);
            endpoints.add(d.credentials().endpoint());
        }
        devices.execute();
        Map<String, Long> ids = dsl.select(DEVICE.ENDPOINT, DEVICE.ID).from(DEVICE).where(DEVICE.ENDPOINT.in(endpoints))
                .fetchMap(DEVICE.ENDPOINT, DEVICE.ID);

        var credentials = dsl.insertInto(DEVICE_CREDENTIAL, DEVICE_CREDENTIAL.DEVICE_ID, DEVICE_CREDENTIAL.PSK_IDENTITY,
                DEVICE_CREDENTIAL.PSK_KEY, DEVICE_CREDENTIAL.PUBLIC_KEY);
        var events = dsl.insertInto(DEVICE_EVENT, DEVICE_EVENT.ENDPOINT, DEVICE_EVENT.EVENT_TYPE, DEVICE_EVENT.DETAIL,
                DEVICE_EVENT.OCCURRED_AT);
        List<Object[]> tags = new ArrayList<>();
        List<Object[]> codes = new ArrayList<>();
        for (NewDevice d : chunk) {
            DeviceCredentials c = d.credentials();
            Long id = ids.get(c.endpoint());
            credentials = credentials.values(id, c.pskIdentity(), c.pskKey(), c.publicKey());
            events = events.values(c.endpoint(), DeviceEventType.PROVISIONED.wireName(),
                    "provisioned with security mode " + c.mode().wireName() + " (bulk)", now);
            d.tags().forEach(tag -> tags.add(new Object[] {id, tag}));
            if (d.claimCodeHash() != null) {
                codes.add(new Object[] {id, d.claimCodeHash()});
            }
        }
        credentials.execute();
        events.execute();
        inChunks(tags, 4 * CHUNK, part -> {
            var insert = dsl.insertInto(DEVICE_TAG, DEVICE_TAG.DEVICE_ID, DEVICE_TAG.TAG);
            for (Object[] tag : part) {
                insert = insert.values((Long) tag[0], (String) tag[1]);
            }
            insert.execute();
        });
        if (!codes.isEmpty()) {
            var insert = dsl.insertInto(DEVICE_CLAIM_CODE, DEVICE_CLAIM_CODE.DEVICE_ID, DEVICE_CLAIM_CODE.CODE_HASH,
                    DEVICE_CLAIM_CODE.CREATED_AT);
            for (Object[] code : codes) {
                insert = insert.values((Long) code[0], (byte[]) code[1], now);
            }
            insert.execute();
        }
    }

    private static <T> void inChunks(List<T> items, int size, Consumer<List<T>> work) {
        for (int from = 0; from < items.size(); from += size) {
            work.accept(items.subList(from, Math.min(items.size(), from + size)));
        }
    }
}
