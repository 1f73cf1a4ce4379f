package dev.ferry.server.auth;

import static dev.ferry.server.store.generated.Tables.API_TOKEN;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.store.Database;
import dev.ferry.server.store.generated.tables.records.ApiTokenRecord;

/**
 * The API tokens: kept in the database by the SHA-256 of their value, and in memory once seen, so that checking a
 * request's token costs a hash and a map lookup. A value not in memory (a token made by {@code ferry-server token
 * create} while the server runs) is looked up in the database once, on a worker thread. Revoking removes a token
 * from both at once, so the next request with it is refused. Last use is kept in memory and written at most once per
 * {@link #LAST_USE_WRITE_INTERVAL} per token, on a thread of its own, never on the request's path.
 */
public final class TokenStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TokenStore.class);
    public static final Duration LAST_USE_WRITE_INTERVAL = Duration.ofMinutes(1);

    private final Database database;
    private final Clock clock;
    private final Map<HashKey, Known> byHash = new ConcurrentHashMap<>();
    /** Ids revoked since start: a lookup racing with the revocation must not bring the token back into memory. */
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final ExecutorService lastUseWriter = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "ferry-token-last-use");
        thread.setDaemon(true);
        return thread;
    });

    /** A token in memory with its real last use, which the database learns of later. */
    private static final class Known {
        final ApiToken token;
        final byte[] hash;
        volatile Instant lastUse;
        volatile Instant lastWritten;
        volatile Instant persisted;
        final AtomicBoolean writing = new AtomicBoolean();

        Known(ApiToken token, byte[] hash) {
            this.token = token;
            this.hash = hash;
            this.lastWritten = token.lastUsedAt().orElse(null);
            this.lastUse = lastWritten;
            this.persisted = lastWritten;
        }
    }

    /** A hash as a map key, compared in constant time. */
    private record HashKey(byte[] hash) {
        @Override
        public boolean equals(Object other) {
            return other instanceof HashKey key && MessageDigest.isEqual(hash, key.hash);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(hash);
        }
    }

    /** A new token and its value, which exists only here: the caller shows it once. */
    public record Created(ApiToken token, String value) {
        @Override
        public String toString() {
            return "Created[" + token + ", value hidden]";
        }
    }

    public TokenStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Reads every token into memory; blocking, done once at start. */
    public TokenStore load() {
        database.dsl().selectFrom(API_TOKEN).fetch().forEach(this::remember);
        return this;
    }

    public Instant now() {
        return clock.instant();
    }

    /** The token with this value's hash if it is in memory; never touches the database. */
    public Optional<ApiToken> cached(byte[] hash) {
        Known known = byHash.get(new HashKey(hash));
        return known == null ? Optional.empty() : Optional.of(known.token);
    }

    /** Looks the hash up in the database (blocking) and keeps what it finds in memory. */
    public Optional<ApiToken> lookup(byte[] hash) {
        ApiTokenRecord row = database.dsl().selectFrom(API_TOKEN).where(API_TOKEN.VALUE_HASH.eq(hash)).fetchOne();
        return row == null ? Optional.empty() : Optional.ofNullable(remember(row)).map(known -> known.token);
    }

    /** Notes that a request used the token; writes the time to the database if the last write is old enough. */
    public void used(byte[] hash) {
        Known known = byHash.get(new HashKey(hash));
        if (known == null) {
            return;
        }
        known.lastUse = clock.instant();
        writeIfDue(known);
    }

    /** Queues a write of the last use if the last write is old enough and none is under way. */
    private void writeIfDue(Known known) {
        Instant use = known.lastUse;
        Instant written = known.lastWritten;
        if (use != null && (written == null || !use.isBefore(written.plus(LAST_USE_WRITE_INTERVAL)))
                && known.writing.compareAndSet(false, true)) {
            known.lastWritten = use;
            try {
                lastUseWriter.execute(() -> write(known));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                known.writing.set(false); // close() writes what is left
            }
        }
    }

    /** Makes a token (blocking) and returns it with its value, shown only this once. */
    public Created create(TokenSpec spec, String createdBy) {
        return create(spec, createdBy, TokenSecret.generate());
    }

    /** As {@link #create(TokenSpec, String)}, with a value generated beforehand by {@link TokenSecret#generate()}. */
    Created create(TokenSpec spec, String createdBy, String value) {
        byte[] hash = TokenSecret.hash(value);
        ApiTokenRecord row = database.dsl().insertInto(API_TOKEN).set(API_TOKEN.NAME, spec.name())
                .set(API_TOKEN.ROLE, spec.role().wireName()).set(API_TOKEN.DEVICE_TAG, spec.deviceTag().orElse(null))
                .set(API_TOKEN.VALUE_HASH, hash).set(API_TOKEN.CREATED_BY, createdBy)
                .set(API_TOKEN.CREATED_AT, at(clock.instant()))
                .set(API_TOKEN.EXPIRES_AT, spec.expiresAt().map(TokenStore::at).orElse(null)).returning().fetchOne();
        Known known = remember(row);
        return new Created(known == null ? toToken(row) : known.token, value);
    }

    /** Every token, oldest first, with last uses not yet written filled in from memory (blocking). */
    public List<ApiToken> list() {
        Map<String, Instant> inMemory = new ConcurrentHashMap<>();
        byHash.values().forEach(k -> {
            if (k.lastUse != null) {
                inMemory.put(k.token.id(), k.lastUse);
            }
        });
        return database.dsl().selectFrom(API_TOKEN).orderBy(API_TOKEN.ID).fetch().stream().map(TokenStore::toToken)
                .map(t -> inMemory.containsKey(t.id()) ? t.usedAt(inMemory.get(t.id())) : t).toList();
    }

    /** Deletes the token (blocking); from this call's return on, no request with it is accepted. */
    public boolean revoke(String id) {
        Long key = parseId(id);
        if (key == null) {
            return false;
        }
        revoked.add(id);
        int deleted = database.dsl().deleteFrom(API_TOKEN).where(API_TOKEN.ID.eq(key)).execute();
        byHash.values().removeIf(known -> known.token.id().equals(id));
        return deleted > 0;
    }

    /** Whether no token exists at all (blocking): the server's first start on this database. */
    public boolean isEmpty() {
        return database.dsl().fetchCount(API_TOKEN) == 0;
    }

    private Known remember(ApiTokenRecord row) {
        ApiToken token = toToken(row);
        if (revoked.contains(token.id())) {
            return null;
        }
        return byHash.computeIfAbsent(new HashKey(row.getValueHash()), k -> new Known(token, row.getValueHash()));
    }

    private void write(Known known) {
        Instant use = known.lastUse;
        try {
            database.dsl().update(API_TOKEN).set(API_TOKEN.LAST_USED_AT, at(use))
                    .where(API_TOKEN.ID.eq(Long.valueOf(known.token.id()))).execute();
            known.persisted = use;
        } catch (RuntimeException e) {
            LOG.warn("Cannot record the last use of API token {} ({}): {}", known.token.id(), known.token.name(),
                    e.getMessage());
        } finally {
            known.writing.set(false);
        }
        // A use noted while this write ran found the writer busy and was not queued: take it up now, not only at
        // the token's next use.
        writeIfDue(known);
    }

    /** Writes the last uses not yet written, then stops the writer. */
    @Override
    public void close() {
        lastUseWriter.shutdown();
        try {
            lastUseWriter.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Known known : byHash.values()) {
            Instant use = known.lastUse;
            if (use != null && !use.equals(known.persisted) && !revoked.contains(known.token.id())) {
                write(known);
            }
        }
    }

    private static Long parseId(String id) {
        try {
            return Long.valueOf(id);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static ApiToken toToken(ApiTokenRecord r) {
        Role role = Role.fromWireName(r.getRole()).orElseThrow(() -> new IllegalStateException(
                "database holds API token " + r.getId() + " with unknown role " + r.getRole()));
        return new ApiToken(Long.toString(r.getId()), r.getName(), role, Optional.ofNullable(r.getDeviceTag()),
                r.getCreatedBy(), r.getCreatedAt().toInstant(), Optional.ofNullable(r.getExpiresAt())
                        .map(OffsetDateTime::toInstant),
                Optional.ofNullable(r.getLastUsedAt()).map(OffsetDateTime::toInstant));
    }
}
