package dev.ferry.server.auth;

import java.util.Optional;

/**
 * Who made a request: the API token it presented (by id and name, never its value), that token's role, and the
 * device tag the token is limited to, if any.
 */
public record Principal(String tokenId, String name, Role role, Optional<String> deviceTag) {

    /** Whether this caller may see and act on a device carrying {@code tags}. */
    public boolean mayReach(java.util.Collection<String> tags) {
        return deviceTag.isEmpty() || tags.contains(deviceTag.get());
    }
}
