package dev.ferry.server.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.ferry.server.audit.Actor;
import dev.ferry.server.audit.AuditEntry;
import dev.ferry.server.audit.AuditEvent;
import dev.ferry.server.audit.AuditLog;
import dev.ferry.server.audit.Redaction;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RequestBody;
import io.vertx.ext.web.RoutingContext;

/**
 * Puts every mutating call under {@code /api/v1} (POST, PUT, PATCH, DELETE), answered or refused, into the audit
 * log: caller, method and route pattern, target, status, and the request's content with secrets redacted (never
 * an image's bytes). Mounted once, before every other handler, so refusals of any later check are recorded too.
 *
 * <p>A mutating call is acknowledged only after its entry is committed: the reply helpers
 * ({@link Blocking#json}, {@link Blocking#noContent}, {@link Problems#send}) hand the reply to
 * {@link #send}, which appends the entry and sends the reply once the append completes. A reply that bypasses
 * them, and a connection closed before any reply, are still recorded when the exchange ends, without waiting.
 * If the entry cannot be written at all the reply still goes out, as the change it reports is already made,
 * and the server logs the lost entry as an error.
 */
final class AuditRecording {
    private static final Logger LOG = LoggerFactory.getLogger(AuditRecording.class);
    private static final String KEY = "ferry.audit.call";
    private static final String PREFIX = "/api/v1/";
    private static final Set<HttpMethod> MUTATING = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);
    /** Collections whose second path segment names the target, and the kind the target is given. */
    private static final Map<String, String> KINDS = Map.ofEntries(Map.entry("devices", "device"),
            Map.entry("firmware", "firmware"), Map.entry("signing-keys", "signing-key"), Map.entry("models", "model"),
            Map.entry("tokens", "token"), Map.entry("groups", "group"), Map.entry("rollouts", "rollout"),
            Map.entry("commands", "command-job"), Map.entry("webhooks", "webhook"),
            Map.entry("object-models", "object-model"));

    private record Known(ApiRoute route, Pattern pattern) {
    }

    private final AuditLog log;
    private final List<Known> routes = new ArrayList<>();

    AuditRecording(AuditLog log, List<ApiRoute> routes) {
        this.log = log;
        routes.forEach(r -> this.routes.add(new Known(r, r.pathPattern())));
    }

    void handle(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        if (MUTATING.contains(ctx.request().method()) && (path.equals("/api/v1") || path.startsWith(PREFIX))) {
            Context context = Vertx.currentContext() != null ? Vertx.currentContext()
                    : ctx.vertx().getOrCreateContext();
            Call call = new Call(ctx, context, route(ctx.request().method(), path));
            ctx.put(KEY, call);
            ctx.addEndHandler(ended -> call.afterEnd(ended.succeeded()));
        }
        ctx.next();
    }

    /**
     * Sends {@code reply} (which ends the response; status and headers are set) once the call's audit entry is
     * committed, or at once for a request that is not audited.
     */
    static void send(RoutingContext ctx, String problemType, Runnable reply) {
        Call call = ctx.get(KEY);
        if (call == null || !call.claim()) {
            reply.run();
            return;
        }
        call.record(Integer.toString(ctx.response().getStatusCode()), problemType)
                .whenComplete((entry, failure) -> call.context.runOnContext(v -> {
                    if (!ctx.response().ended() && !ctx.response().closed()) {
                        reply.run();
                    }
                }));
    }

    /** The route a request is for: one of its method before others, the most literal path before others. */
    private ApiRoute route(HttpMethod method, String path) {
        Known best = null;
        for (Known known : routes) {
            if (!known.pattern().matcher(path).matches()) {
                continue;
            }
            if (best == null || rank(known.route(), method) < rank(best.route(), method)) {
                best = known;
            }
        }
        return best == null ? null : best.route();
    }

    private static int rank(ApiRoute route, HttpMethod method) {
        int parameters = route.path().split(":", -1).length - 1;
        return (route.method() == method ? 0 : 100) + parameters;
    }

    /** One audited request; its entry is recorded once, by whichever of reply and end comes first. */
    private final class Call {
        private final RoutingContext ctx;
        private final Context context;
        private final ApiRoute route;
        private final AtomicBoolean claimed = new AtomicBoolean();

        Call(RoutingContext ctx, Context context, ApiRoute route) {
            this.ctx = ctx;
            this.context = context;
            this.route = route;
        }

        boolean claim() {
            return claimed.compareAndSet(false, true);
        }

        void afterEnd(boolean replied) {
            if (claim()) {
                record(replied ? Integer.toString(ctx.response().getStatusCode()) : "aborted", null);
            }
        }

        CompletableFuture<AuditEntry> record(String outcome, String problemType) {
            String action = ctx.request().method().name() + " " + printable(ctx.normalizedPath());
            String target = "";
            JsonObject summary = new JsonObject();
            try {
                if (route != null) {
                    action = ctx.request().method().name() + " " + route.documentedPath();
                }
                JsonObject body = jsonBody();
                target = target(body);
                summarize(summary, body, problemType);
            } catch (RuntimeException e) {
                LOG.warn("Could not summarize {} for the audit log", action, e);
                summary.put("summary", "unavailable");
            }
            AuditEvent event = new AuditEvent(Instant.now(), Caller.of(ctx).map(Actor::of).orElse(Actor.anonymous()),
                    action, target, outcome, summary.encode());
            return log.append(event).whenComplete((entry, failure) -> {
                if (failure != null) {
                    LOG.error("Audit entry lost for {} answered {}: {}", event.action(), outcome, failure.getMessage());
                }
            });
        }

        private void summarize(JsonObject summary, JsonObject body, String problemType) {
            if (!ctx.queryParams().isEmpty()) {
                summary.put("query", Redaction.redact(toJson(ctx.queryParams())));
            }
            if (route != null && route.body() == ApiRoute.Body.IMAGE) {
                JsonObject image = new JsonObject().put("bytes", ctx.request().bytesRead())
                        .put("contentType", printable(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)));
                if (!ctx.request().formAttributes().isEmpty()) {
                    image.put("form", Redaction.redact(toJson(ctx.request().formAttributes())));
                }
                summary.put("image", image);
            } else if (route != null && route.body() == ApiRoute.Body.DDF_XML) {
                summary.put("document", new JsonObject().put("bytes", bodyLength())
                        .put("contentType", printable(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))));
            } else if (body != null && !body.isEmpty()) {
                summary.put("body", Redaction.redact(body));
            } else if (body == null && bodyLength() > 0) {
                summary.put("body", "not a JSON object (" + bodyLength() + " bytes)");
            }
            if (problemType != null) {
                summary.put("problem", problemType);
            }
        }

        /** The request's JSON object body; null when there is none, it was not read, or it is no JSON object. */
        private JsonObject jsonBody() {
            if (route != null && route.body() == ApiRoute.Body.IMAGE) {
                return null;
            }
            RequestBody body = ctx.body();
            if (body == null || !body.available() || body.length() <= 0) {
                return null;
            }
            try {
                return body.asJsonObject();
            } catch (RuntimeException e) {
                return null;
            }
        }

        private int bodyLength() {
            RequestBody body = route != null && route.body() == ApiRoute.Body.IMAGE ? null : ctx.body();
            return body == null || !body.available() ? 0 : body.length();
        }

        /**
         * {@code kind:id} from the created resource's Location, else from the request path; for a device being
         * provisioned, the endpoint its body names. Paths outside the known collections are their own target.
         */
        private String target(JsonObject body) {
            String location = ctx.response().headers().get(HttpHeaders.LOCATION);
            boolean created = location != null && location.startsWith(PREFIX);
            String path = created ? location : ctx.normalizedPath();
            String rest = path.length() > PREFIX.length() ? path.substring(PREFIX.length()) : "";
            String[] segments = rest.split("/");
            String kind = KINDS.get(segments[0]);
            if (kind != null && segments.length > 1 && !segments[1].isEmpty() && (created || namesId())) {
                // A path keeps '+' literal (endpoints may hold one); only %XX is decoded.
                String id = URLDecoder.decode(segments[1].replace("+", "%2B"), StandardCharsets.UTF_8);
                return kind + ":" + printable(id);
            }
            if ("device".equals(kind) && body != null && body.getValue("endpoint") instanceof String endpoint) {
                return "device:" + printable(endpoint);
            }
            return kind != null ? "" : printable(rest);
        }

        /** Whether the route's second segment is a parameter (devices/:endpoint), not a word (devices/claim). */
        private boolean namesId() {
            String[] declared = route == null ? new String[0] : route.path().substring(PREFIX.length()).split("/");
            return declared.length > 1 && declared[1].startsWith(":");
        }
    }

    private static JsonObject toJson(MultiMap values) {
        JsonObject json = new JsonObject();
        values.names().forEach(name -> json.put(name, values.get(name)));
        return json;
    }

    /** Text safe to show: printable ASCII, at most 200 characters. */
    private static String printable(String value) {
        if (value == null) {
            return "";
        }
        String shown = value.length() > 200 ? value.substring(0, 200) : value;
        return shown.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
