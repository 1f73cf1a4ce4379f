package dev.ferry.server.events;

import java.time.OffsetDateTime;
import java.util.List;

/**
 * One event queued for one webhook, with its attempts.
 *
 * @param state {@code pending} (waiting for its next attempt), {@code delivered} (a receiver answered 2xx) or
 *        {@code failed} (every attempt failed, or the webhook was disabled or deleted first)
 */
public record WebhookDelivery(long id, long webhookId, long eventId, String eventType, String state, int attempts,
        OffsetDateTime nextAttemptAt, String lastError, OffsetDateTime createdAt, OffsetDateTime finishedAt,
        List<Attempt> attemptLog) {

    /** One attempt; {@code statusCode} null when no answer came (refused, timed out), then {@code error} says why. */
    public record Attempt(int attempt, OffsetDateTime at, Integer statusCode, String error, long durationMillis) {
    }
}
