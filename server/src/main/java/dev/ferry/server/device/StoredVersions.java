package dev.ferry.server.device;

import java.sql.PreparedStatement;
import java.sql.ResultSet;

import dev.ferry.server.store.Database;

/**
 * The firmware version (3/0/3) the registry holds for each device, which tells the LwM2M side what to read from a
 * device that registers: nothing of its identity is known until it was read once, and an unchanged version means
 * an unchanged device. Every call blocks on the database; the registry writer keeps the value current.
 */
public final class StoredVersions {
    private static final String SQL = "SELECT firmware_version FROM device WHERE endpoint = ?";

    private final Database database;

    StoredVersions(Database database) {
        this.database = database;
    }

    /** The version last read from the device; null when none was (or the device is not provisioned). */
    public String firmwareVersion(String endpoint) {
        return database.inTransaction(connection -> {
            try (PreparedStatement select = connection.prepareStatement(SQL)) {
                select.setString(1, endpoint);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getString(1) : null;
                }
            }
        });
    }
}
