package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_EVENT;

import java.util.ArrayList;
import java.util.List;

import org.jooq.DSLContext;
import org.jooq.Query;
import org.jooq.impl.DSL;

import dev.ferry.server.device.RegistryChange.DeviceInfoRead;
import dev.ferry.server.device.RegistryChange.Deregistered;
import dev.ferry.server.device.RegistryChange.FirmwareResourceNotified;
import dev.ferry.server.device.RegistryChange.FirmwareStateRead;
import dev.ferry.server.device.RegistryChange.Registered;
import dev.ferry.server.device.RegistryChange.Rejected;
import dev.ferry.server.device.RegistryChange.Updated;
import dev.ferry.server.store.generated.tables.records.DeviceEventRecord;

/** Turns a batch of registry changes into SQL, run in one transaction, registration rows included. */
final class RegistryChangeWriter {

    private RegistryChangeWriter() {
    }

    /** Applies the changes and returns the event rows it inserted, in order, with their ids. */
    static List<DeviceEvent> apply(DSLContext dsl, List<RegistryChange> changes) {
        List<Query> updates = new ArrayList<>(changes.size());
        List<DeviceEventRecord> events = new ArrayList<>(changes.size());
        for (RegistryChange change : changes) {
            if (change instanceof FirmwareStateRead f) {
                addIfKnown(updates, object5Value(dsl, f.endpoint(), 3, f.state(), f.seen(), f.at()));
                addIfKnown(updates, object5Value(dsl, f.endpoint(), 5, f.result(), f.seen(), f.at()));
            } else if (change instanceof FirmwareResourceNotified n) {
                addIfKnown(updates, object5Value(dsl, n.endpoint(), n.resourceId(), n.value(), n.seen(), n.at()));
            } else {
                addIfKnown(updates, updateFor(dsl, change));
            }
            // Same transaction as the online flag: a registration is persisted exactly when the registry shows it.
            updates.addAll(RegistrationRows.writesFor(dsl, change));
            DeviceEventRecord event = eventFor(change);
            if (event != null) {
                events.add(event);
            }
        }
        if (!updates.isEmpty()) {
            dsl.batch(updates).execute();
        }
        if (events.isEmpty()) {
            return List.of();
        }
        var insert = dsl.insertInto(DEVICE_EVENT, DEVICE_EVENT.ENDPOINT, DEVICE_EVENT.EVENT_TYPE,
                DEVICE_EVENT.DETAIL, DEVICE_EVENT.PEER_ADDRESS, DEVICE_EVENT.OCCURRED_AT);
        for (DeviceEventRecord e : events) {
            insert = insert.values(e.getEndpoint(), e.getEventType(), e.getDetail(), e.getPeerAddress(),
                    e.getOccurredAt());
        }
        List<Long> ids = insert.returningResult(DEVICE_EVENT.ID).fetch(DEVICE_EVENT.ID);
        List<DeviceEvent> written = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            DeviceEventRecord e = events.get(i);
            e.setId(ids.get(i));
            written.add(DeviceRepository.toEvent(e));
        }
        return written;
    }

    private static Query updateFor(DSLContext dsl, RegistryChange change) {
        if (change instanceof Registered r) {
            return dsl.update(DEVICE).set(DEVICE.REGISTRATION_ID, r.registrationId())
                    .set(DEVICE.LWM2M_VERSION, r.lwm2mVersion()).set(DEVICE.BINDING_MODE, r.bindingMode())
                    .set(DEVICE.QUEUE_MODE, r.queueMode()).set(DEVICE.SUPPORTED_OBJECTS, r.supportedObjects())
                    .set(DEVICE.PEER_ADDRESS, r.peerAddress()).set(DEVICE.LIFETIME_SECONDS, r.lifetimeSeconds())
                    .set(DEVICE.ONLINE, true).set(DEVICE.LAST_SEEN, r.at()).set(DEVICE.UPDATED_AT, r.at())
                    .where(DEVICE.ENDPOINT.eq(r.endpoint()));
        }
        if (change instanceof Updated u) {
            var update = dsl.update(DEVICE).set(DEVICE.PEER_ADDRESS, u.peerAddress())
                    .set(DEVICE.LIFETIME_SECONDS, u.lifetimeSeconds()).set(DEVICE.ONLINE, true)
                    .set(DEVICE.LAST_SEEN, u.at()).set(DEVICE.UPDATED_AT, u.at());
            if (u.supportedObjects() != null) {
                update = update.set(DEVICE.SUPPORTED_OBJECTS, u.supportedObjects());
            }
            return update.where(DEVICE.ENDPOINT.eq(u.endpoint())).and(DEVICE.REGISTRATION_ID.eq(u.registrationId()));
        }
        if (change instanceof Deregistered d) {
            // Only the registration that ended goes offline: a newer one may already have replaced it.
            return dsl.update(DEVICE).set(DEVICE.ONLINE, false).setNull(DEVICE.REGISTRATION_ID)
                    .set(DEVICE.UPDATED_AT, d.at())
                    .where(DEVICE.ENDPOINT.eq(d.endpoint())).and(DEVICE.REGISTRATION_ID.eq(d.registrationId()));
        }
        if (change instanceof DeviceInfoRead i) {
            return dsl.update(DEVICE)
                    .set(DEVICE.MANUFACTURER, DSL.coalesce(DSL.val(i.manufacturer()), DEVICE.MANUFACTURER))
                    .set(DEVICE.MODEL, DSL.coalesce(DSL.val(i.model()), DEVICE.MODEL))
                    .set(DEVICE.SERIAL_NUMBER, DSL.coalesce(DSL.val(i.serialNumber()), DEVICE.SERIAL_NUMBER))
                    .set(DEVICE.FIRMWARE_VERSION,
                            DSL.coalesce(DSL.val(i.firmwareVersion()), DEVICE.FIRMWARE_VERSION))
                    .set(DEVICE.UPDATED_AT, i.at())
                    .where(DEVICE.ENDPOINT.eq(i.endpoint()));
        }
        return null;
    }

    private static void addIfKnown(List<Query> updates, Query update) {
        if (update != null) {
            updates.add(update);
        }
    }

    /**
     * Stores 5/0/3 ({@code resourceId} 3) or 5/0/5 (5) unless a value received later is stored already: reads and
     * notifications reach this queue in any order, and only the receipt stamp says which is newer.
     */
    private static Query object5Value(DSLContext dsl, String endpoint, int resourceId, Integer value, long seen,
            java.time.OffsetDateTime at) {
        if (value == null || (resourceId != 3 && resourceId != 5)) {
            return null;
        }
        var column = resourceId == 3 ? DEVICE.FIRMWARE_STATE : DEVICE.FIRMWARE_RESULT;
        var seenColumn = resourceId == 3 ? DEVICE.FIRMWARE_STATE_SEEN : DEVICE.FIRMWARE_RESULT_SEEN;
        return dsl.update(DEVICE).set(column, value).set(seenColumn, seen).set(DEVICE.UPDATED_AT, at)
                .where(DEVICE.ENDPOINT.eq(endpoint))
                .and(seenColumn.isNull().or(seenColumn.lt(seen)));
    }

    private static DeviceEventRecord eventFor(RegistryChange change) {
        if (change instanceof Registered r) {
            return event(r, DeviceEventType.REGISTERED, "LwM2M " + r.lwm2mVersion() + ", binding " + r.bindingMode()
                    + (r.queueMode() ? " (queue mode)" : "") + ", lifetime " + r.lifetimeSeconds() + " s",
                    r.peerAddress());
        }
        if (change instanceof Updated u) {
            return event(u, DeviceEventType.UPDATED, "lifetime " + u.lifetimeSeconds() + " s", u.peerAddress());
        }
        if (change instanceof Deregistered d) {
            return d.expired()
                    ? event(d, DeviceEventType.EXPIRED, "registration lifetime passed without an update", null)
                    : event(d, DeviceEventType.DEREGISTERED, "registration ended", null);
        }
        if (change instanceof Rejected r) {
            return event(r, DeviceEventType.REJECTED, r.reason(), r.peerAddress());
        }
        return null;
    }

    private static DeviceEventRecord event(RegistryChange change, DeviceEventType type, String detail, String peer) {
        DeviceEventRecord record = new DeviceEventRecord();
        record.setEndpoint(change.endpoint());
        record.setEventType(type.wireName());
        record.setDetail(DeviceRepository.truncate(detail, 1000));
        record.setPeerAddress(peer);
        record.setOccurredAt(change.at());
        return record;
    }
}
