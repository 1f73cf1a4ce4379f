package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_CREDENTIAL;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import org.jooq.DSLContext;

/**
 * The statements of bulk provisioning: the checks against the registry, many endpoints per query, and the inserts,
 * fixed statements with bind values run as JDBC batches. The caller runs {@link #insert} in its transaction.
 */
final class BulkInsert {
    /** Endpoints per existence query, devices per JDBC batch. */
    static final int CHUNK = 500;

    private static final String INSERT_DEVICE = "INSERT INTO device (endpoint, security_mode, model, metadata,"
            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)";
    private static final String INSERT_CREDENTIAL = "INSERT INTO device_credential (device_id, psk_identity, psk_key,"
            + " public_key) SELECT id, ?, ?, ? FROM device WHERE endpoint = ?";
    private static final String INSERT_TAG = "INSERT INTO device_tag (device_id, tag) SELECT id, ? FROM device"
            + " WHERE endpoint = ?";
    private static final String INSERT_CLAIM_CODE = "INSERT INTO device_claim_code (device_id, code_hash, created_at)"
            + " SELECT id, ?, ? FROM device WHERE endpoint = ?";

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

    /**
     * Writes every device on the caller's transaction's connection: one fixed statement per table, run as JDBC
     * batches of {@link #CHUNK} devices. The rows that belong to a device find its id by its endpoint's unique index.
     * Returns the PROVISIONED events written, for the caller to publish once the transaction committed.
     */
    static List<DeviceEvent> insert(Connection connection, List<NewDevice> devices, OffsetDateTime now)
            throws SQLException {
        List<DeviceEvent> written = new ArrayList<>(devices.size());
        try (PreparedStatement device = connection.prepareStatement(INSERT_DEVICE);
                PreparedStatement credential = connection.prepareStatement(INSERT_CREDENTIAL);
                PreparedStatement tag = connection.prepareStatement(INSERT_TAG);
                PreparedStatement code = connection.prepareStatement(INSERT_CLAIM_CODE);
                PreparedStatement event = connection.prepareStatement(RegistryStatements.INSERT_EVENT,
                        new String[] { "id" })) {
            for (int from = 0; from < devices.size(); from += CHUNK) {
                List<NewDevice> chunk = devices.subList(from, Math.min(devices.size(), from + CHUNK));
                boolean tags = false;
                boolean codes = false;
                for (NewDevice d : chunk) {
                    DeviceCredentials c = d.credentials();
                    device.setString(1, c.endpoint());
                    device.setString(2, c.mode().wireName());
                    device.setString(3, d.model());
                    device.setString(4, d.metadata());
                    device.setObject(5, now);
                    device.setObject(6, now);
                    device.addBatch();
                    credential.setString(1, c.pskIdentity());
                    credential.setBytes(2, c.pskKey());
                    credential.setBytes(3, c.publicKey());
                    credential.setString(4, c.endpoint());
                    credential.addBatch();
                    event.setString(1, c.endpoint());
                    event.setString(2, DeviceEventType.PROVISIONED.wireName());
                    event.setString(3, provisionedDetail(c));
                    event.setString(4, null);
                    event.setObject(5, now);
                    event.addBatch();
                    for (String t : d.tags()) {
                        tag.setString(1, t);
                        tag.setString(2, c.endpoint());
                        tag.addBatch();
                        tags = true;
                    }
                    if (d.claimCodeHash() != null) {
                        code.setBytes(1, d.claimCodeHash());
                        code.setObject(2, now);
                        code.setString(3, c.endpoint());
                        code.addBatch();
                        codes = true;
                    }
                }
                device.executeBatch();
                credential.executeBatch();
                event.executeBatch();
                try (ResultSet ids = event.getGeneratedKeys()) {
                    for (NewDevice d : chunk) {
                        if (!ids.next()) {
                            throw new SQLException("the database returned fewer event ids than events written");
                        }
                        written.add(new DeviceEvent(ids.getLong(1), d.credentials().endpoint(),
                                DeviceEventType.PROVISIONED, provisionedDetail(d.credentials()), null, now));
                    }
                }
                if (tags) {
                    tag.executeBatch();
                }
                if (codes) {
                    code.executeBatch();
                }
            }
        }
        return written;
    }

    private static String provisionedDetail(DeviceCredentials credentials) {
        return "provisioned with security mode " + credentials.mode().wireName() + " (bulk)";
    }

    private static <T> void inChunks(List<T> items, int size, Consumer<List<T>> work) {
        for (int from = 0; from < items.size(); from += size) {
            work.accept(items.subList(from, Math.min(items.size(), from + size)));
        }
    }
}
