package dev.ferry.server.device;

import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jooq.exception.DataAccessException;

import dev.ferry.server.device.BulkInsert.NewDevice;
import dev.ferry.server.device.ProvisioningService.Prepared;

/**
 * Provisions a list of devices all or none. Every row is checked first (the single-device rules, duplicates within
 * the list, endpoints and PSK identities already provisioned) and every bad row is reported at once; only then are
 * all devices written in one transaction, and only after it commits does the DTLS side learn their credentials.
 * Blocking.
 */
public final class BulkProvisioning {
    /** The most devices one request may provision; larger lists are split by the client. */
    public static final int MAX_ROWS = 10_000;

    /**
     * One provisioned device as the response reports it: the PSK the server generated and the claim code it issued
     * (each null when none was made) are shown this once and never again.
     */
    public record Provisioned(int row, DeviceCredentials credentials, String model, List<String> tags,
            byte[] generatedKey, String claimCode) {
    }

    private final ProvisioningService service;
    private final DeviceRepository repository;
    private final CredentialSink sink;
    private final SecureRandom random = new SecureRandom();

    BulkProvisioning(ProvisioningService service, DeviceRepository repository, CredentialSink sink) {
        this.service = service;
        this.repository = repository;
        this.sink = sink;
    }

    /**
     * @param parseErrors rows the caller could not even read; they are reported with the others
     * @throws BulkRejectedException naming every bad row; nothing was provisioned
     */
    List<Provisioned> provision(List<BulkRow> rows, List<RowError> parseErrors) {
        if (rows.size() + parseErrors.size() > MAX_ROWS) {
            throw new InvalidDeviceInputException("at most " + MAX_ROWS + " devices per request");
        }
        List<RowError> errors = new ArrayList<>(parseErrors);
        List<Provisioned> accepted = new ArrayList<>(rows.size());
        Map<String, Integer> endpoints = new HashMap<>();
        Map<String, Integer> identities = new HashMap<>();
        for (BulkRow row : rows) {
            Prepared prepared;
            try {
                prepared = service.prepare(row.request());
                if (row.model() != null && !Names.isModel(row.model())) {
                    throw new InvalidDeviceInputException("model", "model is invalid: " + Names.MODEL_RULE);
                }
            } catch (InvalidDeviceInputException e) {
                errors.add(new RowError(row.row(), e.field(), e.getMessage()));
                continue;
            }
            DeviceCredentials credentials = prepared.credentials();
            Integer first = endpoints.putIfAbsent(credentials.endpoint(), row.row());
            if (first != null) {
                errors.add(new RowError(row.row(), "endpoint", "endpoint '" + credentials.endpoint()
                        + "' is already in row " + first + " of this list"));
                continue;
            }
            if (credentials.pskIdentity() != null) {
                Integer owner = identities.putIfAbsent(credentials.pskIdentity(), row.row());
                if (owner != null) {
                    errors.add(new RowError(row.row(), "security.identity", "PSK identity '"
                            + credentials.pskIdentity() + "' is already used in row " + owner + " of this list"));
                    continue;
                }
            }
            accepted.add(new Provisioned(row.row(), credentials, row.model(), prepared.tags(),
                    prepared.generatedKey(), row.claimCode() ? ClaimCode.generate(random) : null));
        }
        checkAgainstRegistry(endpoints, identities, errors);
        if (!errors.isEmpty()) {
            errors.sort(Comparator.comparingInt(RowError::row));
            throw new BulkRejectedException(errors);
        }
        write(accepted, rows);
        accepted.forEach(p -> sink.provisioned(p.credentials()));
        return accepted;
    }

    private void checkAgainstRegistry(Map<String, Integer> endpoints, Map<String, Integer> identities,
            List<RowError> errors) {
        var dsl = repository.database().dsl();
        Set<String> taken = BulkInsert.existingEndpoints(dsl, endpoints.keySet());
        for (String endpoint : taken) {
            errors.add(new RowError(endpoints.get(endpoint), "endpoint",
                    "a device with endpoint '" + endpoint + "' is already provisioned"));
        }
        for (String identity : BulkInsert.existingPskIdentities(dsl, identities.keySet())) {
            errors.add(new RowError(identities.get(identity), "security.identity", "PSK identity '" + identity
                    + "' is already used by another device; choose another identity"));
        }
    }

    private void write(List<Provisioned> accepted, List<BulkRow> rows) {
        Map<Integer, String> metadata = new HashMap<>();
        for (BulkRow row : rows) {
            metadata.put(row.row(), row.request().metadata() == null ? "{}" : row.request().metadata());
        }
        List<NewDevice> devices = accepted.stream().map(p -> new NewDevice(p.credentials(), p.model(), p.tags(),
                metadata.get(p.row()), p.claimCode() == null ? null : ClaimCode.hash(p.claimCode()))).toList();
        List<DeviceEvent> written;
        try {
            written = repository.database().inTransaction(
                    connection -> BulkInsert.insert(connection, devices, OffsetDateTime.now()));
        } catch (DataAccessException e) {
            if (!isConstraintViolation(e)) {
                throw e;
            }
            // Another request provisioned one of these endpoints or identities after the check: nothing was written.
            throw new DeviceConflictException("an endpoint or PSK identity of this list was provisioned by another"
                    + " request meanwhile; nothing was provisioned, send the list again to see which");
        }
        // Committed: listeners (the audit log among them) hear of each device, as for a single provisioning.
        written.forEach(repository::publish);
    }

    /** A unique key refused a row (SQLSTATE class 23), also when a JDBC batch chains the cause. */
    private static boolean isConstraintViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                for (SQLException s = sql; s != null; s = s.getNextException()) {
                    if (s.getSQLState() != null && s.getSQLState().startsWith("23")) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
