package dev.ferry.server.update;

import dev.ferry.server.firmware.Firmware;

/**
 * Where a device pulls an image from: the server's own distribution endpoints, as devices reach them.
 *
 * @param https whether the HTTP API is served over TLS, and HTTP pulls with it
 */
public record PackageUris(String host, int coapPort, int coapsPort, int httpPort, boolean https) {
    public String of(Delivery delivery, Firmware firmware) {
        String authority = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return switch (delivery) {
        case PULL_COAP -> "coap://" + authority + ":" + coapPort + firmware.downloadPath();
        case PULL_COAPS -> "coaps://" + authority + ":" + coapsPort + firmware.downloadPath();
        case PULL_HTTP -> (https ? "https://" : "http://") + authority + ":" + httpPort + firmware.downloadPath();
        case PUSH -> throw new IllegalArgumentException("a pushed image has no package URI");
        };
    }
}
