package dev.ferry.server.distribution;

import dev.ferry.server.firmware.Firmware;

/** Decides whether an authenticated device may download an image. */
@FunctionalInterface
public interface FirmwareAccess {
    /** Until update sessions assign images to devices, any authenticated device may fetch any published image. */
    FirmwareAccess ANY_PUBLISHED = (endpoint, firmware) -> true;

    boolean mayFetch(String endpoint, Firmware firmware);
}
