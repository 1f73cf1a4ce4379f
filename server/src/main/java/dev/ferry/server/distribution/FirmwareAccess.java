package dev.ferry.server.distribution;

import dev.ferry.server.firmware.Firmware;

/**
 * Decides whether an authenticated device may download an image over CoAPS. The server's rule is "only the image
 * the device's unfinished update session installs", judged by the image's bytes (SHA-256) whichever firmware record
 * the session names, since two records (say, of two models) may share one image; plain CoAP and HTTP downloads
 * carry no identity and are not asked.
 */
@FunctionalInterface
public interface FirmwareAccess {
    boolean mayFetch(String endpoint, Firmware firmware);
}
