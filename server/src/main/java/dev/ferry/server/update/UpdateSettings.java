package dev.ferry.server.update;

import java.time.Duration;

/** Limits of the update engine, from the server's configuration. */
public record UpdateSettings(int maxConcurrentDownloads, Duration downloadTimeout, Duration installTimeout,
        int maxAttempts, Duration retryBackoff, Duration requestTimeout) {
}
