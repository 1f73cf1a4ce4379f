package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;
import static dev.ferry.server.store.generated.Tables.DEVICE_CREDENTIAL;
import static dev.ferry.server.store.generated.Tables.DEVICE_EVENT;
import static dev.ferry.server.store.generated.Tables.DEVICE_TAG;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.exception.IntegrityConstraintViolationException;
import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.DeviceEventRecord;

/** Registry reads and operator-initiated writes. Every method blocks on the database. */
public final class DeviceRepository {
    private final Database database;
    private final DeviceEventBus events;
    /** See {@link FilterConditions#inEndpointOrder}; looked up on first use. */
    private volatile Optional<String> endpointIndex;

    /** A repository whose provisioning events are published nowhere (tools and tests of the registry alone). */
    public DeviceRepository(Database database) {
        this(database, new DeviceEventBus());
    }

    /** Provisioning events (provisioned, changed, deprovisioned) are published on {@code events} once committed. */
    public DeviceRepository(Database database, DeviceEventBus events) {
        this.database = database;
        this.events = events;
    }

    /** For the registry's other writers in this package (bulk provisioning, claim codes). */
    Database database() {
        return database;
    }

    public List<DeviceCredentials> allCredentials() {
        return database.dsl()
                .select(DEVICE.ENDPOINT, DEVICE.SECURITY_MODE, DEVICE_CREDENTIAL.PSK_IDENTITY,
                        DEVICE_CREDENTIAL.PSK_KEY, DEVICE_CREDENTIAL.PUBLIC_KEY)
                .from(DEVICE).leftJoin(DEVICE_CREDENTIAL).on(DEVICE_CREDENTIAL.DEVICE_ID.eq(DEVICE.ID))
                .fetch(r -> new DeviceCredentials(r.value1(), modeOf(r.value2()), r.value3(), r.value4(), r.value5()));
    }

    public Device insert(DeviceCredentials credentials, Collection<String> tags, String metadata) {
        return insert(credentials, tags, metadata, null);
    }

    /** As {@link #insert(DeviceCredentials, Collection, String)}, with the model known so far (may be null). */
    public Device insert(DeviceCredentials credentials, Collection<String> tags, String metadata, String model) {
        OffsetDateTime now = OffsetDateTime.now();
        DeviceEvent provisioned;
        try {
            provisioned = database.dsl().transactionResult(tx -> {
                DSLContext dsl = tx.dsl();
                if (dsl.fetchExists(DEVICE, DEVICE.ENDPOINT.eq(credentials.endpoint()))) {
                    throw new DeviceConflictException(
                            "a device with endpoint '" + credentials.endpoint() + "' is already provisioned");
                }
                if (credentials.pskIdentity() != null && dsl.fetchExists(DEVICE_CREDENTIAL,
                        DEVICE_CREDENTIAL.PSK_IDENTITY.eq(credentials.pskIdentity()))) {
                    throw new DeviceConflictException("PSK identity '" + credentials.pskIdentity()
                            + "' is already used by another device; choose another identity");
                }
                Long id = dsl.insertInto(DEVICE)
                        .set(DEVICE.ENDPOINT, credentials.endpoint())
                        .set(DEVICE.SECURITY_MODE, credentials.mode().wireName())
                        .set(DEVICE.METADATA, metadata)
                        .set(DEVICE.MODEL, model)
                        .set(DEVICE.CREATED_AT, now)
                        .set(DEVICE.UPDATED_AT, now)
                        .returningResult(DEVICE.ID).fetchOne(DEVICE.ID);
                dsl.insertInto(DEVICE_CREDENTIAL)
                        .set(DEVICE_CREDENTIAL.DEVICE_ID, id)
                        .set(DEVICE_CREDENTIAL.PSK_IDENTITY, credentials.pskIdentity())
                        .set(DEVICE_CREDENTIAL.PSK_KEY, credentials.pskKey())
                        .set(DEVICE_CREDENTIAL.PUBLIC_KEY, credentials.publicKey())
                        .execute();
                insertTags(dsl, id, tags);
                return recordEvent(dsl, credentials.endpoint(), DeviceEventType.PROVISIONED,
                        "provisioned with security mode " + credentials.mode().wireName(), now);
            });
        } catch (IntegrityConstraintViolationException e) {
            // Two operators provisioning the same endpoint at once: the constraint, not the check, caught it.
            throw new DeviceConflictException(
                    "endpoint '" + credentials.endpoint() + "' or its PSK identity is already provisioned");
        }
        events.publish(provisioned);
        return find(credentials.endpoint()).orElseThrow();
    }

    /**
     * Replaces a device's credential (its PSK identity stays unique: re-keying keeps the endpoint as identity)
     * and records a {@code changed} event naming {@code reason}; false when the device is unknown.
     */
    public boolean replaceCredentials(DeviceCredentials credentials, String reason) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            Long id = dsl.select(DEVICE.ID).from(DEVICE).where(DEVICE.ENDPOINT.eq(credentials.endpoint()))
                    .fetchOne(DEVICE.ID);
            if (id == null) {
                return false;
            }
            OffsetDateTime now = OffsetDateTime.now();
            dsl.update(DEVICE).set(DEVICE.SECURITY_MODE, credentials.mode().wireName()).set(DEVICE.UPDATED_AT, now)
                    .where(DEVICE.ID.eq(id)).execute();
            dsl.update(DEVICE_CREDENTIAL).set(DEVICE_CREDENTIAL.PSK_IDENTITY, credentials.pskIdentity())
                    .set(DEVICE_CREDENTIAL.PSK_KEY, credentials.pskKey())
                    .set(DEVICE_CREDENTIAL.PUBLIC_KEY, credentials.publicKey())
                    .where(DEVICE_CREDENTIAL.DEVICE_ID.eq(id)).execute();
            insertEvent(dsl, credentials.endpoint(), DeviceEventType.CHANGED, "credentials replaced ("
                    + credentials.mode().wireName() + "): " + reason, null, now);
            return true;
        });
    }

    /** Replaces tags and/or metadata (null leaves that part unchanged); empty when the device is unknown. */
    public Optional<Device> update(String endpoint, Collection<String> tags, String metadata, String summary) {
        DeviceEvent changed = database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            Long id = dsl.select(DEVICE.ID).from(DEVICE).where(DEVICE.ENDPOINT.eq(endpoint)).fetchOne(DEVICE.ID);
            if (id == null) {
                return null;
            }
            OffsetDateTime now = OffsetDateTime.now();
            var update = dsl.update(DEVICE).set(DEVICE.UPDATED_AT, now);
            if (metadata != null) {
                update = update.set(DEVICE.METADATA, metadata);
            }
            update.where(DEVICE.ID.eq(id)).execute();
            if (tags != null) {
                dsl.deleteFrom(DEVICE_TAG).where(DEVICE_TAG.DEVICE_ID.eq(id)).execute();
                insertTags(dsl, id, tags);
            }
            return recordEvent(dsl, endpoint, DeviceEventType.CHANGED, summary, now);
        });
        if (changed == null) {
            return Optional.empty();
        }
        events.publish(changed);
        return find(endpoint);
    }

    public boolean delete(String endpoint) {
        DeviceEvent deprovisioned = database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            int deleted = dsl.deleteFrom(DEVICE).where(DEVICE.ENDPOINT.eq(endpoint)).execute();
            return deleted == 0 ? null : recordEvent(dsl, endpoint, DeviceEventType.DEPROVISIONED,
                    "credentials removed", OffsetDateTime.now());
        });
        if (deprovisioned != null) {
            events.publish(deprovisioned);
        }
        return deprovisioned != null;
    }

    public Optional<Device> find(String endpoint) {
        DSLContext dsl = database.dsl();
        Record row = selectDevices(dsl).where(DEVICE.ENDPOINT.eq(endpoint)).fetchOne();
        if (row == null) {
            return Optional.empty();
        }
        return Optional.of(toDevice(row, tagsOf(dsl, List.of(row.get(DEVICE.ID))).getOrDefault(row.get(DEVICE.ID),
                List.of())));
    }

    public List<Device> list(DeviceQuery query) {
        return list(query, List.of());
    }

    /** The devices of {@code query} that every one of {@code filters} also matches (a list with filter parameters). */
    public List<Device> list(DeviceQuery query, List<DeviceFilter> filters) {
        DSLContext dsl = database.dsl();
        Condition page = query.after() == null ? conditionOf(query, false)
                : conditionOf(query, false).and(DEVICE.ENDPOINT.gt(query.after()));
        for (DeviceFilter filter : filters) {
            page = page.and(FilterConditions.of(dsl, filter));
        }
        List<Record> rows = new ArrayList<>(dsl.select(DEVICE.fields()).select(DEVICE_CREDENTIAL.PSK_IDENTITY)
                .from(filters.isEmpty() ? DEVICE : FilterConditions.inEndpointOrder(dsl, endpointIndex(dsl)))
                .leftJoin(DEVICE_CREDENTIAL).on(DEVICE_CREDENTIAL.DEVICE_ID.eq(DEVICE.ID))
                .where(page).orderBy(DEVICE.ENDPOINT).offset(query.offset()).limit(query.limit()).fetch());
        Map<Long, List<String>> tags = tagsOf(dsl, rows.stream().map(r -> r.get(DEVICE.ID)).toList());
        return rows.stream().map(r -> toDevice(r, tags.getOrDefault(r.get(DEVICE.ID), List.of()))).toList();
    }

    public int count(DeviceQuery query) {
        return count(query, List.of());
    }

    /** How many devices {@code list(query, filters)} pages through. */
    public int count(DeviceQuery query, List<DeviceFilter> filters) {
        if (filters.isEmpty()) {
            if (query.tag() != null && query.model() == null && query.online() == null
                    && query.firmwareVersion() == null && query.search() == null) {
                // Every tag row belongs to a device (they go with it), so the tag's index alone counts them.
                return database.dsl().fetchCount(DEVICE_TAG, DEVICE_TAG.TAG.eq(query.tag()));
            }
            return database.dsl().fetchCount(DEVICE, conditionOf(query, true));
        }
        DSLContext dsl = database.dsl();
        Condition condition = conditionOf(query, false);
        for (DeviceFilter filter : filters) {
            condition = condition.and(FilterConditions.of(dsl, filter));
        }
        return dsl.fetchCount(DEVICE, condition);
    }

    /**
     * The devices {@code filter} means, in endpoint order: at most {@code limit} of them, starting after the
     * endpoint {@code after} (null for the first page).
     */
    public List<Device> matching(DeviceFilter filter, String after, int limit) {
        DSLContext dsl = database.dsl();
        Condition condition = FilterConditions.of(dsl, filter);
        if (after != null) {
            condition = condition.and(DEVICE.ENDPOINT.gt(after));
        }
        List<Record> rows = new ArrayList<>(dsl.select(DEVICE.fields()).select(DEVICE_CREDENTIAL.PSK_IDENTITY)
                .from(FilterConditions.inEndpointOrder(dsl, endpointIndex(dsl)))
                .leftJoin(DEVICE_CREDENTIAL).on(DEVICE_CREDENTIAL.DEVICE_ID.eq(DEVICE.ID))
                .where(condition).orderBy(DEVICE.ENDPOINT).limit(limit).fetch());
        Map<Long, List<String>> tags = tagsOf(dsl, rows.stream().map(r -> r.get(DEVICE.ID)).toList());
        return rows.stream().map(r -> toDevice(r, tags.getOrDefault(r.get(DEVICE.ID), List.of()))).toList();
    }

    /**
     * The endpoints {@code filter} means, as a subquery for other features' queries (such as a fleet's telemetry),
     * so that a group of any size is matched by the database rather than sent to it as a list.
     */
    public org.jooq.Select<org.jooq.Record1<String>> endpointsMatching(DeviceFilter filter) {
        DSLContext dsl = database.dsl();
        return dsl.select(DEVICE.ENDPOINT).from(DEVICE).where(FilterConditions.of(dsl, filter));
    }

    /** How many devices {@code filter} means now. */
    public int countMatching(DeviceFilter filter) {
        DSLContext dsl = database.dsl();
        if (filter.tagsAll().size() == 1 && filter.equals(new DeviceFilter(filter.tagsAll(), null, null, null, null,
                null, null))) {
            // Every tag row belongs to a device (they go with it), so the tag's index alone counts them.
            return dsl.fetchCount(DEVICE_TAG, DEVICE_TAG.TAG.eq(filter.tagsAll().get(0)));
        }
        return dsl.fetchCount(DEVICE, FilterConditions.of(dsl, filter));
    }

    private String endpointIndex(DSLContext dsl) {
        Optional<String> name = endpointIndex;
        if (name == null) {
            name = Optional.ofNullable(FilterConditions.endpointIndexName(dsl));
            endpointIndex = name;
        }
        return name.orElse(null);
    }

    /** Newest first; {@code endpoint} or {@code type} null match every event. */
    public List<DeviceEvent> events(String endpoint, DeviceEventType type, int limit) {
        Condition condition = DSL.noCondition();
        if (endpoint != null) {
            condition = condition.and(DEVICE_EVENT.ENDPOINT.eq(endpoint));
        }
        if (type != null) {
            condition = condition.and(DEVICE_EVENT.EVENT_TYPE.eq(type.wireName()));
        }
        return database.dsl().selectFrom(DEVICE_EVENT).where(condition).orderBy(DEVICE_EVENT.ID.desc()).limit(limit)
                .fetch(DeviceRepository::toEvent);
    }

    static DeviceEvent toEvent(DeviceEventRecord r) {
        return new DeviceEvent(r.getId(), r.getEndpoint(), DeviceEventType.fromWireName(r.getEventType()),
                r.getDetail(), r.getPeerAddress(), r.getOccurredAt());
    }

    static void insertEvent(DSLContext dsl, String endpoint, DeviceEventType type, String detail, String peer,
            OffsetDateTime at) {
        dsl.insertInto(DEVICE_EVENT).set(DEVICE_EVENT.ENDPOINT, endpoint)
                .set(DEVICE_EVENT.EVENT_TYPE, type.wireName()).set(DEVICE_EVENT.DETAIL, truncate(detail, 1000))
                .set(DEVICE_EVENT.PEER_ADDRESS, peer).set(DEVICE_EVENT.OCCURRED_AT, at).execute();
    }

    /** Publishes an event of this repository's devices once its transaction committed (see {@link #recordEvent}). */
    void publish(DeviceEvent event) {
        events.publish(event);
    }

    /** Writes an event inside the caller's transaction; publish it on the bus once that commits. */
    public static DeviceEvent recordEvent(DSLContext dsl, String endpoint, DeviceEventType type, String detail,
            OffsetDateTime at) {
        DeviceEventRecord record = dsl.insertInto(DEVICE_EVENT).set(DEVICE_EVENT.ENDPOINT, endpoint)
                .set(DEVICE_EVENT.EVENT_TYPE, type.wireName()).set(DEVICE_EVENT.DETAIL, truncate(detail, 1000))
                .set(DEVICE_EVENT.OCCURRED_AT, at).returning().fetchOne();
        return toEvent(record);
    }

    public static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    private static void insertTags(DSLContext dsl, Long deviceId, Collection<String> tags) {
        if (tags == null || tags.isEmpty()) {
            return;
        }
        var insert = dsl.insertInto(DEVICE_TAG, DEVICE_TAG.DEVICE_ID, DEVICE_TAG.TAG);
        for (String tag : tags) {
            insert = insert.values(deviceId, tag);
        }
        insert.execute();
    }

    private static org.jooq.SelectOnConditionStep<Record> selectDevices(DSLContext dsl) {
        return dsl.select(DEVICE.fields()).select(DEVICE_CREDENTIAL.PSK_IDENTITY).from(DEVICE)
                .leftJoin(DEVICE_CREDENTIAL).on(DEVICE_CREDENTIAL.DEVICE_ID.eq(DEVICE.ID));
    }

    private static Map<Long, List<String>> tagsOf(DSLContext dsl, List<Long> deviceIds) {
        Map<Long, List<String>> tags = new HashMap<>();
        if (deviceIds.isEmpty()) {
            return tags;
        }
        dsl.select(DEVICE_TAG.DEVICE_ID, DEVICE_TAG.TAG).from(DEVICE_TAG).where(DEVICE_TAG.DEVICE_ID.in(deviceIds))
                .orderBy(DEVICE_TAG.TAG)
                .forEach(r -> tags.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(r.value2()));
        return tags;
    }

    /**
     * The filters as a condition. A page walks the endpoint index and checks each device's tags until it is full;
     * a count takes the tag's devices from the tag index once and finds each by its key, where checking every
     * device would read the whole fleet.
     */
    private static Condition conditionOf(DeviceQuery query, boolean forCount) {
        Condition condition = DSL.noCondition();
        if (query.tag() != null && forCount) {
            condition = condition.and(DEVICE.ID.in(DSL.select(DEVICE_TAG.DEVICE_ID).from(DEVICE_TAG)
                    .where(DEVICE_TAG.TAG.eq(query.tag()))));
        } else if (query.tag() != null) {
            condition = condition.and(DSL.exists(DSL.selectOne().from(DEVICE_TAG)
                    .where(DEVICE_TAG.DEVICE_ID.eq(DEVICE.ID)).and(DEVICE_TAG.TAG.eq(query.tag()))));
        }
        if (query.model() != null) {
            condition = condition.and(DEVICE.MODEL.eq(query.model()));
        }
        if (query.online() != null) {
            condition = condition.and(DEVICE.ONLINE.eq(query.online()));
        }
        if (query.firmwareVersion() != null) {
            condition = condition.and(DEVICE.FIRMWARE_VERSION.eq(query.firmwareVersion()));
        }
        if (query.search() != null) {
            condition = condition.and(DEVICE.ENDPOINT.contains(query.search()));
        }
        return condition;
    }

    private static Device toDevice(Record r, List<String> tags) {
        return new Device(r.get(DEVICE.ENDPOINT), modeOf(r.get(DEVICE.SECURITY_MODE)),
                r.get(DEVICE_CREDENTIAL.PSK_IDENTITY), r.get(DEVICE.MANUFACTURER), r.get(DEVICE.MODEL),
                r.get(DEVICE.SERIAL_NUMBER), r.get(DEVICE.FIRMWARE_VERSION), r.get(DEVICE.LWM2M_VERSION),
                r.get(DEVICE.BINDING_MODE), r.get(DEVICE.QUEUE_MODE), r.get(DEVICE.SUPPORTED_OBJECTS),
                r.get(DEVICE.REGISTRATION_ID), r.get(DEVICE.PEER_ADDRESS), r.get(DEVICE.LIFETIME_SECONDS),
                r.get(DEVICE.ONLINE), r.get(DEVICE.LAST_SEEN), r.get(DEVICE.FIRMWARE_STATE),
                r.get(DEVICE.FIRMWARE_RESULT), r.get(DEVICE.METADATA), List.copyOf(tags), r.get(DEVICE.CREATED_AT),
                r.get(DEVICE.UPDATED_AT));
    }

    private static SecurityMode modeOf(String wireName) {
        return SecurityMode.fromWireName(wireName)
                .orElseThrow(() -> new IllegalStateException("database holds unknown security mode " + wireName));
    }
}
