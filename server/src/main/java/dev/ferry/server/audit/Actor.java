package dev.ferry.server.audit;

import dev.ferry.server.auth.Principal;

/**
 * Who an audit entry names: for API calls the token's name and role ({@code anonymous} / {@code none} when the
 * request carried no token), for transitions the server decided itself {@code server} / {@code system}, for those
 * a device caused {@code device:<endpoint>} / {@code device}.
 */
public record Actor(String name, String role) {
    static final int MAX_NAME = 128;

    public Actor {
        name = AuditEvent.clip(name, MAX_NAME);
        role = AuditEvent.clip(role, 16);
    }

    public static Actor of(Principal principal) {
        return new Actor(principal.name(), principal.role().wireName());
    }

    public static Actor anonymous() {
        return new Actor("anonymous", "none");
    }

    public static Actor server() {
        return new Actor("server", "system");
    }

    public static Actor device(String endpoint) {
        return new Actor("device:" + endpoint, "device");
    }
}
