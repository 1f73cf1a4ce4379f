package dev.ferry.server.api;

import java.util.List;

import dev.ferry.server.lwm2m.ObjectModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.eclipse.leshan.core.model.ObjectModel;
import org.eclipse.leshan.core.model.ResourceModel;

/**
 * The object models the server types device values with ({@code /api/v1/object-models}): the built-in ones and
 * OMA DDF documents operators add. An added model is kept in the data directory's {@code models} folder and
 * applies at once, to devices already registered too.
 */
final class ObjectModelRoutes {
    static final String PATH = "/api/v1/object-models";
    static final String OBJECT = "/api/v1/object-models/:objectId";

    private final ObjectModels models;
    private final Blocking blocking;

    ObjectModelRoutes(ObjectModels models, Blocking blocking) {
        this.models = models;
        this.blocking = blocking;
    }

    List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get(PATH, this::list).answers(200),
                ApiRoute.post(PATH, ApiRoute.Body.DDF_XML, this::add).answers(200, 201, 400, 409),
                ApiRoute.get(OBJECT, this::show).answers(200, 404));
    }

    private void list(RoutingContext ctx) {
        JsonArray all = new JsonArray();
        models.list().forEach(known -> all.add(summary(known).put("resources", known.model().resources.size())));
        Blocking.json(ctx, 200, new JsonObject().put("objectModels", all));
    }

    private void show(RoutingContext ctx) {
        int objectId = objectId(ctx.pathParam("objectId"));
        List<ObjectModels.Known> versions = models.versions(objectId);
        if (versions.isEmpty()) {
            ctx.fail(ApiProblem.notFound("the server knows no model of object " + objectId + "; add its OMA DDF"
                    + " definition with POST " + PATH + " and its values are typed from then on"));
            return;
        }
        JsonArray all = new JsonArray();
        versions.forEach(known -> all.add(detail(known)));
        Blocking.json(ctx, 200, new JsonObject().put("id", objectId).put("versions", all));
    }

    private void add(RoutingContext ctx) {
        byte[] document = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
        if (document.length == 0) {
            ctx.fail(ApiProblem.badRequest("the request has no body; send one object's OMA DDF definition"
                    + " (the XML the OMA LwM2M registry publishes)"));
            return;
        }
        blocking.run(() -> models.add(document)).onSuccess(added -> {
            ObjectModel model = added.known().model();
            ctx.response().putHeader("Location", PATH + "/" + model.id);
            Blocking.json(ctx, added.replaced() ? 200 : 201, detail(added.known()).put("replaced", added.replaced()));
        }).onFailure(failure -> ctx.fail(failure instanceof ObjectModels.Refused refused
                ? new ApiProblem(refused.conflict() ? 409 : 400, refused.conflict() ? "core-object" : "invalid-model",
                        refused.conflict() ? "Core object" : "Invalid object model", refused.getMessage())
                : failure));
    }

    private static int objectId(String value) {
        try {
            int id = Integer.parseInt(value);
            if (id >= 0 && id <= 65_535) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiProblem.badRequest("object id '" + value + "' is not a number from 0 to 65535");
    }

    private static JsonObject summary(ObjectModels.Known known) {
        ObjectModel model = known.model();
        JsonObject json = new JsonObject().put("id", model.id).put("version", model.version).put("name", model.name)
                .put("origin", known.origin().name().toLowerCase(java.util.Locale.ROOT))
                .put("multipleInstances", model.multiple).put("mandatory", model.mandatory);
        if (known.file() != null) {
            json.put("file", known.file());
        }
        return json;
    }

    private static JsonObject detail(ObjectModels.Known known) {
        ObjectModel model = known.model();
        JsonArray resources = new JsonArray();
        model.resources.values().stream().sorted(java.util.Comparator.comparing((ResourceModel r) -> r.id))
                .forEach(r -> {
                    JsonObject resource = new JsonObject().put("id", r.id).put("name", r.name)
                            .put("operations", r.operations.name()).put("type", r.type.name().toLowerCase(
                                    java.util.Locale.ROOT)).put("multipleInstances", r.multiple)
                            .put("mandatory", r.mandatory);
                    if (r.rangeEnumeration != null && !r.rangeEnumeration.isEmpty()) {
                        resource.put("range", r.rangeEnumeration);
                    }
                    if (r.units != null && !r.units.isEmpty()) {
                        resource.put("units", r.units);
                    }
                    resources.add(resource);
                });
        return summary(known).put("lwm2mVersion", model.lwm2mVersion).put("resources", resources);
    }
}
