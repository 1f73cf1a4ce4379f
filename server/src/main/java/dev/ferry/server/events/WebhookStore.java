package dev.ferry.server.events;

import static dev.ferry.server.store.generated.Tables.WEBHOOK;
import static dev.ferry.server.store.generated.Tables.WEBHOOK_ATTEMPT;
import static dev.ferry.server.store.generated.Tables.WEBHOOK_CURSOR;
import static dev.ferry.server.store.generated.Tables.WEBHOOK_DELIVERY;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.jooq.DSLContext;

import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.WebhookDeliveryRecord;
import dev.ferry.server.store.generated.tables.records.WebhookRecord;

/** Webhooks, their queued deliveries and the attempts at them. Every method blocks on the database. */
public final class WebhookStore {
    static final String PENDING = "pending";
    static final String DELIVERED = "delivered";
    static final String FAILED = "failed";
    private static final int CURSOR_ROW = 1;

    private final Database database;

    public WebhookStore(Database database) {
        this.database = database;
    }

    /** A webhook made, with the secret that signs its deliveries (shown to its maker once). */
    public record Created(Webhook webhook, String secret) {
    }

    /** A delivery whose next attempt is due, with what sending it takes. */
    record Due(long deliveryId, long webhookId, String url, String secret, String payload, int attempts) {
    }

    /** A delivery to queue: the event and the CloudEvent sent for it. */
    record Queued(long webhookId, long eventId, String eventType, String payload) {
    }

    public Created create(String url, Set<String> types, String device, String group, String createdBy,
            long afterEventId, OffsetDateTime now) {
        String secret = WebhookSigner.newSecret();
        WebhookRecord record = database.dsl().insertInto(WEBHOOK).set(WEBHOOK.URL, url).set(WEBHOOK.SECRET, secret)
                .set(WEBHOOK.EVENT_TYPES, String.join(",", types)).set(WEBHOOK.FILTER_DEVICE, device)
                .set(WEBHOOK.FILTER_GROUP, group).set(WEBHOOK.ENABLED, true).set(WEBHOOK.CREATED_BY, createdBy)
                .set(WEBHOOK.CREATED_AT, now).set(WEBHOOK.AFTER_EVENT_ID, afterEventId).returning().fetchOne();
        return new Created(toWebhook(record), secret);
    }

    public List<Webhook> list() {
        return database.dsl().selectFrom(WEBHOOK).orderBy(WEBHOOK.ID).fetch(WebhookStore::toWebhook);
    }

    public Optional<Webhook> find(long id) {
        return database.dsl().selectFrom(WEBHOOK).where(WEBHOOK.ID.eq(id)).fetchOptional()
                .map(WebhookStore::toWebhook);
    }

    /** Deletes the webhook with its deliveries and their attempts; false when there is none of that id. */
    public boolean delete(long id) {
        return database.dsl().deleteFrom(WEBHOOK).where(WEBHOOK.ID.eq(id)).execute() > 0;
    }

    List<Webhook> enabled() {
        return database.dsl().selectFrom(WEBHOOK).where(WEBHOOK.ENABLED.isTrue()).orderBy(WEBHOOK.ID)
                .fetch(WebhookStore::toWebhook);
    }

    /** The last device event deliveries were queued for; made {@code initial} (the log's newest) on first use. */
    long cursor(long initial) {
        DSLContext dsl = database.dsl();
        Long last = dsl.select(WEBHOOK_CURSOR.LAST_EVENT_ID).from(WEBHOOK_CURSOR)
                .where(WEBHOOK_CURSOR.ID.eq(CURSOR_ROW)).fetchOne(WEBHOOK_CURSOR.LAST_EVENT_ID);
        if (last != null) {
            return last;
        }
        dsl.insertInto(WEBHOOK_CURSOR).set(WEBHOOK_CURSOR.ID, CURSOR_ROW).set(WEBHOOK_CURSOR.LAST_EVENT_ID, initial)
                .execute();
        return initial;
    }

    /** Queues the deliveries and moves the cursor to {@code lastEventId} in one transaction. */
    void queue(Collection<Queued> deliveries, long lastEventId, OffsetDateTime now) {
        database.dsl().transaction(tx -> {
            DSLContext dsl = tx.dsl();
            if (!deliveries.isEmpty()) {
                var insert = dsl.insertInto(WEBHOOK_DELIVERY, WEBHOOK_DELIVERY.WEBHOOK_ID, WEBHOOK_DELIVERY.EVENT_ID,
                        WEBHOOK_DELIVERY.EVENT_TYPE, WEBHOOK_DELIVERY.PAYLOAD, WEBHOOK_DELIVERY.STATE,
                        WEBHOOK_DELIVERY.ATTEMPTS, WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT, WEBHOOK_DELIVERY.CREATED_AT);
                for (Queued q : deliveries) {
                    insert = insert.values(q.webhookId(), q.eventId(), q.eventType(), q.payload(), PENDING, 0, now,
                            now);
                }
                insert.execute();
            }
            dsl.update(WEBHOOK_CURSOR).set(WEBHOOK_CURSOR.LAST_EVENT_ID, lastEventId)
                    .where(WEBHOOK_CURSOR.ID.eq(CURSOR_ROW)).execute();
        });
    }

    /** Pending deliveries of enabled webhooks due by {@code now}, oldest first, leaving out those in flight. */
    List<Due> due(OffsetDateTime now, int limit, Set<Long> inFlight) {
        var condition = WEBHOOK_DELIVERY.STATE.eq(PENDING).and(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT.le(now))
                .and(WEBHOOK.ENABLED.isTrue());
        if (!inFlight.isEmpty()) {
            condition = condition.and(WEBHOOK_DELIVERY.ID.notIn(inFlight));
        }
        return database.dsl().select(WEBHOOK_DELIVERY.ID, WEBHOOK_DELIVERY.WEBHOOK_ID, WEBHOOK.URL, WEBHOOK.SECRET,
                WEBHOOK_DELIVERY.PAYLOAD, WEBHOOK_DELIVERY.ATTEMPTS).from(WEBHOOK_DELIVERY).join(WEBHOOK)
                .on(WEBHOOK.ID.eq(WEBHOOK_DELIVERY.WEBHOOK_ID)).where(condition)
                .orderBy(WEBHOOK_DELIVERY.NEXT_ATTEMPT_AT, WEBHOOK_DELIVERY.ID).limit(limit)
                .fetch(r -> new Due(r.value1(), r.value2(), r.value3(), r.value4(), r.value5(), r.value6()));
    }

    /**
     * Records an attempt and what follows from it in one transaction: delivered, another attempt at {@code retryAt},
     * or (retryAt null and not delivered) failed for good, which disables the webhook with {@code disableReason}
     * and fails its other pending deliveries.
     *
     * @return false when the delivery is gone (its webhook was deleted meanwhile)
     */
    boolean recordAttempt(long deliveryId, int attempt, OffsetDateTime at, Integer statusCode, String error,
            long durationMillis, boolean delivered, OffsetDateTime retryAt, String disableReason) {
        return database.dsl().transactionResult(tx -> {
            DSLContext dsl = tx.dsl();
            WebhookDeliveryRecord delivery = dsl.selectFrom(WEBHOOK_DELIVERY).where(WEBHOOK_DELIVERY.ID.eq(deliveryId))
                    .forUpdate().fetchOne();
            if (delivery == null) {
                return false;
            }
            String shortError = truncate(error);
            dsl.insertInto(WEBHOOK_ATTEMPT).set(WEBHOOK_ATTEMPT.DELIVERY_ID, deliveryId)
                    .set(WEBHOOK_ATTEMPT.ATTEMPT, attempt).set(WEBHOOK_ATTEMPT.ATTEMPTED_AT, at)
                    .set(WEBHOOK_ATTEMPT.STATUS_CODE, statusCode).set(WEBHOOK_ATTEMPT.ERROR, shortError)
                    .set(WEBHOOK_ATTEMPT.DURATION_MS, durationMillis).execute();
            delivery.setAttempts(attempt);
            delivery.setLastError(shortError);
            if (delivered) {
                delivery.setState(DELIVERED);
                delivery.setFinishedAt(at);
            } else if (retryAt != null) {
                delivery.setNextAttemptAt(retryAt);
            } else {
                delivery.setState(FAILED);
                delivery.setFinishedAt(at);
                dsl.update(WEBHOOK).set(WEBHOOK.ENABLED, false).set(WEBHOOK.DISABLED_REASON, truncate(disableReason))
                        .where(WEBHOOK.ID.eq(delivery.getWebhookId())).execute();
                dsl.update(WEBHOOK_DELIVERY).set(WEBHOOK_DELIVERY.STATE, FAILED)
                        .set(WEBHOOK_DELIVERY.LAST_ERROR, "not sent: the webhook was disabled")
                        .set(WEBHOOK_DELIVERY.FINISHED_AT, at)
                        .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(delivery.getWebhookId()))
                        .and(WEBHOOK_DELIVERY.STATE.eq(PENDING)).and(WEBHOOK_DELIVERY.ID.ne(deliveryId)).execute();
            }
            delivery.store();
            return true;
        });
    }

    /** The webhook's newest deliveries, newest first, each with its attempts. */
    public List<WebhookDelivery> recentDeliveries(long webhookId, int limit) {
        DSLContext dsl = database.dsl();
        List<WebhookDeliveryRecord> rows = dsl.selectFrom(WEBHOOK_DELIVERY)
                .where(WEBHOOK_DELIVERY.WEBHOOK_ID.eq(webhookId)).orderBy(WEBHOOK_DELIVERY.ID.desc()).limit(limit)
                .fetch();
        Map<Long, List<WebhookDelivery.Attempt>> attempts = rows.isEmpty() ? Map.of()
                : dsl.selectFrom(WEBHOOK_ATTEMPT)
                        .where(WEBHOOK_ATTEMPT.DELIVERY_ID.in(rows.stream().map(WebhookDeliveryRecord::getId).toList()))
                        .orderBy(WEBHOOK_ATTEMPT.DELIVERY_ID, WEBHOOK_ATTEMPT.ATTEMPT)
                        .fetchGroups(WEBHOOK_ATTEMPT.DELIVERY_ID, a -> new WebhookDelivery.Attempt(a.getAttempt(),
                                a.getAttemptedAt(), a.getStatusCode(), a.getError(), a.getDurationMs()));
        List<WebhookDelivery> deliveries = new ArrayList<>(rows.size());
        for (WebhookDeliveryRecord r : rows) {
            deliveries.add(new WebhookDelivery(r.getId(), r.getWebhookId(), r.getEventId(), r.getEventType(),
                    r.getState(), r.getAttempts(), r.getNextAttemptAt(), r.getLastError(), r.getCreatedAt(),
                    r.getFinishedAt(), attempts.getOrDefault(r.getId(), List.of())));
        }
        return deliveries;
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 1000);
    }

    private static Webhook toWebhook(WebhookRecord r) {
        Set<String> types = r.getEventTypes().isEmpty() ? Set.of()
                : Arrays.stream(r.getEventTypes().split(",")).collect(Collectors.toCollection(LinkedHashSet::new));
        return new Webhook(r.getId(), r.getUrl(), types, r.getFilterDevice(), r.getFilterGroup(), r.getEnabled(),
                r.getDisabledReason(), r.getCreatedBy(), r.getCreatedAt(), r.getAfterEventId());
    }
}
