package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE_GROUP;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jooq.exception.IntegrityConstraintViolationException;

import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.DeviceGroupRecord;
import io.vertx.core.json.JsonObject;

/**
 * Saved groups: stored, changed and deleted here, their members read from the registry with their filter. A group
 * a rollout still uses ({@link GroupUsage}) keeps its filter and cannot be deleted. Every method blocks on the
 * database.
 */
public final class DeviceGroups {
    private final Database database;
    private final DeviceRepository registry;
    private final Clock clock;
    private volatile GroupUsage usage = GroupUsage.UNUSED;

    public DeviceGroups(Database database, DeviceRepository registry, Clock clock) {
        this.database = database;
        this.registry = registry;
        this.clock = clock;
    }

    /** What uses groups (the rollouts, once they exist); until set, nothing does. */
    public void usedBy(GroupUsage usage) {
        this.usage = usage == null ? GroupUsage.UNUSED : usage;
    }

    /** Every group, in name order. */
    public List<DeviceGroup> list() {
        return database.dsl().selectFrom(DEVICE_GROUP).orderBy(DEVICE_GROUP.NAME).fetch(DeviceGroups::toGroup);
    }

    public Optional<DeviceGroup> find(String name) {
        return database.dsl().selectFrom(DEVICE_GROUP).where(DEVICE_GROUP.NAME.eq(name)).fetchOptional()
                .map(DeviceGroups::toGroup);
    }

    /** @throws GroupException (EXISTS) when a group of that name exists */
    public DeviceGroup create(String name, String description, DeviceFilter filter, String createdBy) {
        OffsetDateTime now = OffsetDateTime.now(clock);
        try {
            database.dsl().transaction(tx -> {
                if (tx.dsl().fetchExists(DEVICE_GROUP, DEVICE_GROUP.NAME.eq(name))) {
                    throw exists(name);
                }
                tx.dsl().insertInto(DEVICE_GROUP).set(DEVICE_GROUP.NAME, name)
                        .set(DEVICE_GROUP.DESCRIPTION, description)
                        .set(DEVICE_GROUP.FILTER, DeviceFilterJson.render(filter).encode())
                        .set(DEVICE_GROUP.CREATED_BY, createdBy).set(DEVICE_GROUP.CREATED_AT, now)
                        .set(DEVICE_GROUP.UPDATED_AT, now).execute();
            });
        } catch (IntegrityConstraintViolationException e) {
            throw exists(name);
        }
        return find(name).orElseThrow();
    }

    /**
     * Changes the description and/or the filter (null leaves it as it is; an empty description removes it).
     *
     * @throws GroupException UNKNOWN when there is no such group, IN_USE when the filter would change under a
     *         rollout that targets the group
     */
    public DeviceGroup change(String name, String description, DeviceFilter filter) {
        DeviceGroup current = find(name).orElseThrow(() -> unknown(name));
        if (filter != null && !filter.equals(current.filter())) {
            refuseIfUsed(name, "change the filter of");
        }
        var update = database.dsl().update(DEVICE_GROUP).set(DEVICE_GROUP.UPDATED_AT, OffsetDateTime.now(clock));
        if (description != null) {
            update = update.set(DEVICE_GROUP.DESCRIPTION, description.isEmpty() ? null : description);
        }
        if (filter != null) {
            update = update.set(DEVICE_GROUP.FILTER, DeviceFilterJson.render(filter).encode());
        }
        if (update.where(DEVICE_GROUP.NAME.eq(name)).execute() == 0) {
            throw unknown(name);
        }
        return find(name).orElseThrow(() -> unknown(name));
    }

    /** @throws GroupException UNKNOWN when there is no such group, IN_USE when a rollout targets it */
    public void delete(String name) {
        if (find(name).isEmpty()) {
            throw unknown(name);
        }
        refuseIfUsed(name, "delete");
        if (database.dsl().deleteFrom(DEVICE_GROUP).where(DEVICE_GROUP.NAME.eq(name)).execute() == 0) {
            throw unknown(name);
        }
    }

    /** How many devices the group's filter matches now, within {@code scope} (further conditions, may be ALL). */
    public int count(DeviceGroup group, DeviceFilter scope) {
        return registry.countMatching(within(group.filter(), scope));
    }

    /** A page of the group's members now, in endpoint order after {@code after} (null: from the start). */
    public List<Device> members(DeviceGroup group, DeviceFilter scope, String after, int limit) {
        return registry.matching(within(group.filter(), scope), after, limit);
    }

    /** The group's members now, within {@code scope}, as a subquery (see {@link DeviceRepository#endpointsMatching}). */
    public org.jooq.Select<org.jooq.Record1<String>> memberEndpoints(DeviceGroup group, DeviceFilter scope) {
        return registry.endpointsMatching(within(group.filter(), scope));
    }

    /** Both filters at once, for a scope of tags only (a token limited to a device tag adds its tag). */
    static DeviceFilter within(DeviceFilter filter, DeviceFilter scope) {
        if (scope == null || scope.matchesEverything()) {
            return filter;
        }
        List<String> tagsAll = new ArrayList<>(filter.tagsAll());
        scope.tagsAll().stream().filter(t -> !tagsAll.contains(t)).forEach(tagsAll::add);
        return new DeviceFilter(tagsAll, filter.tagsAny(), filter.model(), filter.firmwareVersion(), filter.online(),
                filter.endpointPrefix(), filter.endpoints());
    }

    private void refuseIfUsed(String name, String action) {
        Optional<String> user = usage.usedBy(name);
        if (user.isPresent()) {
            throw new GroupException(GroupException.Kind.IN_USE, "cannot " + action + " group '" + name + "': "
                    + user.get() + " targets it and has not ended; wait until it completes, or cancel it first");
        }
    }

    private static GroupException unknown(String name) {
        return new GroupException(GroupException.Kind.UNKNOWN,
                "no group named '" + name + "'; list groups with GET /api/v1/groups");
    }

    private static GroupException exists(String name) {
        return new GroupException(GroupException.Kind.EXISTS, "a group named '" + name + "' already exists; choose"
                + " another name, or change it with PATCH /api/v1/groups/" + name);
    }

    private static DeviceGroup toGroup(DeviceGroupRecord r) {
        DeviceFilter filter = DeviceFilterJson.parse(new JsonObject(r.getFilter()), "filter", (field, problem) -> {
            throw new IllegalStateException("group '" + r.getName() + "' holds a filter this server cannot read: "
                    + field + " " + problem);
        });
        return new DeviceGroup(r.getName(), r.getDescription(), filter, r.getCreatedBy(), r.getCreatedAt(),
                r.getUpdatedAt());
    }
}
