package dev.ferry.server.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What an API token may do. {@code viewer}, {@code operator} and {@code admin} are ordered: each may do what the
 * one before may. {@code ci} stands apart: it may do only what a release pipeline needs (upload and publish
 * firmware, create rollouts in draft and follow one by its id), and nothing else a viewer may.
 */
public enum Role {
    VIEWER, OPERATOR, ADMIN, CI;

    /** The name used in the API, tokens and messages: {@code viewer}, {@code operator}, {@code admin}, {@code ci}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Role> fromWireName(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    /** The wire names, for messages: {@code viewer, operator, admin, ci}. */
    public static String allWireNames() {
        return String.join(", ", java.util.Arrays.stream(values()).map(Role::wireName).toList());
    }

    /** Whether a token of this role may use a route that needs {@code needed}, optionally also open to ci. */
    public boolean satisfies(Role needed, boolean ciAllowed) {
        if (this == CI) {
            return ciAllowed || needed == CI;
        }
        return needed != CI && ordinal() >= needed.ordinal();
    }
}
