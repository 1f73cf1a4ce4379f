package dev.ferry.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per remote address, in fixed windows: once an address has failed {@code limit} times
 * within one window, every request of it that needs a token is refused until the window ends, a right token
 * included, so guessing tokens costs a window per {@code limit} guesses. Memory is bounded: past
 * {@link #MAX_ADDRESSES} addresses, windows that have ended are dropped, and if none has, the oldest ones.
 */
public final class FailedAttempts {
    static final int MAX_ADDRESSES = 10_000;

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Window> byAddress = new ConcurrentHashMap<>();

    private record Window(Instant start, int failures) {
    }

    public FailedAttempts(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /** How long {@code address} must wait before its next try, if it is blocked now. */
    public Optional<Duration> blocked(String address) {
        Window current = byAddress.get(address);
        if (current == null || current.failures() < limit) {
            return Optional.empty();
        }
        Duration left = Duration.between(clock.instant(), current.start().plus(window));
        return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /** Counts one failure of {@code address}. */
    public void failed(String address) {
        Instant now = clock.instant();
        if (byAddress.size() >= MAX_ADDRESSES && !byAddress.containsKey(address)) {
            prune(now);
        }
        byAddress.compute(address, (a, current) -> current == null || !now.isBefore(current.start().plus(window))
                ? new Window(now, 1) : new Window(current.start(), current.failures() + 1));
    }

    private void prune(Instant now) {
        byAddress.values().removeIf(w -> !now.isBefore(w.start().plus(window)));
        if (byAddress.size() >= MAX_ADDRESSES) {
            Instant oldest = byAddress.values().stream().map(Window::start).min(Instant::compareTo).orElse(now);
            byAddress.values().removeIf(w -> w.start().equals(oldest));
        }
    }
}
