package dev.ferry.server.auth;

import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.ferry.server.device.Names;

/** What a new token is to be: checked here, so the API and the command line refuse the same things alike. */
public record TokenSpec(String name, Role role, Optional<String> deviceTag, Optional<Instant> expiresAt) {
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9 ._:@+\\-]{0,62}[A-Za-z0-9._:@+\\-])?");
    public static final String NAME_RULE = "1 to 64 characters: letters, digits, spaces and . _ : @ + -, starting with"
            + " a letter or digit and not ending with a space";

    /** Checks every part against {@code now}; the first one wrong is named in the exception. */
    public static TokenSpec of(String name, String role, String deviceTag, Instant expiresAt, Instant now) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidTokenException("name must be " + NAME_RULE + (name == null ? "" : "; got '"
                    + printable(name) + "'"));
        }
        if (role == null) {
            throw new InvalidTokenException("role is required: one of " + Role.allWireNames());
        }
        Role parsed = Role.fromWireName(role).orElseThrow(() -> new InvalidTokenException(
                "role must be one of " + Role.allWireNames() + "; got '" + printable(role) + "'"));
        if (deviceTag != null && !Names.isTag(deviceTag)) {
            throw new InvalidTokenException("deviceTag must be " + Names.TAG_RULE + "; got '" + printable(deviceTag)
                    + "'");
        }
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new InvalidTokenException("expiresAt " + expiresAt + " is not in the future (now " + now + ")");
        }
        return new TokenSpec(name, parsed, Optional.ofNullable(deviceTag), Optional.ofNullable(expiresAt));
    }

    private static String printable(String value) {
        String shown = value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
