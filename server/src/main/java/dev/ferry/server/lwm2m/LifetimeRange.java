package dev.ferry.server.lwm2m;

/**
 * The registration lifetimes the server accepts, in seconds: from devices registering or updating their
 * registration, and for writes of a Server object's lifetime (resource 1/x/1). A lifetime below the minimum would
 * have a device re-register in a loop; one above the maximum would show a dead device online for that long.
 */
public record LifetimeRange(long minSeconds, long maxSeconds) {

    public LifetimeRange {
        if (minSeconds < 1 || maxSeconds < minSeconds) {
            throw new IllegalArgumentException("a lifetime range needs 1 <= minimum <= maximum, got " + minSeconds
                    + " to " + maxSeconds);
        }
    }

    public boolean contains(long seconds) {
        return seconds >= minSeconds && seconds <= maxSeconds;
    }

    /** Why {@code seconds} is refused, or null when it is within the range. */
    public String refusal(long seconds) {
        if (contains(seconds)) {
            return null;
        }
        if (seconds <= 0) {
            return "a lifetime must be a positive number of seconds, got " + seconds + "; this server accepts "
                    + describe();
        }
        return "a lifetime of " + seconds + " s is outside the range this server accepts: " + describe();
    }

    /** "60 to 86400 seconds" */
    public String describe() {
        return minSeconds + " to " + maxSeconds + " seconds";
    }
}
