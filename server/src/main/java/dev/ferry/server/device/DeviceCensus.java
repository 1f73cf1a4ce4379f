package dev.ferry.server.device;

import static dev.ferry.server.store.generated.Tables.DEVICE;

import java.util.List;

import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

import dev.ferry.server.store.Database;

/**
 * Counts over the fleet for an operator's overview: how many devices are online, and how many run each firmware
 * version of each model. Each answer is one grouped statement; every method blocks on the database.
 */
public final class DeviceCensus {
    /** The fleet (or the part of it a filter selects) by connectivity. */
    public record Counts(int total, int online) {
        public int offline() {
            return total - online;
        }
    }

    /** How many devices of a model report a firmware version; either is null when devices have not said. */
    public record VersionCount(String model, String firmwareVersion, int devices) {
    }

    private final Database database;

    public DeviceCensus(Database database) {
        this.database = database;
    }

    public Counts counts(DeviceFilter scope) {
        DSLContext dsl = database.dsl();
        var row = dsl.select(DSL.count(), DSL.count().filterWhere(DEVICE.ONLINE.isTrue())).from(DEVICE)
                .where(FilterConditions.of(dsl, scope)).fetchOne();
        return new Counts(row.value1(), row.value2());
    }

    /** Most devices first, at most {@code limit} model and version pairs. */
    public List<VersionCount> firmwareVersions(DeviceFilter scope, int limit) {
        DSLContext dsl = database.dsl();
        Condition condition = FilterConditions.of(dsl, scope);
        var devices = DSL.count();
        return dsl.select(DEVICE.MODEL, DEVICE.FIRMWARE_VERSION, devices).from(DEVICE).where(condition)
                .groupBy(DEVICE.MODEL, DEVICE.FIRMWARE_VERSION)
                .orderBy(devices.desc(), DEVICE.MODEL.asc().nullsLast(), DEVICE.FIRMWARE_VERSION.asc().nullsLast())
                .limit(limit).fetch(r -> new VersionCount(r.value1(), r.value2(), r.value3()));
    }
}
