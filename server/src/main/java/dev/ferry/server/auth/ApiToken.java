package dev.ferry.server.auth;

import java.time.Instant;
import java.util.Optional;

import io.vertx.core.json.JsonObject;

/**
 * An API token as the server keeps it: everything but its value, of which only the SHA-256 is stored. The last use
 * is the one last written to the database, which trails the real last use by up to {@link TokenStore#LAST_USE_WRITE_INTERVAL}.
 */
public record ApiToken(String id, String name, Role role, Optional<String> deviceTag, String createdBy,
        Instant createdAt, Optional<Instant> expiresAt, Optional<Instant> lastUsedAt) {

    /** The caller a request with this token acts as. */
    public Principal principal() {
        return new Principal(id, name, role, deviceTag);
    }

    /** Whether the token has expired at {@code now}; a token without an expiry never does. */
    public boolean expiredAt(Instant now) {
        return expiresAt.isPresent() && !now.isBefore(expiresAt.get());
    }

    public ApiToken usedAt(Instant when) {
        return new ApiToken(id, name, role, deviceTag, createdBy, createdAt, expiresAt, Optional.of(when));
    }

    /** The token as the API lists it: never its value, which the server does not have. */
    public JsonObject toJson() {
        return new JsonObject().put("id", id).put("name", name).put("role", role.wireName())
                .put("deviceTag", deviceTag.orElse(null)).put("createdBy", createdBy)
                .put("createdAt", createdAt.toString()).put("expiresAt", expiresAt.map(Instant::toString).orElse(null))
                .put("lastUsedAt", lastUsedAt.map(Instant::toString).orElse(null));
    }
}
