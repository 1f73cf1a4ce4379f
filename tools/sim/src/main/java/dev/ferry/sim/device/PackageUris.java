package dev.ferry.sim.device;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** Which Package URIs the simulated device can pull from, and the Update Result for those it cannot. */
final class PackageUris {
    static final int MAX_LENGTH = 1024;

    /** Why a URI is refused: the Update Result to report and what was wrong. */
    record Refusal(UpdateResult result, String detail) {
    }

    private PackageUris() {
    }

    /** Null when the device can pull {@code text}; otherwise why not. */
    static Refusal check(String text, boolean hasPsk) {
        if (text.length() > MAX_LENGTH) {
            return new Refusal(UpdateResult.INVALID_URI, "the URI is longer than " + MAX_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            return new Refusal(UpdateResult.INVALID_URI, "'" + text + "' is not a URI: " + e.getReason());
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
            return new Refusal(UpdateResult.INVALID_URI, "'" + text + "' names no scheme and host");
        }
        return switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
            case "coap", "http" -> null;
            case "coaps" -> hasPsk ? null : new Refusal(UpdateResult.UNSUPPORTED_PROTOCOL,
                    "coaps needs DTLS credentials and this device has none");
            default -> new Refusal(UpdateResult.UNSUPPORTED_PROTOCOL,
                    "scheme '" + uri.getScheme() + "' is not supported; use coap, coaps or http");
        };
    }
}
