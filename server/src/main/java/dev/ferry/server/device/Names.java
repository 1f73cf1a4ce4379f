package dev.ferry.server.device;

import java.util.regex.Pattern;

/**
 * The character sets and lengths of the names operators and devices give things. Every name is case-sensitive,
 * as LwM2M endpoint names and PSK identities are: {@code PSK-2} and {@code psk-2} are two devices, and every filter
 * and search compares case exactly. None may hold a path separator, so each one is safe in a URL path segment.
 */
public final class Names {
    /** Endpoint client names: URN-friendly, no path or query characters, no whitespace. */
    public static final Pattern ENDPOINT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+\\-]{0,127}");
    public static final String ENDPOINT_RULE = "1 to 128 characters: letters, digits and . _ : @ + -, starting with a"
            + " letter or digit";

    public static final Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}");
    public static final String TAG_RULE = "1 to 64 characters: letters, digits and . _ : -, starting with a letter or"
            + " digit";

    /**
     * Device models, as devices report them in 3/0/1 and firmware is uploaded for: spaces are allowed inside (LwM2M
     * clients report names like "Lightweight M2M Client"), slashes never.
     */
    public static final Pattern MODEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 ._:@+\\-]{0,126}[A-Za-z0-9._:@+\\-])?");
    public static final String MODEL_RULE = "1 to 128 characters: letters, digits, spaces and . _ : @ + -, starting"
            + " with a letter or digit and not ending with a space";

    private Names() {
    }

    public static boolean isEndpoint(String name) {
        return name != null && ENDPOINT.matcher(name).matches();
    }

    public static boolean isTag(String name) {
        return name != null && TAG.matcher(name).matches();
    }

    public static boolean isModel(String name) {
        return name != null && MODEL.matcher(name).matches();
    }
}
