package dev.ferry.server.update;

import java.util.Optional;

import dev.ferry.image.ImageVersion;
import dev.ferry.server.device.Device;
import dev.ferry.server.device.SecurityMode;
import dev.ferry.server.firmware.DeviceModel;
import dev.ferry.server.firmware.Firmware;

/**
 * Whether an image may be installed on a device, judged by what the registry knows of the device (its model and
 * running version from 3/0/1 and 3/0/3, its provisioned security) and what the repository knows of the image.
 * Pure functions; each refusal names its {@link UpdateRefusal} and what the operator can do.
 *
 * <p>A device that has not reported its model yet is refused ({@code model-unknown}) unless the operator passes
 * {@code allowModelMismatch}: the server cannot tell whether the image fits it. A device whose running version is
 * unknown or not an MCUboot version skips the downgrade and security-counter checks: there is nothing to compare.
 */
final class InstallChecks {

    private InstallChecks() {
    }

    /**
     * @param deviceModel what the server knows of the device's model (its slot size), empty when unknown
     * @param runningImage the firmware record of the version the device runs, when the repository has one
     */
    static void check(Device device, Firmware image, UpdateRequest request, Optional<DeviceModel> deviceModel,
            Optional<Firmware> runningImage) {
        checkModel(device, image, request.allowModelMismatch());
        deviceModel.map(DeviceModel::slotSize).ifPresent(slot -> {
            if (image.sizeBytes() > slot) {
                throw new InvalidUpdateException(UpdateRefusal.TOO_LARGE_FOR_SLOT, "the image is "
                        + image.sizeBytes() + " bytes but model '" + deviceModel.get().name() + "' of device '"
                        + device.endpoint() + "' has a " + slot + "-byte slot");
            }
        });
        Optional<ImageVersion> running = runningVersion(device);
        if (running.isPresent() && image.version().compareTo(running.get()) < 0 && !request.allowDowngrade()) {
            throw new InvalidUpdateException(UpdateRefusal.DOWNGRADE, "device '" + device.endpoint() + "' runs "
                    + running.get() + "; " + image.version() + " is older. Pass \"allowDowngrade\": true to install"
                    + " it anyway");
        }
        runningImage.filter(r -> r.securityCounter() != null).ifPresent(r -> {
            long mine = image.securityCounterValue().orElse(0);
            if (mine < r.securityCounter()) {
                throw new InvalidUpdateException(UpdateRefusal.SECURITY_COUNTER_ROLLBACK, "image "
                        + image.version() + " has security counter " + (image.securityCounter() == null
                                ? "absent (0)" : mine) + ", lower than " + r.securityCounter() + " of "
                        + r.version() + " that device '" + device.endpoint() + "' runs; MCUboot would refuse to"
                        + " boot it. Sign it with --security-counter " + r.securityCounter() + " or higher");
            }
        });
    }

    private static void checkModel(Device device, Firmware image, boolean allowMismatch) {
        if (allowMismatch) {
            return;
        }
        if (device.model() == null) {
            throw new InvalidUpdateException(UpdateRefusal.MODEL_UNKNOWN, "device '" + device.endpoint()
                    + "' has not reported its model (3/0/1) yet, so the server cannot check that image "
                    + image.version() + " for model '" + image.model() + "' fits it; wait until it has registered,"
                    + " or pass \"allowModelMismatch\": true to install it anyway");
        }
        if (!device.model().equals(image.model())) {
            throw new InvalidUpdateException(UpdateRefusal.MODEL_MISMATCH, "firmware " + image.id() + " is built"
                    + " for model '" + image.model() + "' but device '" + device.endpoint() + "' reports model '"
                    + device.model() + "'; upload the image for '" + device.model() + "', or pass"
                    + " \"allowModelMismatch\": true to install it anyway");
        }
    }

    /** The version the device runs as the registry knows it (3/0/3), when it is an MCUboot version. */
    static Optional<ImageVersion> runningVersion(Device device) {
        if (device.firmwareVersion() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ImageVersion.parse(device.firmwareVersion().strip()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The delivery to use: the one asked for, if the device can use it, else the default for its security. A
     * device provisioned without DTLS cannot authenticate to the CoAPS download, which serves only assigned
     * images to known devices.
     */
    static Delivery delivery(Device device, Optional<Delivery> asked) {
        boolean dtls = device.securityMode() != SecurityMode.NONE;
        if (asked.isEmpty()) {
            return dtls ? Delivery.PULL_COAPS : Delivery.PULL_COAP;
        }
        if (asked.get() == Delivery.PULL_COAPS && !dtls) {
            throw new InvalidUpdateException(UpdateRefusal.DELIVERY_NEEDS_DTLS, "device '" + device.endpoint()
                    + "' is provisioned with security 'none', so it has no DTLS credentials to download over"
                    + " CoAPS; use pull-coap, pull-http or push");
        }
        return asked.get();
    }
}
