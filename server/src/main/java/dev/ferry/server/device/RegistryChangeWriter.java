package dev.ferry.server.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.ferry.server.device.RegistryChange.DeviceInfoRead;
import dev.ferry.server.device.RegistryChange.Deregistered;
import dev.ferry.server.device.RegistryChange.FirmwareResourceNotified;
import dev.ferry.server.device.RegistryChange.FirmwareStateRead;
import dev.ferry.server.device.RegistryChange.Registered;
import dev.ferry.server.device.RegistryChange.Rejected;
import dev.ferry.server.device.RegistryChange.StoredRegistration;
import dev.ferry.server.device.RegistryChange.Updated;
import dev.ferry.server.device.RegistryStatements.Shape;

/**
 * Writes a batch of registry changes in one transaction through {@link RegistryStatements}: the device rows, the
 * registration rows in the same transaction as the online flag (a registration is persisted exactly when the
 * registry shows it), then the event rows in order.
 */
final class RegistryChangeWriter {

    private RegistryChangeWriter() {
    }

    /** Applies the changes and returns the event rows it inserted, in order, with their ids. */
    static List<DeviceEvent> apply(Connection connection, List<RegistryChange> changes) throws SQLException {
        try (RegistryStatements statements = new RegistryStatements(connection)) {
            Set<String> inFlush = new HashSet<>();
            List<DeviceEvent> events = new ArrayList<>(changes.size());
            for (RegistryChange change : changes) {
                if (change.endpoint() != null && !inFlush.add(change.endpoint())) {
                    // A second change of one device: its earlier ones run first, so they apply in queue order.
                    statements.flush();
                    inFlush.clear();
                    inFlush.add(change.endpoint());
                }
                queue(statements, change);
                DeviceEvent event = eventFor(change);
                if (event != null) {
                    events.add(event);
                }
            }
            statements.flush();
            return events.isEmpty() ? List.of() : insert(statements.events(), events);
        }
    }

    private static void queue(RegistryStatements statements, RegistryChange change) throws SQLException {
        if (change instanceof Registered r) {
            PreparedStatement device = statements.of(Shape.REGISTER_DEVICE);
            device.setString(1, r.registrationId());
            device.setString(2, r.lwm2mVersion());
            device.setString(3, r.bindingMode());
            device.setBoolean(4, r.queueMode());
            device.setString(5, r.supportedObjects());
            device.setString(6, r.peerAddress());
            device.setLong(7, r.lifetimeSeconds());
            device.setObject(8, r.at());
            device.setObject(9, r.at());
            device.setString(10, r.endpoint());
            statements.queue(Shape.REGISTER_DEVICE);
            statements.of(Shape.REPLACE_REGISTRATION).setString(1, r.endpoint());
            statements.queue(Shape.REPLACE_REGISTRATION);
            StoredRegistration stored = r.stored().serialize();
            PreparedStatement row = statements.of(Shape.INSERT_REGISTRATION);
            row.setString(1, r.registrationId());
            row.setString(2, stored.data());
            row.setObject(3, stored.expiresAt());
            row.setString(4, r.endpoint());
            statements.queue(Shape.INSERT_REGISTRATION);
        } else if (change instanceof Updated u) {
            PreparedStatement device = statements.of(Shape.UPDATE_DEVICE);
            device.setString(1, u.peerAddress());
            device.setLong(2, u.lifetimeSeconds());
            device.setObject(3, u.at());
            device.setObject(4, u.at());
            setText(device, 5, u.supportedObjects());
            device.setString(6, u.endpoint());
            device.setString(7, u.registrationId());
            statements.queue(Shape.UPDATE_DEVICE);
            StoredRegistration stored = u.stored().serialize();
            PreparedStatement row = statements.of(Shape.UPDATE_REGISTRATION);
            row.setString(1, stored.data());
            row.setObject(2, stored.expiresAt());
            row.setString(3, u.endpoint());
            row.setString(4, u.registrationId());
            statements.queue(Shape.UPDATE_REGISTRATION);
        } else if (change instanceof Deregistered d) {
            PreparedStatement device = statements.of(Shape.DEREGISTER_DEVICE);
            device.setObject(1, d.at());
            device.setString(2, d.endpoint());
            device.setString(3, d.registrationId());
            statements.queue(Shape.DEREGISTER_DEVICE);
            PreparedStatement row = statements.of(Shape.DELETE_REGISTRATION);
            row.setString(1, d.endpoint());
            row.setString(2, d.registrationId());
            statements.queue(Shape.DELETE_REGISTRATION);
        } else if (change instanceof DeviceInfoRead i) {
            PreparedStatement device = statements.of(Shape.DEVICE_INFO);
            setText(device, 1, i.manufacturer());
            setText(device, 2, i.model());
            setText(device, 3, i.serialNumber());
            setText(device, 4, i.firmwareVersion());
            device.setObject(5, i.at());
            device.setString(6, i.endpoint());
            statements.queue(Shape.DEVICE_INFO);
        } else if (change instanceof FirmwareStateRead f) {
            queueObject5(statements, f.endpoint(), 3, f.state(), f.seen(), f.at());
            queueObject5(statements, f.endpoint(), 5, f.result(), f.seen(), f.at());
        } else if (change instanceof FirmwareResourceNotified n) {
            queueObject5(statements, n.endpoint(), n.resourceId(), n.value(), n.seen(), n.at());
        }
    }

    /**
     * Stores 5/0/3 ({@code resourceId} 3) or 5/0/5 (5) unless a value received later is stored already: reads and
     * notifications reach this queue in any order, and only the receipt stamp says which is newer.
     */
    private static void queueObject5(RegistryStatements statements, String endpoint, int resourceId, Integer value,
            long seen, OffsetDateTime at) throws SQLException {
        if (value == null || (resourceId != 3 && resourceId != 5)) {
            return;
        }
        Shape shape = resourceId == 3 ? Shape.FIRMWARE_STATE : Shape.FIRMWARE_RESULT;
        PreparedStatement device = statements.of(shape);
        device.setInt(1, value);
        device.setLong(2, seen);
        device.setObject(3, at);
        device.setString(4, endpoint);
        device.setLong(5, seen);
        statements.queue(shape);
    }

    private static void setText(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    private static List<DeviceEvent> insert(PreparedStatement insert, List<DeviceEvent> events) throws SQLException {
        for (DeviceEvent e : events) {
            insert.setString(1, e.endpoint());
            insert.setString(2, e.type().wireName());
            insert.setString(3, e.detail());
            insert.setString(4, e.peerAddress());
            insert.setObject(5, e.occurredAt());
            insert.addBatch();
        }
        insert.executeBatch();
        List<DeviceEvent> written = new ArrayList<>(events.size());
        try (ResultSet ids = insert.getGeneratedKeys()) {
            for (DeviceEvent e : events) {
                if (!ids.next()) {
                    throw new SQLException("the database returned fewer event ids than events were inserted");
                }
                written.add(new DeviceEvent(ids.getLong(1), e.endpoint(), e.type(), e.detail(), e.peerAddress(),
                        e.occurredAt()));
            }
        }
        return written;
    }

    /** The event a change records, with id 0 until it is inserted; null for changes that record none. */
    private static DeviceEvent eventFor(RegistryChange change) {
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

    private static DeviceEvent event(RegistryChange change, DeviceEventType type, String detail, String peer) {
        return new DeviceEvent(0, change.endpoint(), type, DeviceRepository.truncate(detail, 1000), peer,
                change.at());
    }
}
