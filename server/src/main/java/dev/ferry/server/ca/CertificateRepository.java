package dev.ferry.server.ca;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_CERTIFICATE;

import java.math.BigInteger;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

import org.jooq.DSLContext;
import org.jooq.Record;

import dev.ferry.server.store.Database;

/** Rows of issued device certificates and their revocation. Every method blocks on the database. */
final class CertificateRepository {
    private final Database database;

    CertificateRepository(Database database) {
        this.database = database;
    }

    <T> T inTransaction(java.util.function.Function<DSLContext, T> work) {
        return database.dsl().transactionResult(configuration -> work.apply(configuration.dsl()));
    }

    /**
     * The device's security mode (wire name), its row locked until the transaction ends, so that the device is not
     * deprovisioned halfway through an issuance or revocation; empty when it is not provisioned.
     */
    static Optional<String> lockDevice(DSLContext dsl, String endpoint) {
        return dsl.select(DEVICE.SECURITY_MODE).from(DEVICE).where(DEVICE.ENDPOINT.eq(endpoint)).forUpdate()
                .fetchOptional(DEVICE.SECURITY_MODE);
    }

    /** The device's certificates newest first, or null when the device is not provisioned. */
    List<IssuedCertificate> listOfDevice(String endpoint) {
        DSLContext dsl = database.dsl();
        return dsl.fetchExists(DEVICE, DEVICE.ENDPOINT.eq(endpoint)) ? list(dsl, endpoint) : null;
    }

    static void insert(DSLContext dsl, IssuedCertificate issued) {
        dsl.insertInto(DEVICE_CERTIFICATE)
                .set(DEVICE_CERTIFICATE.SERIAL, issued.serial())
                .set(DEVICE_CERTIFICATE.ENDPOINT, issued.endpoint())
                .set(DEVICE_CERTIFICATE.NOT_BEFORE, issued.notBefore())
                .set(DEVICE_CERTIFICATE.NOT_AFTER, issued.notAfter())
                .set(DEVICE_CERTIFICATE.ISSUED_AT, issued.issuedAt())
                .set(DEVICE_CERTIFICATE.CERTIFICATE_PEM, issued.certificatePem())
                .execute();
    }

    static List<IssuedCertificate> list(DSLContext dsl, String endpoint) {
        return dsl.selectFrom(DEVICE_CERTIFICATE).where(DEVICE_CERTIFICATE.ENDPOINT.eq(endpoint))
                .orderBy(DEVICE_CERTIFICATE.ISSUED_AT.desc(), DEVICE_CERTIFICATE.SERIAL)
                .fetch(CertificateRepository::toCertificate);
    }

    /**
     * Revokes the device's valid certificates ({@code serial} null: all of them) and returns those this call
     * revoked; certificates revoked before are left as they were.
     */
    static List<IssuedCertificate> revoke(DSLContext dsl, String endpoint, String serial, String reason,
            OffsetDateTime at) {
        var condition = DEVICE_CERTIFICATE.ENDPOINT.eq(endpoint).and(DEVICE_CERTIFICATE.REVOKED_AT.isNull());
        if (serial != null) {
            condition = condition.and(DEVICE_CERTIFICATE.SERIAL.eq(serial));
        }
        List<String> serials = dsl.select(DEVICE_CERTIFICATE.SERIAL).from(DEVICE_CERTIFICATE).where(condition)
                .forUpdate().fetch(DEVICE_CERTIFICATE.SERIAL);
        if (serials.isEmpty()) {
            return List.of();
        }
        dsl.update(DEVICE_CERTIFICATE).set(DEVICE_CERTIFICATE.REVOKED_AT, at)
                .set(DEVICE_CERTIFICATE.REVOCATION_REASON, reason)
                .where(DEVICE_CERTIFICATE.SERIAL.in(serials)).execute();
        return dsl.selectFrom(DEVICE_CERTIFICATE).where(DEVICE_CERTIFICATE.SERIAL.in(serials))
                .orderBy(DEVICE_CERTIFICATE.ISSUED_AT.desc(), DEVICE_CERTIFICATE.SERIAL)
                .fetch(CertificateRepository::toCertificate);
    }

    static boolean exists(DSLContext dsl, String endpoint, String serial) {
        return dsl.fetchExists(DEVICE_CERTIFICATE, DEVICE_CERTIFICATE.ENDPOINT.eq(endpoint),
                DEVICE_CERTIFICATE.SERIAL.eq(serial));
    }

    /** Every revoked serial, for the in-memory denylist the handshakes consult. */
    List<BigInteger> revokedSerials() {
        return database.dsl().select(DEVICE_CERTIFICATE.SERIAL).from(DEVICE_CERTIFICATE)
                .where(DEVICE_CERTIFICATE.REVOKED_AT.isNotNull())
                .fetch(r -> new BigInteger(r.value1(), 16));
    }

    private static IssuedCertificate toCertificate(Record r) {
        return new IssuedCertificate(r.get(DEVICE_CERTIFICATE.SERIAL), r.get(DEVICE_CERTIFICATE.ENDPOINT),
                r.get(DEVICE_CERTIFICATE.NOT_BEFORE), r.get(DEVICE_CERTIFICATE.NOT_AFTER),
                r.get(DEVICE_CERTIFICATE.ISSUED_AT), r.get(DEVICE_CERTIFICATE.CERTIFICATE_PEM),
                r.get(DEVICE_CERTIFICATE.REVOKED_AT), r.get(DEVICE_CERTIFICATE.REVOCATION_REASON));
    }
}
