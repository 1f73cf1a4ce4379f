package dev.ferry.server.api;

/**
 * An HTTP error to render as an RFC 9457 problem document. {@code type} is a short slug that becomes
 * {@code urn:ferry:problem:<slug>}; {@code detail} tells a person what was wrong and what to do.
 */
public class ApiProblem extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String title;
    private final io.vertx.core.json.JsonObject extensions = new io.vertx.core.json.JsonObject();
    private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

    public ApiProblem(int status, String type, String title, String detail) {
        super(detail);
        this.status = status;
        this.type = type;
        this.title = title;
    }

    /** Adds a member to the problem document, e.g. a machine-readable reason. */
    public ApiProblem with(String member, Object value) {
        extensions.put(member, value);
        return this;
    }

    /** Adds a response header, e.g. Allow on a 405. */
    public ApiProblem withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public java.util.Map<String, String> headers() {
        return headers;
    }

    public io.vertx.core.json.JsonObject extensions() {
        return extensions;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "invalid-request", "Invalid request", detail);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(404, "not-found", "Not found", detail);
    }

    public static ApiProblem unknownDevice(String endpoint) {
        return new ApiProblem(404, "unknown-device", "Unknown device",
                "no device with endpoint '" + endpoint + "' is provisioned; list devices with GET /api/v1/devices");
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String title() {
        return title;
    }
}
