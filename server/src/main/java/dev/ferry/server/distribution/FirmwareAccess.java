package dev.ferry.server.distribution;

import dev.ferry.server.firmware.Firmware;

/**
 * Decides whether an authenticated device may download an image over CoAPS. The server's rule is "only the image
 * the device's unfinished update session installs"; plain CoAP and HTTP downloads carry no identity and are not
 * asked.
 */
@FunctionalInterface
public interface FirmwareAccess {
    boolean mayFetch(String endpoint, Firmware firmware);
}
