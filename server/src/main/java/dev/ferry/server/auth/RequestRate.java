package dev.ferry.server.auth;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests per token, as a token bucket: {@code perSecond} on average, up to {@code burst} at once. A request past
 * the rate is refused with the time until the bucket holds one again. A rate of 0 means no limit.
 */
public final class RequestRate {
    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<String, Bucket> byToken = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }

    public RequestRate(int perSecond, int burst, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = Math.max(burst, 1);
        this.nanoTime = nanoTime;
    }

    /** Takes one request from the token's bucket; empty if allowed, else how long until one would be. */
    public Optional<Duration> take(String tokenId) {
        if (perSecond <= 0) {
            return Optional.empty();
        }
        long now = nanoTime.getAsLong();
        Bucket bucket = byToken.computeIfAbsent(tokenId, id -> new Bucket(burst, now));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) * perSecond / 1e9);
            bucket.refilledAt = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) / perSecond * 1e9)));
        }
    }

    /** Forgets a revoked token's bucket. */
    public void forget(String tokenId) {
        byToken.remove(tokenId);
    }
}
