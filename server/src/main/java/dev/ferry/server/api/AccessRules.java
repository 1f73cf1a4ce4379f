package dev.ferry.server.api;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import dev.ferry.server.auth.Role;
import io.vertx.core.http.HttpMethod;

/**
 * The one table of who may call which route. Every route the API serves has exactly one rule here; a route
 * without one stops the server from starting (and so fails the build's tests). HEAD follows GET.
 */
public final class AccessRules {

    /** One route's rule: the role it needs (empty: open to anyone), and whether a {@code ci} token may call it. */
    public record Rule(HttpMethod method, String path, Optional<Role> needed, boolean ciAllowed) {
        /** The same rule, also open to {@code ci} tokens. */
        Rule alsoCi() {
            return new Rule(method, path, needed, true);
        }
    }

    private static final List<Rule> CORE = List.of(
            open(HttpMethod.GET, "/health"),
            // Device-facing downloads take no bearer token: the credential is the update session's download token
            // in the URL (see DistributionRoutes), unless distribution.public-http opens them to anyone.
            open(HttpMethod.GET, "/fw/:sha256"),
            open(HttpMethod.HEAD, "/fw/:sha256"),
            open(HttpMethod.GET, "/ota/manifest.json"),
            needs(HttpMethod.GET, "/api/v1/openapi.yaml", Role.VIEWER).alsoCi(),
            needs(HttpMethod.GET, "/api/v1/server/security", Role.VIEWER),
            // Any token may ask who it is, so a console or script shows only what it may do.
            needs(HttpMethod.GET, FleetSummaryRoutes.WHOAMI_PATH, Role.VIEWER).alsoCi(),
            needs(HttpMethod.GET, FleetSummaryRoutes.SUMMARY_PATH, Role.VIEWER),

            needs(HttpMethod.GET, "/api/v1/devices", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/devices", Role.OPERATOR),
            needs(HttpMethod.GET, "/api/v1/devices/:endpoint", Role.VIEWER),
            needs(HttpMethod.PATCH, "/api/v1/devices/:endpoint", Role.OPERATOR),
            needs(HttpMethod.DELETE, "/api/v1/devices/:endpoint", Role.OPERATOR),
            needs(HttpMethod.GET, "/api/v1/devices/:endpoint/events", Role.VIEWER),
            needs(HttpMethod.GET, "/api/v1/events", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/devices:bulk", Role.OPERATOR),
            needs(HttpMethod.POST, "/api/v1/devices/:endpoint/claim-code", Role.OPERATOR),
            // A consumer's app claims with an operator token; one limited to a device tag should add that tag.
            needs(HttpMethod.POST, "/api/v1/devices/claim", Role.OPERATOR),

            needs(HttpMethod.GET, ResourceRoutes.OBJECT_PATH, Role.VIEWER),
            needs(HttpMethod.GET, ResourceRoutes.INSTANCE_PATH, Role.VIEWER),
            needs(HttpMethod.GET, ResourceRoutes.PATH, Role.VIEWER),
            needs(HttpMethod.PUT, ResourceRoutes.PATH, Role.OPERATOR),
            needs(HttpMethod.POST, ResourceRoutes.PATH, Role.OPERATOR),

            needs(HttpMethod.POST, "/api/v1/firmware", Role.OPERATOR).alsoCi(),
            needs(HttpMethod.GET, "/api/v1/firmware", Role.VIEWER).alsoCi(),
            needs(HttpMethod.GET, "/api/v1/firmware/:id", Role.VIEWER).alsoCi(),
            needs(HttpMethod.DELETE, "/api/v1/firmware/:id", Role.OPERATOR),
            needs(HttpMethod.POST, "/api/v1/firmware/:id/publish", Role.OPERATOR).alsoCi(),
            needs(HttpMethod.GET, "/api/v1/signing-keys", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/signing-keys", Role.ADMIN),
            needs(HttpMethod.GET, "/api/v1/signing-keys/:id", Role.VIEWER),
            needs(HttpMethod.DELETE, "/api/v1/signing-keys/:id", Role.ADMIN),
            needs(HttpMethod.GET, "/api/v1/models", Role.VIEWER),
            needs(HttpMethod.PUT, "/api/v1/models/:model", Role.OPERATOR),

            needs(HttpMethod.POST, "/api/v1/devices/:endpoint/updates", Role.OPERATOR),
            needs(HttpMethod.GET, "/api/v1/devices/:endpoint/updates", Role.VIEWER),
            needs(HttpMethod.GET, "/api/v1/devices/:endpoint/updates/:id", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/devices/:endpoint/updates/:id/cancel", Role.OPERATOR),

            // Fleet CA: signing a CSR and revoking are operator work, like provisioning and deprovisioning
            // (which revokes too); the CA certificate and issued certificates are public data.
            needs(HttpMethod.GET, "/api/v1/ca", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/devices/:endpoint/certificate", Role.OPERATOR),
            needs(HttpMethod.GET, "/api/v1/devices/:endpoint/certificates", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/devices/:endpoint/certificate/revoke", Role.OPERATOR),

            // Production batches: creating one hands out a credential that provisions devices, so even reading
            // them (which devices a batch produced, its bootstrap identity) is for operators.
            needs(HttpMethod.POST, BatchRoutes.PATH, Role.OPERATOR),
            needs(HttpMethod.GET, BatchRoutes.PATH, Role.OPERATOR),
            needs(HttpMethod.GET, BatchRoutes.PATH + "/:id", Role.OPERATOR),
            needs(HttpMethod.DELETE, BatchRoutes.PATH + "/:id", Role.OPERATOR),

            // The audit log names who did what to the fleet: an admin's record (the "audit export"),
            // and verification reads the whole log, so neither is open to viewers.
            needs(HttpMethod.GET, "/api/v1/audit", Role.ADMIN),
            needs(HttpMethod.GET, "/api/v1/audit/verify", Role.ADMIN),

            needs(HttpMethod.GET, "/api/v1/tokens", Role.ADMIN),
            needs(HttpMethod.POST, "/api/v1/tokens", Role.ADMIN),
            needs(HttpMethod.DELETE, "/api/v1/tokens/:id", Role.ADMIN),

            // Saved groups are named device filters: reading them and their members is a viewer's, like the
            // device list; making, changing and deleting them an operator's.
            needs(HttpMethod.GET, "/api/v1/groups", Role.VIEWER),
            needs(HttpMethod.POST, "/api/v1/groups", Role.OPERATOR),
            needs(HttpMethod.GET, "/api/v1/groups/:name", Role.VIEWER),
            needs(HttpMethod.PATCH, "/api/v1/groups/:name", Role.OPERATOR),
            needs(HttpMethod.DELETE, "/api/v1/groups/:name", Role.OPERATOR),
            needs(HttpMethod.GET, "/api/v1/groups/:name/devices", Role.VIEWER),

            // Rollouts: viewers read, operators act; a ci token may create a draft, which an operator starts, and follow
            // a rollout by its id (a release pipeline gating on the rollout it made), but not list the fleet's rollouts.
            needs(HttpMethod.GET, RolloutRoutes.PATH, Role.VIEWER),
            needs(HttpMethod.POST, RolloutRoutes.PATH, Role.OPERATOR).alsoCi(),
            // Judges a plan and sizes its waves, stores nothing: whoever may draft a rollout may ask first.
            needs(HttpMethod.POST, RolloutRoutes.PREVIEW_PATH, Role.OPERATOR).alsoCi(),
            needs(HttpMethod.GET, RolloutRoutes.PATH + "/:id", Role.VIEWER).alsoCi(),
            needs(HttpMethod.PATCH, RolloutRoutes.PATH + "/:id", Role.OPERATOR),
            needs(HttpMethod.DELETE, RolloutRoutes.PATH + "/:id", Role.OPERATOR),
            needs(HttpMethod.GET, RolloutRoutes.PATH + "/:id/waves", Role.VIEWER).alsoCi(),
            needs(HttpMethod.GET, RolloutRoutes.PATH + "/:id/devices", Role.VIEWER).alsoCi(),
            needs(HttpMethod.GET, RolloutRoutes.PATH + "/:id/history", Role.VIEWER).alsoCi(),
            needs(HttpMethod.POST, RolloutRoutes.PATH + "/:id/start", Role.OPERATOR),
            needs(HttpMethod.POST, RolloutRoutes.PATH + "/:id/pause", Role.OPERATOR),
            needs(HttpMethod.POST, RolloutRoutes.PATH + "/:id/resume", Role.OPERATOR),
            needs(HttpMethod.POST, RolloutRoutes.PATH + "/:id/promote", Role.OPERATOR),
            needs(HttpMethod.POST, RolloutRoutes.PATH + "/:id/cancel", Role.OPERATOR),
            needs(HttpMethod.POST, RolloutRoutes.PATH + "/:id/rollback", Role.OPERATOR));

    // Object models a device's values are typed by.
    private static final List<Rule> MODELS = List.of();

    // Telemetry observed or sent by devices: observation profiles, per-device and fleet queries.
    // Viewers read profiles; what devices are asked to report is operator work, like resource writes.
    private static final List<Rule> TELEMETRY = List.of(
            needs(HttpMethod.GET, TelemetryRoutes.MODEL_PROFILE, Role.VIEWER),
            needs(HttpMethod.PUT, TelemetryRoutes.MODEL_PROFILE, Role.OPERATOR),
            needs(HttpMethod.GET, TelemetryRoutes.DEVICE_PROFILE, Role.VIEWER),
            needs(HttpMethod.PUT, TelemetryRoutes.DEVICE_PROFILE, Role.OPERATOR),
            needs(HttpMethod.DELETE, TelemetryRoutes.DEVICE_PROFILE, Role.OPERATOR),
            needs(HttpMethod.GET, TelemetryRoutes.DEVICE_TELEMETRY, Role.VIEWER),
            needs(HttpMethod.GET, FleetTelemetryRoutes.PATH, Role.VIEWER),
            // The object models that type device values; adding one changes how every device's values are read.
            needs(HttpMethod.GET, ObjectModelRoutes.PATH, Role.VIEWER),
            needs(HttpMethod.POST, ObjectModelRoutes.PATH, Role.OPERATOR),
            needs(HttpMethod.GET, ObjectModelRoutes.OBJECT, Role.VIEWER));

    // Queued commands to devices, and fleet command jobs.
    // Viewers read queues and jobs; queueing, creating and cancelling is operator work, like resource writes.
    private static final List<Rule> COMMANDS = List.of(
            needs(HttpMethod.POST, CommandRoutes.DEVICE_COMMANDS, Role.OPERATOR),
            needs(HttpMethod.GET, CommandRoutes.DEVICE_COMMANDS, Role.VIEWER),
            needs(HttpMethod.GET, CommandRoutes.DEVICE_COMMANDS + "/:id", Role.VIEWER),
            needs(HttpMethod.DELETE, CommandRoutes.DEVICE_COMMANDS + "/:id", Role.OPERATOR),
            needs(HttpMethod.POST, CommandRoutes.JOBS, Role.OPERATOR),
            needs(HttpMethod.GET, CommandRoutes.JOBS, Role.VIEWER),
            needs(HttpMethod.GET, CommandRoutes.JOBS + "/:id", Role.VIEWER),
            needs(HttpMethod.DELETE, CommandRoutes.JOBS + "/:id", Role.OPERATOR),
            needs(HttpMethod.GET, CommandRoutes.JOBS + "/:id/devices", Role.VIEWER));

    // The live event stream and webhooks. The stream is a viewer's, like the event log; a webhook sends fleet data
    // to a URL outside the server, so making, reading (its URL) and deleting one is an admin's.
    private static final List<Rule> EVENTS = List.of(
            needs(HttpMethod.GET, EventStreamRoutes.PATH, Role.VIEWER),
            needs(HttpMethod.GET, WebhookRoutes.PATH, Role.ADMIN),
            needs(HttpMethod.POST, WebhookRoutes.PATH, Role.ADMIN),
            needs(HttpMethod.GET, WebhookRoutes.PATH + "/:id", Role.ADMIN),
            needs(HttpMethod.DELETE, WebhookRoutes.PATH + "/:id", Role.ADMIN));

    // Prometheus metrics.
    private static final List<Rule> METRICS = List.of(
            // Viewers scrape; metrics.public=true opens it to scrapers without a token.
            needs(HttpMethod.GET, MetricsRoutes.PATH, Role.VIEWER));

    static final List<Rule> RULES = Stream.of(CORE, MODELS, TELEMETRY, COMMANDS, EVENTS, METRICS).flatMap(List::stream)
            .toList();

    private AccessRules() {
    }

    /** The rule of a route as the router declares it ({@code :name} path parameters); HEAD takes GET's rule. */
    public static Optional<Rule> of(HttpMethod method, String path) {
        for (Rule rule : RULES) {
            if (rule.method() == method && rule.path().equals(path)) {
                return Optional.of(rule);
            }
        }
        return method == HttpMethod.HEAD ? of(HttpMethod.GET, path) : Optional.empty();
    }

    public static List<Rule> all() {
        return RULES;
    }

    private static Rule open(HttpMethod method, String path) {
        return new Rule(method, path, Optional.empty(), false);
    }

    private static Rule needs(HttpMethod method, String path, Role role) {
        return new Rule(method, path, Optional.of(role), false);
    }
}
