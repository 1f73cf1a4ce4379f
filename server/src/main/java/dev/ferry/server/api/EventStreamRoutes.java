package dev.ferry.server.api;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.ferry.server.auth.Principal;
import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceGroup;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.Names;
import dev.ferry.server.events.EventFilter;
import dev.ferry.server.events.EventHub;
import dev.ferry.server.events.EventTypes;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/v1/events/stream}: device events (and telemetry) as Server-Sent Events. Each device event carries
 * its event log id as the SSE id, so a client that reconnects with {@code Last-Event-ID} is sent what it missed
 * (up to the replay limit) and then the new events, each once. Telemetry has no id and is not replayed.
 */
final class EventStreamRoutes {
    static final String PATH = "/api/v1/events/stream";
    static final String EVENT_STREAM = "text/event-stream";

    private final EventHub hub;
    private final DeviceGroups groups;
    private final Blocking blocking;
    private final Duration heartbeat;

    EventStreamRoutes(EventHub hub, DeviceGroups groups, Blocking blocking, Duration heartbeat) {
        this.hub = hub;
        this.groups = groups;
        this.blocking = blocking;
        this.heartbeat = heartbeat;
    }

    List<ApiRoute> routes() {
        return List.of(ApiRoute.get(PATH, this::stream).query("device", "group", "type").answers(200, 404, 406, 503));
    }

    private void stream(RoutingContext ctx) {
        if (Caller.deviceTag(ctx).isPresent()) {
            throw Caller.outOfScope(ctx, "the event stream spans the whole fleet; read the events of one device with"
                    + " GET /api/v1/devices/{endpoint}/events");
        }
        String device = QueryParams.name(ctx, "device", Names::isEndpoint, Names.ENDPOINT_RULE);
        String accept = ctx.request().getHeader("accept");
        if (accept == null || !accept.toLowerCase(java.util.Locale.ROOT).contains(EVENT_STREAM)) {
            // A client that does not say it reads a stream (a script expecting JSON) would wait for an end that
            // never comes.
            throw new ApiProblem(406, "not-acceptable", "Not acceptable", "this route answers a Server-Sent Events"
                    + " stream that stays open; send Accept: text/event-stream (EventSource does; with curl add -N"
                    + " -H 'Accept: text/event-stream'). The event log as JSON is GET /api/v1/events");
        }
        String group = QueryParams.string(ctx, "group");
        Set<String> types = types(QueryParams.string(ctx, "type"));
        Long after = lastEventId(ctx.request().getHeader("Last-Event-ID"));
        if (ctx.request().method() == io.vertx.core.http.HttpMethod.HEAD) {
            ctx.response().putHeader("content-type", EVENT_STREAM + "; charset=utf-8").end();
            return;
        }
        if (!hub.reserveClient()) {
            throw new ApiProblem(503, "too-many-streams", "Service unavailable", hub.maxClients()
                    + " event stream clients are connected, the most events.stream.max-clients allows; close one"
                    + " or try again later").withHeader("Retry-After", "10");
        }
        // Without Last-Event-ID, from what is final now: an event committed after the client has its answer's headers
        // has a larger id, so it is sent even if the hub takes the client in later.
        long from = after != null ? after : hub.horizon();
        blocking.run(() -> group == null ? Optional.<DeviceFilter>empty()
                : Optional.of(groups.find(group).map(DeviceGroup::filter).orElseThrow(() -> ApiProblem.notFound(
                        "no group named '" + group + "'; list groups with GET /api/v1/groups"))))
                .onSuccess(filter -> open(ctx, new EventFilter(device, filter.orElse(null), types), from))
                .onFailure(failure -> {
                    hub.releaseClient();
                    ctx.fail(failure);
                });
    }

    private void open(RoutingContext ctx, EventFilter filter, long after) {
        HttpServerResponse response = ctx.response();
        if (response.closed()) {
            hub.releaseClient();
            return;
        }
        response.setStatusCode(200).setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-store").putHeader("x-accel-buffering", "no");
        // The first bytes send the headers at once; "retry" is how long a browser's EventSource waits to reconnect.
        response.write("retry: 2000\n: connected\n\n");
        String who = Caller.of(ctx).map(Principal::name).orElse("?") + " at " + ctx.request().remoteAddress();
        EventStreamClient client = new EventStreamClient(ctx.vertx().getOrCreateContext(), response, filter, who);
        long timer = ctx.vertx().setPeriodic(heartbeat.toMillis(), id -> client.heartbeat());
        response.closeHandler(v -> {
            ctx.vertx().cancelTimer(timer);
            client.closed();
            hub.unsubscribe(client);
            hub.releaseClient();
        });
        hub.subscribe(client, after);
    }

    private static Set<String> types(String list) {
        try {
            return EventTypes.parse(list);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("type: " + e.getMessage() + " (comma-separated)");
        }
    }

    /** The id the client saw last; a value that is no event id is refused rather than read as "from now". */
    private static Long lastEventId(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        try {
            long id = Long.parseLong(header.strip());
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("Last-Event-ID must be the id of an event this stream sent (a whole number);"
                + " got '" + header + "'");
    }
}
