package dev.ferry.server.api;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * One operation of the HTTP API: method, path, the query parameters and body it takes, and every status it can
 * answer. The router mounts these and the OpenAPI test compares them with the document, so the two cannot drift.
 */
public record ApiRoute(HttpMethod method, String path, Body body, Set<String> queryParams, Set<Integer> declaredStatuses,
        Handler<RoutingContext> handler) {

    /** What a route accepts as its request body. */
    public enum Body {
        /** No body (GET, HEAD, DELETE). */
        NONE,
        /** A JSON object, declared as {@code application/json}. */
        JSON,
        /**
         * An action without content: the body is empty or {@code {}}, but must still be declared as
         * {@code application/json}, so that a cross-site form or script cannot trigger it as a "simple" request.
         */
        ACTION,
        /** A firmware image, raw ({@code application/octet-stream}) or as {@code multipart/form-data}. */
        IMAGE,
        /** A list of devices: {@code text/csv} with a header row, or a JSON object {@code {"devices": [...]}}. */
        DEVICE_LIST,
        /** An object definition in OMA's DDF format: {@code application/xml} or {@code text/xml}. */
        DDF_XML
    }

    static final String JSON_TYPE = "application/json";
    static final List<String> IMAGE_TYPES = List.of("application/octet-stream", "multipart/form-data");
    static final String CSV_TYPE = "text/csv";
    static final List<String> DEVICE_LIST_TYPES = List.of(CSV_TYPE, JSON_TYPE);
    static final List<String> XML_TYPES = List.of("application/xml", "text/xml");
    /** A ':' that follows something other than '/' is part of the path ({@code /devices:bulk}), not a parameter. */
    private static final Pattern PARAMETER = Pattern.compile("(?<=/):(\\w+)");

    static ApiRoute get(String path, Handler<RoutingContext> handler) {
        return new ApiRoute(HttpMethod.GET, path, Body.NONE, Set.of(), Set.of(), handler);
    }

    static ApiRoute head(String path, Handler<RoutingContext> handler) {
        return new ApiRoute(HttpMethod.HEAD, path, Body.NONE, Set.of(), Set.of(), handler);
    }

    static ApiRoute delete(String path, Handler<RoutingContext> handler) {
        return new ApiRoute(HttpMethod.DELETE, path, Body.NONE, Set.of(), Set.of(), handler);
    }

    static ApiRoute post(String path, Body body, Handler<RoutingContext> handler) {
        return new ApiRoute(HttpMethod.POST, path, body, Set.of(), Set.of(), handler);
    }

    static ApiRoute put(String path, Handler<RoutingContext> handler) {
        return new ApiRoute(HttpMethod.PUT, path, Body.JSON, Set.of(), Set.of(), handler);
    }

    static ApiRoute patch(String path, Handler<RoutingContext> handler) {
        return new ApiRoute(HttpMethod.PATCH, path, Body.JSON, Set.of(), Set.of(), handler);
    }

    /** The query parameters this route reads; any other is refused with 400. */
    ApiRoute query(String... names) {
        return new ApiRoute(method, path, body, Set.of(names), declaredStatuses, handler);
    }

    /** The statuses the handler itself answers; those of the checks every route gets are added by {@link #statuses()}. */
    ApiRoute answers(Integer... statuses) {
        return new ApiRoute(method, path, body, queryParams, Set.of(statuses), handler);
    }

    /**
     * Every status this route can answer: its own, 400 for a query parameter it does not take, 413/415 for bodies,
     * and for a route that needs a token 401 (none or not valid), 403 (role too low) and 429 (rate limits).
     */
    public Set<Integer> statuses() {
        Set<Integer> all = new TreeSet<>(declaredStatuses);
        all.add(400);
        if (changesState()) {
            all.add(403);
        }
        if (AccessRules.of(method, path).flatMap(AccessRules.Rule::needed).isPresent()) {
            all.addAll(List.of(401, 403, 429));
        }
        if (body != Body.NONE) {
            all.add(413);
            all.add(415);
        }
        return all;
    }

    /** The path in OpenAPI form: {@code /devices/{endpoint}}. */
    public String documentedPath() {
        return PARAMETER.matcher(path).replaceAll("{$1}");
    }

    Pattern pathPattern() {
        return Pattern.compile(PARAMETER.matcher(Pattern.quote(path)).replaceAll("\\\\E[^/]+\\\\Q"));
    }

    /** Whether a request path is one of this route's. */
    public boolean matches(String requestPath) {
        return pathPattern().matcher(requestPath).matches();
    }

    /** Mounts a handler route for this operation's method and path; see {@link #mount}. */
    Route mountOn(Router router) {
        return mount(router, method, path);
    }

    /**
     * Vert.x reads every ':' in a path as the start of a parameter, so {@code /api/v1/devices:bulk} would match
     * {@code /api/v1/devicesX}. A path with a literal ':' is mounted as a quoted regular expression instead, named
     * by its path (a regex route has no {@link Route#getPath()}).
     */
    static Route mount(Router router, HttpMethod method, String path) {
        String literal = PARAMETER.matcher(path).replaceAll("");
        if (literal.indexOf(':') < 0) {
            return router.route(method, path);
        }
        if (!literal.equals(path)) {
            throw new IllegalArgumentException("a path with a literal ':' cannot also take parameters: " + path);
        }
        return router.routeWithRegex(method, Pattern.quote(path)).setName(path);
    }

    /**
     * Runs before the body is read: refuses unknown or repeated query parameters and bodies of a type the route
     * does not take, then passes the request on.
     */
    void check(RoutingContext ctx) {
        for (String name : new TreeSet<>(ctx.queryParams().names())) {
            if (!queryParams.contains(name)) {
                throw ApiProblem.badRequest("unknown query parameter '" + name + "'; " + (queryParams.isEmpty()
                        ? "this route takes none" : "this route takes " + String.join(", ", new TreeSet<>(queryParams))));
            }
            if (ctx.queryParam(name).size() > 1) {
                throw ApiProblem.badRequest("query parameter " + name + " is given " + ctx.queryParam(name).size()
                        + " times; give it once");
            }
        }
        if (changesState()) {
            refuseCrossSite(ctx);
        }
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        switch (body) {
        case JSON, ACTION -> {
            if (!isJson(contentType)) {
                throw unsupported(contentType, List.of(JSON_TYPE), body == Body.ACTION
                        ? "; this action takes no content, but must be sent with Content-Type: application/json"
                        : "");
            }
        }
        case IMAGE -> {
            if (contentType == null || !IMAGE_TYPES.contains(mediaType(contentType))) {
                throw unsupported(contentType, IMAGE_TYPES, "");
            }
        }
        case DEVICE_LIST -> {
            if (!isJson(contentType) && !isCsv(contentType)) {
                throw unsupported(contentType, DEVICE_LIST_TYPES, " (CSV in UTF-8)");
            }
        }
        case DDF_XML -> {
            if (contentType == null || !XML_TYPES.contains(mediaType(contentType))) {
                throw unsupported(contentType, XML_TYPES, " (the document's XML declaration names its encoding)");
            }
        }
        case NONE -> {
            // Bodies of GET and DELETE requests are ignored.
        }
        }
        ctx.next();
    }

    private boolean changesState() {
        return method != HttpMethod.GET && method != HttpMethod.HEAD;
    }

    /**
     * Browsers name the page that made a request in {@code Origin}. A request that changes state and comes from a
     * page of another site is refused: the JSON content-type rule already stops cross-site "simple" requests, but an
     * HTML form may still post {@code multipart/form-data}. Clients that are not browsers send no {@code Origin}.
     */
    private static void refuseCrossSite(RoutingContext ctx) {
        String origin = ctx.request().getHeader(HttpHeaders.ORIGIN);
        if (origin == null) {
            return;
        }
        String host = ctx.request().getHeader(HttpHeaders.HOST);
        int scheme = origin.indexOf("://");
        String originHost = scheme < 0 ? null : origin.substring(scheme + 3);
        if (host == null || originHost == null || !originHost.equalsIgnoreCase(host)) {
            throw new ApiProblem(403, "cross-site-request", "Cross-site request refused",
                    "a web page of another site (Origin " + printable(origin) + ") may not change this server's"
                            + " state; send the request from a client that is not a browser page of another site");
        }
    }

    private static String printable(String value) {
        String shown = value.length() > 100 ? value.substring(0, 100) + "..." : value;
        return "'" + shown.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    /** {@code application/json}, optionally with a UTF-8 charset (JSON is UTF-8, RFC 8259). */
    static boolean isJson(String contentType) {
        if (contentType == null || !mediaType(contentType).equals(JSON_TYPE)) {
            return false;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
            if (!parameter.isEmpty() && !parameter.equals("charset=utf-8")) {
                return false;
            }
        }
        return true;
    }

    /** {@code text/csv}, optionally with a UTF-8 charset (RFC 7111 also allows a header parameter). */
    static boolean isCsv(String contentType) {
        if (contentType == null || !mediaType(contentType).equals(CSV_TYPE)) {
            return false;
        }
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip().toLowerCase(Locale.ROOT).replace("\"", "");
            if (!parameter.isEmpty() && !parameter.equals("charset=utf-8") && !parameter.startsWith("header=")) {
                return false;
            }
        }
        return true;
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static ApiProblem unsupported(String contentType, List<String> accepted, String hint) {
        return new ApiProblem(415, "unsupported-media-type", "Unsupported media type",
                (contentType == null ? "the request has no Content-Type" : "Content-Type '" + contentType
                        + "' is not accepted here") + "; send " + String.join(" or ", accepted) + hint)
                .withHeader("Accept", String.join(", ", accepted));
    }

    /** The methods served at a request path, for the Allow header of a 405. */
    static String allowed(List<ApiRoute> routes, String requestPath) {
        Set<String> methods = new LinkedHashSet<>();
        for (ApiRoute route : routes) {
            if (requestPath != null && route.pathPattern().matcher(requestPath).matches()) {
                methods.add(route.method().name());
            }
        }
        return String.join(", ", methods);
    }
}
