package dev.ferry.server.device;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import dev.ferry.server.store.Database;

/**
 * What the registry holds of each device's identity (object 3), which tells the LwM2M side what to read from a
 * device that registers: nothing is known until the identity was read once, and an unchanged firmware version
 * (3/0/3) means an unchanged device. Every call blocks on the database; the registry writer keeps it current.
 */
public final class StoredIdentities {
    private static final String SQL = "SELECT manufacturer, model, serial_number, firmware_version FROM device"
            + " WHERE endpoint = ?";

    /** An identity that was read; {@code firmwareVersion} is null when the device did not report one. */
    public record Identity(String firmwareVersion) {
    }

    private final Database database;

    StoredIdentities(Database database) {
        this.database = database;
    }

    /** The identity last read from the device; null when none was (or the device is not provisioned). */
    public Identity of(String endpoint) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(SQL)) {
                select.setString(1, endpoint);
                try (ResultSet row = select.executeQuery()) {
                    if (!row.next() || (row.getString(1) == null && row.getString(2) == null
                            && row.getString(3) == null && row.getString(4) == null)) {
                        return null;
                    }
                    return new Identity(row.getString(4));
                }
            }
        });
    }
}
