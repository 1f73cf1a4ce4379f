package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_EVENT;
import static dev.ferry.server.store.generated.Tables.REGISTRATION;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;

/**
 * The registration table: each device's current LwM2M registration, written by {@link RegistryChangeWriter} in
 * the transaction that sets the device's online flag, and read once at start. Every method blocks.
 */
public final class RegistrationRows {
    private final Database database;

    public RegistrationRows(Database database) {
        this.database = database;
    }

    /** A persisted registration as read at start. */
    public record Row(String endpoint, String registrationId, String data, OffsetDateTime expiresAt) {
    }

    /**
     * What the LwM2M server made of the rows at start.
     *
     * @param loaded endpoint to registration id of the registrations it loaded
     * @param expired endpoints whose registration's lifetime had passed
     */
    public record Restored(Map<String, String> loaded, Set<String> expired) {
    }

    /** What {@link #reconcile} changed: devices kept online, and devices taken offline because their row was gone. */
    public record Reconciled(int online, int takenOffline) {
    }

    public List<Row> all() {
        return database.dsl().select(REGISTRATION.ENDPOINT, REGISTRATION.REGISTRATION_ID, REGISTRATION.DATA,
                REGISTRATION.EXPIRES_AT).from(REGISTRATION)
                .fetch(r -> new Row(r.value1(), r.value2(), r.value3(), r.value4()));
    }

    /**
     * Makes the registry agree with the registrations loaded into the LwM2M server: a device is online exactly
     * when its registration was loaded. Rows not loaded are deleted and their devices go offline, with an
     * expiry event for a lifetime that passed while the server was stopped, a deregistration event otherwise
     * (unreadable, or through an endpoint the server no longer has).
     */
    public Reconciled reconcile(Restored restored) {
        Map<String, String> loaded = restored.loaded();
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            OffsetDateTime now = OffsetDateTime.now();
            List<String> dropped = dsl.select(REGISTRATION.ENDPOINT, REGISTRATION.REGISTRATION_ID).from(REGISTRATION)
                    .fetch().stream().filter(r -> !r.value2().equals(loaded.get(r.value1())))
                    .map(r -> r.value1()).toList();
            List<Query> writes = new ArrayList<>();
            for (String endpoint : dropped) {
                writes.add(dsl.deleteFrom(REGISTRATION).where(REGISTRATION.ENDPOINT.eq(endpoint)));
                boolean expired = restored.expired().contains(endpoint);
                writes.add(dsl.insertInto(DEVICE_EVENT, DEVICE_EVENT.ENDPOINT, DEVICE_EVENT.EVENT_TYPE,
                        DEVICE_EVENT.DETAIL, DEVICE_EVENT.OCCURRED_AT)
                        .values(endpoint, (expired ? DeviceEventType.EXPIRED : DeviceEventType.DEREGISTERED).wireName(),
                                expired ? "registration lifetime passed while the server was stopped"
                                        : "the registration kept from before the restart could not be used again",
                                now));
            }
            if (!writes.isEmpty()) {
                dsl.batch(writes).execute();
            }
            // What is left in the table is exactly what was loaded.
            var registration = REGISTRATION.as("r");
            var kept = DSL.selectOne().from(registration).where(registration.ENDPOINT.eq(DEVICE.ENDPOINT));
            int online = dsl.update(DEVICE).set(DEVICE.ONLINE, true)
                    .set(DEVICE.REGISTRATION_ID, DSL.field(DSL.select(registration.REGISTRATION_ID).from(registration)
                            .where(registration.ENDPOINT.eq(DEVICE.ENDPOINT))))
                    .where(DSL.exists(kept)).execute();
            int takenOffline = dsl.update(DEVICE).set(DEVICE.ONLINE, false).setNull(DEVICE.REGISTRATION_ID)
                    .set(DEVICE.UPDATED_AT, now)
                    .where(DEVICE.ONLINE.isTrue().or(DEVICE.REGISTRATION_ID.isNotNull()))
                    .andNotExists(kept).execute();
            return new Reconciled(online, takenOffline);
        });
    }
}
