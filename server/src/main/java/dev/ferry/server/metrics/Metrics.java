package dev.ferry.server.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The server's one meter registry, rendered at {@code GET /metrics} in Prometheus' text format. Each feature
 * registers its own meters on it (names {@code ferry_<feature>_<what>}, base units, counters ending in
 * {@code _total} once rendered).
 */
public final class Metrics {
    private Metrics() {
    }

    public static PrometheusMeterRegistry create() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
}
