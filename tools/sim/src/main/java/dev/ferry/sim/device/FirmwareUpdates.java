package dev.ferry.sim.device;

import dev.ferry.image.ImageVersion;
import java.util.Arrays;
import java.util.Locale;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.WriteResponse;

/**
 * What the device decides when the server reads or writes object 5 or executes Update: called by the LwM2M
 * client's threads through {@link FirmwareObject}.
 */
final class FirmwareUpdates {
    /** Object 5's readable resources, read together under the device's lock. */
    record FirmwareView(String packageUri, FirmwareState state, UpdateResult result, String packageName,
            String packageVersion) {
    }

    private final DeviceParts parts;

    FirmwareUpdates(DeviceParts parts) {
        this.parts = parts;
    }

    FirmwareView firmwareView() {
        synchronized (parts.lock()) {
            UpdateMachine machine = parts.machine();
            String packageVersion = machine.packageVersion().orElse(parts.power().running()).toString();
            return new FirmwareView(machine.packageUri(), machine.state(), machine.result(),
                    parts.settings().packageName(), packageVersion);
        }
    }

    WriteResponse writePackageUri(String uri) {
        DownloadJob cancelled = null;
        UpdateMachine.UriWrite outcome;
        synchronized (parts.lock()) {
            UpdateMachine machine = parts.machine();
            PackageUris.Refusal refusal = uri.isEmpty() ? null
                    : PackageUris.check(uri, parts.settings().pskKey() != null);
            outcome = machine.setUri(uri, refusal == null ? null : refusal.result(),
                    refusal == null ? "" : refusal.detail());
            if (outcome == UpdateMachine.UriWrite.BUSY) {
                return WriteResponse.badRequest("an update is in progress (state "
                        + machine.state().name().toLowerCase(Locale.ROOT)
                        + "); write an empty Package URI to cancel it first");
            }
            if (outcome == UpdateMachine.UriWrite.CANCELLED) {
                cancelled = parts.downloads().detach();
            }
        }
        if (cancelled != null) {
            cancelled.cancel();
            parts.link().releaseAwake();
        }
        if (outcome == UpdateMachine.UriWrite.START) {
            parts.downloads().startPull(false);
        }
        return WriteResponse.success();
    }

    WriteResponse writePackage(byte[] bytes) {
        if (bytes.length == 0) {
            return writePackageUri("");
        }
        synchronized (parts.lock()) {
            UpdateMachine machine = parts.machine();
            FaultState faultState = parts.faultState();
            if (!machine.beginPush()) {
                return WriteResponse.badRequest("an update is in progress (state "
                        + machine.state().name().toLowerCase(Locale.ROOT)
                        + "); write an empty Package to cancel it first");
            }
            parts.events().publish(DeviceEvent.Type.DOWNLOAD_STARTED, 0, "push");
            Corruption corruption = faultState.takeCorruption();
            byte[] data = corruption == null ? bytes : corruption.apply(0, bytes);
            long powerAt = faultState.powerLossAt();
            if (powerAt >= 0 && powerAt < data.length) {
                faultState.powerLost();
                machine.write(0, Arrays.copyOf(data, (int) powerAt));
                parts.power().cutPower("power lost at byte " + powerAt + " of a pushed package (injected fault)");
                return WriteResponse.success(); // never leaves the device: the link is down
            }
            boolean whole = machine.write(0, data);
            if (whole && parts.settings().faults().refusesPushedPackages()) {
                parts.power().later(Faults.PUSH_CHECK_TIME, this::refusePushedPackage);
                return WriteResponse.success();
            }
            if (whole) {
                machine.finish();
            }
            parts.events().publish(DeviceEvent.Type.DOWNLOAD_FINISHED, machine.written(),
                    machine.state() == FirmwareState.DOWNLOADED ? "verified" : machine.failureDetail());
        }
        return WriteResponse.success();
    }

    private void refusePushedPackage() {
        synchronized (parts.lock()) {
            parts.machine().refusePushedPackage();
        }
    }

    ExecuteResponse executeUpdate() {
        ImageVersion target;
        synchronized (parts.lock()) {
            UpdateMachine machine = parts.machine();
            Faults faults = parts.settings().faults();
            if (faults.refusesUpdate()) {
                return ExecuteResponse.methodNotAllowed();
            }
            if (faults.ignoresUpdate()) {
                return ExecuteResponse.success();
            }
            if (faults.updatesWithoutReboot() && machine.executeWithoutInstalling()) {
                return ExecuteResponse.success();
            }
            if (!machine.execute()) {
                return ExecuteResponse.badRequest("Update needs a downloaded package (state 2); the state is "
                        + machine.state().code());
            }
            if (machine.state() != FirmwareState.UPDATING) {
                return ExecuteResponse.success(); // the package failed its second check; Update Result says why
            }
            target = machine.packageVersion().orElseThrow();
        }
        parts.power().rebootSoon("update to " + target);
        return ExecuteResponse.success();
    }
}
