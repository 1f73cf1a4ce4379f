package dev.ferry.server.audit;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * What is to be appended to the audit log: when, who, what (action and target), how it ended, and a summary of
 * the change that holds no secrets (see {@link Redaction}). The log adds the sequence number and the hashes.
 *
 * @param action for API calls the method and route pattern ({@code POST /api/v1/devices}); for transitions
 *     {@code device.provisioning}, {@code update.session}, {@code rollout.transition}
 * @param target what was acted on, {@code kind:id} ({@code device:dev-1}, {@code firmware:7}); empty when nothing
 * @param outcome the HTTP status of an API call ({@code 201}), or the result of a transition ({@code succeeded})
 */
public record AuditEvent(Instant time, Actor actor, String action, String target, String outcome, String summary) {
    static final int MAX_ACTION = 300;
    static final int MAX_TARGET = 300;
    static final int MAX_OUTCOME = 64;
    static final int MAX_SUMMARY = 4000;

    public AuditEvent {
        // Microseconds: what the database column keeps, so the hash computed now matches the one recomputed later.
        time = time.truncatedTo(ChronoUnit.MICROS);
        action = clip(action, MAX_ACTION);
        target = clip(target, MAX_TARGET);
        outcome = clip(outcome, MAX_OUTCOME);
        summary = clip(summary, MAX_SUMMARY);
    }

    /** Null becomes empty; text past {@code max} characters is cut, marked with an ellipsis. */
    static String clip(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 1) + "\u2026";
    }
}
