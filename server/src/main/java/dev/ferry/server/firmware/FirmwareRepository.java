package dev.ferry.server.firmware;

import static dev.ferry.server.store.generated.Tables.DEVICE_MODEL;
import static dev.ferry.server.store.generated.Tables.FIRMWARE;
import static dev.ferry.server.store.generated.Tables.SIGNING_KEY;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.impl.DSL;

import dev.ferry.image.ImageVersion;
import dev.ferry.server.store.Database;

/** Firmware, signing-key and device-model rows. Every method blocks on the database. */
public final class FirmwareRepository {
    private final Database database;

    public FirmwareRepository(Database database) {
        this.database = database;
    }

    DSLContext dsl() {
        return database.dsl();
    }

    public Optional<Firmware> find(long id) {
        return database.dsl().selectFrom(FIRMWARE).where(FIRMWARE.ID.eq(id)).fetchOptional(FirmwareRepository::toFirmware);
    }

    /** The record of a model's image with this version, if uploaded; by the key {@link #versionExists} checks. */
    public Optional<Firmware> findVersion(String model, ImageVersion version) {
        return database.dsl().selectFrom(FIRMWARE)
                .where(FIRMWARE.MODEL.eq(model), FIRMWARE.VERSION.eq(version.toString()))
                .fetchOptional(FirmwareRepository::toFirmware);
    }

    Optional<Firmware> findForUpdate(DSLContext dsl, long id) {
        return dsl.selectFrom(FIRMWARE).where(FIRMWARE.ID.eq(id)).forUpdate()
                .fetchOptional(FirmwareRepository::toFirmware);
    }

    public List<Firmware> list(FirmwareQuery query) {
        return database.dsl().selectFrom(FIRMWARE).where(conditions(query))
                .orderBy(FIRMWARE.MODEL, FIRMWARE.VERSION_MAJOR.desc(), FIRMWARE.VERSION_MINOR.desc(),
                        FIRMWARE.VERSION_REVISION.desc(), FIRMWARE.VERSION_BUILD.desc())
                .offset(query.offset()).limit(query.limit()).fetch(FirmwareRepository::toFirmware);
    }

    public int count(FirmwareQuery query) {
        return database.dsl().fetchCount(FIRMWARE, conditions(query));
    }

    public List<Firmware> allPublished() {
        return database.dsl().selectFrom(FIRMWARE).where(FIRMWARE.PUBLISHED_AT.isNotNull())
                .fetch(FirmwareRepository::toFirmware);
    }

    /** The SHA-256 of every stored image, that is, every blob a record refers to. */
    public Set<String> allSha256() {
        return new HashSet<>(database.dsl().selectDistinct(FIRMWARE.SHA256).from(FIRMWARE)
                .fetch(FIRMWARE.SHA256));
    }

    public boolean anyWithSha256(DSLContext dsl, String sha256) {
        return dsl.fetchExists(FIRMWARE, FIRMWARE.SHA256.eq(sha256));
    }

    private static List<Condition> conditions(FirmwareQuery query) {
        List<Condition> conditions = new ArrayList<>();
        if (query.model() != null) {
            conditions.add(FIRMWARE.MODEL.eq(query.model()));
        }
        if (query.published() != null) {
            conditions.add(query.published() ? FIRMWARE.PUBLISHED_AT.isNotNull() : FIRMWARE.PUBLISHED_AT.isNull());
        }
        if (query.version() != null) {
            conditions.add(FIRMWARE.VERSION.eq(query.version()));
        }
        return conditions;
    }

    /** The highest security counter among the model's published images; empty when none carries one. */
    OptionalLong highestPublishedCounter(DSLContext dsl, String model) {
        Long counter = dsl.select(DSL.max(FIRMWARE.SECURITY_COUNTER)).from(FIRMWARE)
                .where(FIRMWARE.MODEL.eq(model), FIRMWARE.PUBLISHED_AT.isNotNull()).fetchOne(0, Long.class);
        return counter == null ? OptionalLong.empty() : OptionalLong.of(counter);
    }

    boolean versionExists(DSLContext dsl, String model, ImageVersion version) {
        return dsl.fetchExists(FIRMWARE, FIRMWARE.MODEL.eq(model), FIRMWARE.VERSION.eq(version.toString()));
    }

    long insert(DSLContext dsl, String model, ImageVersion version, long size, String sha256, String imageHash,
            String keyId, Long securityCounter, String notes, OffsetDateTime now) {
        return dsl.insertInto(FIRMWARE)
                .set(FIRMWARE.MODEL, model)
                .set(FIRMWARE.VERSION, version.toString())
                .set(FIRMWARE.VERSION_MAJOR, version.major())
                .set(FIRMWARE.VERSION_MINOR, version.minor())
                .set(FIRMWARE.VERSION_REVISION, version.revision())
                .set(FIRMWARE.VERSION_BUILD, version.build())
                .set(FIRMWARE.SIZE_BYTES, size)
                .set(FIRMWARE.SHA256, sha256)
                .set(FIRMWARE.IMAGE_HASH, imageHash)
                .set(FIRMWARE.SIGNING_KEY_ID, keyId)
                .set(FIRMWARE.SECURITY_COUNTER, securityCounter)
                .set(FIRMWARE.NOTES, notes)
                .set(FIRMWARE.CREATED_AT, now)
                .returningResult(FIRMWARE.ID).fetchOne(FIRMWARE.ID);
    }

    boolean markPublished(DSLContext dsl, long id, OffsetDateTime now) {
        return dsl.update(FIRMWARE).set(FIRMWARE.PUBLISHED_AT, now)
                .where(FIRMWARE.ID.eq(id), FIRMWARE.PUBLISHED_AT.isNull()).execute() == 1;
    }

    boolean delete(DSLContext dsl, long id) {
        return dsl.deleteFrom(FIRMWARE).where(FIRMWARE.ID.eq(id)).execute() == 1;
    }

    public List<SigningKey> signingKeys() {
        return database.dsl().selectFrom(SIGNING_KEY).orderBy(SIGNING_KEY.NAME).fetch(FirmwareRepository::toKey);
    }

    public Optional<SigningKey> signingKey(String id) {
        return database.dsl().selectFrom(SIGNING_KEY).where(SIGNING_KEY.ID.eq(id))
                .fetchOptional(FirmwareRepository::toKey);
    }

    void insertKey(DSLContext dsl, SigningKey key) {
        dsl.insertInto(SIGNING_KEY).set(SIGNING_KEY.ID, key.id()).set(SIGNING_KEY.NAME, key.name())
                .set(SIGNING_KEY.KEY_TYPE, key.type()).set(SIGNING_KEY.PUBLIC_KEY_PEM, key.publicKeyPem())
                .set(SIGNING_KEY.CREATED_AT, key.createdAt()).execute();
    }

    boolean keyExists(DSLContext dsl, String id, String name) {
        return dsl.fetchExists(SIGNING_KEY, SIGNING_KEY.ID.eq(id).or(SIGNING_KEY.NAME.eq(name)));
    }

    int firmwareSignedWith(DSLContext dsl, String keyId) {
        return dsl.fetchCount(FIRMWARE, FIRMWARE.SIGNING_KEY_ID.eq(keyId));
    }

    boolean deleteKey(DSLContext dsl, String id) {
        return dsl.deleteFrom(SIGNING_KEY).where(SIGNING_KEY.ID.eq(id)).execute() == 1;
    }

    public List<DeviceModel> models() {
        return database.dsl().selectFrom(DEVICE_MODEL).orderBy(DEVICE_MODEL.NAME)
                .fetch(r -> new DeviceModel(r.getName(), r.getSlotSize(), r.getUpdatedAt()));
    }

    public Optional<DeviceModel> model(String name) {
        return model(database.dsl(), name);
    }

    public Optional<DeviceModel> model(DSLContext dsl, String name) {
        return dsl.selectFrom(DEVICE_MODEL).where(DEVICE_MODEL.NAME.eq(name))
                .fetchOptional(r -> new DeviceModel(r.getName(), r.getSlotSize(), r.getUpdatedAt()));
    }

    public DeviceModel putModel(String name, Long slotSize) {
        OffsetDateTime now = OffsetDateTime.now();
        database.dsl().mergeInto(DEVICE_MODEL).using(DSL.selectOne())
                .on(DEVICE_MODEL.NAME.eq(name))
                .whenMatchedThenUpdate().set(DEVICE_MODEL.SLOT_SIZE, slotSize).set(DEVICE_MODEL.UPDATED_AT, now)
                .whenNotMatchedThenInsert(DEVICE_MODEL.NAME, DEVICE_MODEL.SLOT_SIZE, DEVICE_MODEL.UPDATED_AT)
                .values(name, slotSize, now).execute();
        return new DeviceModel(name, slotSize, now);
    }

    static Firmware toFirmware(Record r) {
        ImageVersion version = new ImageVersion(r.get(FIRMWARE.VERSION_MAJOR), r.get(FIRMWARE.VERSION_MINOR),
                r.get(FIRMWARE.VERSION_REVISION), r.get(FIRMWARE.VERSION_BUILD));
        return new Firmware(r.get(FIRMWARE.ID), r.get(FIRMWARE.MODEL), version, r.get(FIRMWARE.SIZE_BYTES),
                r.get(FIRMWARE.SHA256), r.get(FIRMWARE.IMAGE_HASH), r.get(FIRMWARE.SIGNING_KEY_ID),
                r.get(FIRMWARE.SECURITY_COUNTER), r.get(FIRMWARE.NOTES), r.get(FIRMWARE.CREATED_AT),
                r.get(FIRMWARE.PUBLISHED_AT));
    }

    private static SigningKey toKey(Record r) {
        return new SigningKey(r.get(SIGNING_KEY.ID), r.get(SIGNING_KEY.NAME), r.get(SIGNING_KEY.KEY_TYPE),
                r.get(SIGNING_KEY.PUBLIC_KEY_PEM), r.get(SIGNING_KEY.CREATED_AT));
    }
}
