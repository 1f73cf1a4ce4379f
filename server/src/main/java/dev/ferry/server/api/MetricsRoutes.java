package dev.ferry.server.api;

import java.util.List;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics} in Prometheus' text format (viewers, or anyone with {@code metrics.public=true}), and the
 * HTTP request meter: every answered request by method, route template and status.
 */
final class MetricsRoutes {
    static final String PATH = "/metrics";
    /** Where a route's template is kept on the context once it matched. */
    static final String ROUTE_KEY = "ferry.route";
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry meters;
    private final Runnable beforeScrape;
    private final Blocking blocking;

    MetricsRoutes(PrometheusMeterRegistry meters, Runnable beforeScrape, Blocking blocking) {
        this.meters = meters;
        this.beforeScrape = beforeScrape;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(ApiRoute.get(PATH, this::scrape).answers(200));
    }

    private void scrape(RoutingContext ctx) {
        // Gauges count registrations, queues and database rows as they are scraped: off the event loop.
        blocking.run(() -> {
            beforeScrape.run();
            return meters.scrape();
        }).onSuccess(text -> ctx.response().putHeader("content-type", CONTENT_TYPE)
                .end(text)).onFailure(ctx::fail);
    }

    /** First of all handlers: times each request until its response is written, by route template and status. */
    void mountRequestMeter(Router router) {
        router.route().handler(this::timeRequest);
    }

    private void timeRequest(RoutingContext ctx) {
        long started = System.nanoTime();
        ctx.addEndHandler(done -> {
            String template = ctx.get(ROUTE_KEY, "unmatched");
            Timer.builder("ferry.http.requests").description("HTTP requests answered, by route and status")
                    .tag("method", ctx.request().method().name()).tag("route", template)
                    .tag("status", Integer.toString(ctx.response().getStatusCode())).register(meters)
                    .record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
        });
        ctx.next();
    }
}
