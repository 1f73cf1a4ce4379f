package dev.ferry.server.update;

import dev.ferry.server.firmware.Firmware;

/**
 * Where a device pulls an image from: the server's own distribution endpoints, as devices reach them.
 *
 * @param https whether the HTTP API is served over TLS, and HTTP pulls with it
 */
public record PackageUris(String host, int coapPort, int coapsPort, int httpPort, boolean https) {
    /** The query parameter of an HTTP download URL that carries its session's download token. */
    public static final String TOKEN_PARAMETER = "token";

    /** The image's URI without a download token: CoAP and CoAPS pulls, and HTTP when downloads are public. */
    public String of(Delivery delivery, Firmware firmware) {
        String authority = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return switch (delivery) {
        case PULL_COAP -> "coap://" + authority + ":" + coapPort + firmware.downloadPath();
        case PULL_COAPS -> "coaps://" + authority + ":" + coapsPort + firmware.downloadPath();
        case PULL_HTTP -> (https ? "https://" : "http://") + authority + ":" + httpPort + firmware.downloadPath();
        case PUSH -> throw new IllegalArgumentException("a pushed image has no package URI");
        };
    }

    /** The URI a session's device pulls from: HTTP ones carry the session's download token. */
    String forSession(Delivery delivery, Firmware firmware, String downloadToken) {
        String uri = of(delivery, firmware);
        return delivery == Delivery.PULL_HTTP ? uri + "?" + TOKEN_PARAMETER + "=" + downloadToken : uri;
    }

    /** A session's URI as events, history and logs show it: the token is a credential and never shown. */
    static String shown(Delivery delivery, Firmware firmware, PackageUris uris) {
        String uri = uris.of(delivery, firmware);
        return delivery == Delivery.PULL_HTTP ? uri + "?" + TOKEN_PARAMETER + "=(this session's download token)" : uri;
    }
}
