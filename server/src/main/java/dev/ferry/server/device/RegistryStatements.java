package dev.ferry.server.device;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The registry writer's statements: a fixed set of SQL shapes with bind values, so the database parses each once
 * per transaction however many changes a batch holds, prepared when a batch first needs them and run as JDBC
 * batches. {@link #flush} runs what is queued shape by shape in the order of {@link Shape}, which is the order of
 * one change's own statements (a device row before its registration row, a registration row's delete before its
 * insert); the caller flushes before a second change of the same device, so each device's changes apply in order.
 */
final class RegistryStatements implements AutoCloseable {

    /** Each statement the writer runs; declared in the order a flush executes them. */
    enum Shape {
        REGISTER_DEVICE("UPDATE device SET registration_id = ?, lwm2m_version = ?, binding_mode = ?, queue_mode = ?,"
                + " supported_objects = ?, peer_address = ?, lifetime_seconds = ?, online = TRUE, last_seen = ?,"
                + " updated_at = ? WHERE endpoint = ?"),
        UPDATE_DEVICE("UPDATE device SET peer_address = ?, lifetime_seconds = ?, online = TRUE, last_seen = ?,"
                + " updated_at = ?, supported_objects = COALESCE(?, supported_objects)"
                + " WHERE endpoint = ? AND registration_id = ?"),
        // Only the registration that ended goes offline: a newer one may already have replaced it.
        DEREGISTER_DEVICE("UPDATE device SET online = FALSE, registration_id = NULL, updated_at = ?"
                + " WHERE endpoint = ? AND registration_id = ?"),
        DEVICE_INFO("UPDATE device SET manufacturer = COALESCE(?, manufacturer), model = COALESCE(?, model),"
                + " serial_number = COALESCE(?, serial_number), firmware_version = COALESCE(?, firmware_version),"
                + " updated_at = ? WHERE endpoint = ?"),
        // Object 5 values are kept only when nothing received later is stored already (see ReceiptClock).
        FIRMWARE_STATE("UPDATE device SET firmware_state = ?, firmware_state_seen = ?, updated_at = ?"
                + " WHERE endpoint = ? AND (firmware_state_seen IS NULL OR firmware_state_seen < ?)"),
        FIRMWARE_RESULT("UPDATE device SET firmware_result = ?, firmware_result_seen = ?, updated_at = ?"
                + " WHERE endpoint = ? AND (firmware_result_seen IS NULL OR firmware_result_seen < ?)"),
        REPLACE_REGISTRATION("DELETE FROM registration WHERE endpoint = ?"),
        // Inserted only for a provisioned device: a deprovisioning may have removed it meanwhile.
        INSERT_REGISTRATION("INSERT INTO registration (endpoint, registration_id, data, expires_at)"
                + " SELECT endpoint, ?, ?, ? FROM device WHERE endpoint = ?"),
        UPDATE_REGISTRATION("UPDATE registration SET data = ?, expires_at = ?"
                + " WHERE endpoint = ? AND registration_id = ?"),
        DELETE_REGISTRATION("DELETE FROM registration WHERE endpoint = ? AND registration_id = ?");

        final String sql;

        Shape(String sql) {
            this.sql = sql;
        }
    }

    static final String INSERT_EVENT = "INSERT INTO device_event (endpoint, event_type, detail, peer_address,"
            + " occurred_at) VALUES (?, ?, ?, ?, ?)";

    private static final Shape[] SHAPES = Shape.values();

    private final Connection connection;
    private final PreparedStatement[] prepared = new PreparedStatement[SHAPES.length];
    private final int[] queued = new int[SHAPES.length];
    private PreparedStatement events;

    RegistryStatements(Connection connection) {
        this.connection = connection;
    }

    /** The statement of {@code shape}, to set its parameters on and then {@link #queue}. */
    PreparedStatement of(Shape shape) throws SQLException {
        PreparedStatement statement = prepared[shape.ordinal()];
        if (statement == null) {
            statement = connection.prepareStatement(shape.sql);
            prepared[shape.ordinal()] = statement;
        }
        return statement;
    }

    /** Queues the parameters just set on the statement of {@code shape}. */
    void queue(Shape shape) throws SQLException {
        prepared[shape.ordinal()].addBatch();
        queued[shape.ordinal()]++;
    }

    /** Runs everything queued, shape by shape in declaration order. */
    void flush() throws SQLException {
        for (Shape shape : SHAPES) {
            if (queued[shape.ordinal()] > 0) {
                prepared[shape.ordinal()].executeBatch();
                queued[shape.ordinal()] = 0;
            }
        }
    }

    /** The event insert, returning each inserted row's id from {@code getGeneratedKeys} after a batch. */
    PreparedStatement events() throws SQLException {
        if (events == null) {
            events = connection.prepareStatement(INSERT_EVENT, new String[] { "id" });
        }
        return events;
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement statement : prepared) {
            if (statement != null) {
                statement.close();
            }
        }
        if (events != null) {
            events.close();
        }
    }
}
