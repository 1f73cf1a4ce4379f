package dev.ferry.server.api;

import java.util.HexFormat;
import java.util.List;

import dev.ferry.server.device.BulkProvisioning.Provisioned;
import dev.ferry.server.device.BulkRejectedException;
import dev.ferry.server.device.DeviceCredentials;
import dev.ferry.server.device.ProvisioningService;
import dev.ferry.server.device.RowError;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * {@code POST /api/v1/devices:bulk}: provisions a CSV or JSON list of devices, all or none. The answer lists the
 * devices with the keys and claim codes the server generated, shown this once: as JSON, or as CSV when the request
 * asks for it with {@code Accept: text/csv}.
 */
final class BulkRoutes {
    static final String PATH = "/api/v1/devices:bulk";
    /** Room for {@link dev.ferry.server.device.BulkProvisioning#MAX_ROWS} rows with long keys and metadata. */
    static final long MAX_BODY_BYTES = 16L * 1024 * 1024;
    static final List<String> CSV_ANSWER_COLUMNS = List.of("row", "endpoint", "security", "pskIdentity", "pskKey",
            "claimCode");

    private final ProvisioningService provisioning;
    private final Blocking blocking;

    BulkRoutes(ProvisioningService provisioning, Blocking blocking) {
        this.provisioning = provisioning;
        this.blocking = blocking;
    }

    /** A list of devices is larger than the API's other JSON bodies; this route reads its own, up to 16 MiB. */
    void mountBody(Router router) {
        ApiRoute.mount(router, HttpMethod.POST, PATH).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    }

    List<ApiRoute> routes() {
        return List.of(ApiRoute.post(PATH, ApiRoute.Body.DEVICE_LIST, this::provision).answers(201, 409, 422));
    }

    private void provision(RoutingContext ctx) {
        boolean csvIn = ApiRoute.isCsv(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
        boolean csvOut = wantsCsv(ctx.request().getHeader(HttpHeaders.ACCEPT));
        blocking.run(() -> {
            BulkInput.Parsed input = csvIn ? BulkInput.csv(ctx.body().asString("UTF-8"))
                    : BulkInput.json(JsonInput.requireObject(ctx));
            input.rows().forEach(row -> Caller.requireTag(ctx, row.request().tags(), "provision"));
            return provisioning.provisionAll(input.rows(), input.errors());
        }).onSuccess(devices -> {
            // The answer holds secrets shown once: no cache may keep it.
            ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
            if (csvOut) {
                ctx.response().setStatusCode(201).putHeader(HttpHeaders.CONTENT_TYPE, "text/csv; charset=utf-8")
                        .end(csv(devices));
            } else {
                Blocking.json(ctx, 201, json(devices));
            }
        }).onFailure(failure -> ctx.fail(failure instanceof BulkRejectedException rejected
                ? problem(rejected, csvIn) : failure));
    }

    /** CSV only when the client names text/csv in Accept (with a quality above 0); JSON otherwise and for errors. */
    static boolean wantsCsv(String accept) {
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (!parts[0].strip().equalsIgnoreCase(ApiRoute.CSV_TYPE)) {
                continue;
            }
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip();
                if (parameter.startsWith("q=")) {
                    try {
                        return Double.parseDouble(parameter.substring(2)) > 0;
                    } catch (NumberFormatException e) {
                        return false;
                    }
                }
            }
            return true;
        }
        return false;
    }

    private static ApiProblem problem(BulkRejectedException rejected, boolean csv) {
        JsonArray errors = new JsonArray();
        for (RowError error : rejected.errors()) {
            errors.add(new JsonObject().put("row", error.row())
                    .put("field", csv ? BulkInput.csvColumn(error.field()) : error.field())
                    .put("reason", error.reason()));
        }
        return new ApiProblem(422, "invalid-devices", "Devices not provisioned", rejected.getMessage())
                .with("errors", errors);
    }

    private static JsonObject json(List<Provisioned> devices) {
        JsonArray items = new JsonArray();
        for (Provisioned p : devices) {
            DeviceCredentials c = p.credentials();
            JsonObject security = new JsonObject().put("mode", c.mode().wireName());
            if (c.pskIdentity() != null) {
                security.put("identity", c.pskIdentity());
            }
            if (p.generatedKey() != null) {
                security.put("key", HexFormat.of().formatHex(p.generatedKey()));
            }
            JsonObject item = new JsonObject().put("row", p.row()).put("endpoint", c.endpoint())
                    .put("security", security).put("model", p.model()).put("tags", new JsonArray(p.tags()));
            if (p.claimCode() != null) {
                item.put("claimCode", p.claimCode());
            }
            items.add(item);
        }
        return new JsonObject().put("provisioned", devices.size()).put("devices", items);
    }

    private static String csv(List<Provisioned> devices) {
        StringBuilder out = new StringBuilder(Csv.line(CSV_ANSWER_COLUMNS));
        for (Provisioned p : devices) {
            DeviceCredentials c = p.credentials();
            out.append(Csv.line(List.of(Integer.toString(p.row()), c.endpoint(), c.mode().wireName(),
                    c.pskIdentity() == null ? "" : c.pskIdentity(),
                    p.generatedKey() == null ? "" : HexFormat.of().formatHex(p.generatedKey()),
                    p.claimCode() == null ? "" : p.claimCode())));
        }
        return out.toString();
    }
}
