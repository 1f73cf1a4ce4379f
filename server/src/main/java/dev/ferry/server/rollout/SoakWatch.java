package dev.ferry.server.rollout;

import static dev.ferry.server.store.generated.Tables.DEVICE_EVENT;
import static dev.ferry.server.store.generated.Tables.ROLLOUT_DEVICE;
import static dev.ferry.server.store.generated.Tables.UPDATE_TRANSITION;

import java.time.OffsetDateTime;
import java.util.function.Function;

import org.jooq.impl.DSL;

import dev.ferry.server.device.DeviceEventType;
import dev.ferry.server.device.DeviceRepository;
import dev.ferry.server.store.generated.tables.records.RolloutDeviceRecord;
import dev.ferry.server.store.generated.tables.records.RolloutRecord;
import dev.ferry.server.update.UpdateState;

/**
 * The soak period after a device's session succeeded. A device that registers again more than the gate's
 * {@code crashLoopRegistrations} times, or is offline, within it is unhealthy; one that stays is succeeded when
 * the period ends. Registrations are counted from the device event log, so those that came before the scheduler
 * saw the outcome, or while the server was down, count too. Runs on the scheduler's
 * thread.
 */
final class SoakWatch {
    private final RolloutStore store;
    private final DeviceRepository devices;
    private final Function<RolloutRecord, RolloutSpec> plans;

    SoakWatch(RolloutStore store, DeviceRepository devices, Function<RolloutRecord, RolloutSpec> plans) {
        this.store = store;
        this.devices = devices;
        this.plans = plans;
    }

    /** The device has just entered its soak: it may have crash-looped already. */
    void started(RolloutDeviceRecord row, RolloutSpec spec, OffsetDateTime now) {
        judgeRegistrations(row, spec, now);
    }

    /** Devices whose soak period is over: healthy if they did not crash-loop and are still online. */
    void watch(RolloutRecord rollout, RolloutSpec spec, OffsetDateTime now) {
        OffsetDateTime soakedSince = now.minus(spec.gate().soak());
        for (RolloutDeviceRecord row : store.dsl().selectFrom(ROLLOUT_DEVICE)
                .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(rollout.getId()),
                        ROLLOUT_DEVICE.STATE.eq(RolloutDeviceState.SOAKING.wireName()),
                        ROLLOUT_DEVICE.STATE_SINCE.le(soakedSince))
                .fetch()) {
            row.changed(false);
            if (judgeRegistrations(row, spec, now)) {
                continue;
            }
            boolean online = devices.find(row.getEndpoint()).map(d -> d.online()).orElse(false);
            store.transaction(tx -> tx.moveDevice(row, online ? RolloutDeviceState.SUCCEEDED
                    : RolloutDeviceState.UNHEALTHY, online ? null : "offline", online ? "healthy through its soak of "
                            + spec.gate().soak().toSeconds() + " s" : "offline at the end of its soak",
                    RolloutStore.SERVER, now));
        }
    }

    /**
     * A soaking device registered again (a reboot) or, a moment ago, a registration of it ended. A registration
     * replaced by a newer one ends too (a reboot, or the device came back from another address): the device is
     * offline only when the registry still says so.
     */
    void heard(String endpoint, DeviceEventType type, OffsetDateTime now) {
        for (RolloutDeviceRecord row : store.soaking(endpoint)) {
            row.changed(false);
            RolloutSpec spec = plans.apply(store.row(row.getRolloutId()));
            if (type == DeviceEventType.REGISTERED) {
                judgeRegistrations(row, spec, now);
            } else if (!devices.find(endpoint).map(d -> d.online()).orElse(false)) {
                store.transaction(tx -> tx.moveDevice(row, RolloutDeviceState.UNHEALTHY, "offline", "went offline ("
                        + type.wireName() + ") during its soak period", RolloutStore.SERVER, now));
            }
        }
    }

    /**
     * Unhealthy when it registered again too often since it booted its new image; true when it was moved so. The
     * count starts when the session asked the device to install (its first registration after that is the boot
     * into the new image, which is expected), so a device that crash-looped before its session could even see
     * the outcome is caught too.
     */
    private boolean judgeRegistrations(RolloutDeviceRecord row, RolloutSpec spec, OffsetDateTime now) {
        int registrations = store.dsl().fetchCount(DEVICE_EVENT, DEVICE_EVENT.ENDPOINT.eq(row.getEndpoint()),
                DEVICE_EVENT.EVENT_TYPE.eq(DeviceEventType.REGISTERED.wireName()),
                DEVICE_EVENT.OCCURRED_AT.gt(DSL.select(DSL.min(UPDATE_TRANSITION.OCCURRED_AT)).from(UPDATE_TRANSITION)
                        .where(UPDATE_TRANSITION.SESSION_ID.eq(row.getSessionId()),
                                UPDATE_TRANSITION.STATE.eq(UpdateState.UPDATING.wireName()))));
        int restarts = Math.max(0, registrations - 1);
        int limit = spec.gate().crashLoopRegistrations();
        if (restarts <= limit) {
            if (restarts != row.getRegistrations()) {
                store.dsl().update(ROLLOUT_DEVICE).set(ROLLOUT_DEVICE.REGISTRATIONS, restarts)
                        .where(ROLLOUT_DEVICE.ROLLOUT_ID.eq(row.getRolloutId()),
                                ROLLOUT_DEVICE.ENDPOINT.eq(row.getEndpoint())).execute();
            }
            return false;
        }
        row.setRegistrations(restarts);
        return store.transaction(tx -> tx.moveDevice(row, RolloutDeviceState.UNHEALTHY, "crash-loop", "registered "
                + restarts + " more time(s) after booting its new image, within its soak period (more than " + limit
                + ")", RolloutStore.SERVER, now));
    }
}
