package dev.ferry.server.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.ferry.server.device.DeviceFilter;
import dev.ferry.server.device.DeviceFilterJson;
import dev.ferry.server.device.DeviceGroups;
import dev.ferry.server.device.Names;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * The device filter of {@code GET /api/v1/devices}: {@code tagsAll}, {@code tagsAny} and {@code endpoints}
 * comma-separated, {@code firmwareVersion} exact or a range, {@code endpointPrefix}, and {@code group} (a saved
 * group's filter, also applied). {@code model}, {@code online} and {@code tag} stay the list's own parameters. A bad
 * value is a 400 naming the parameter.
 *
 * @param filter the conditions given as parameters (null when none is)
 * @param group the saved group named, or null
 */
record DeviceListFilter(DeviceFilter filter, String group) {

    static DeviceListFilter of(RoutingContext ctx) {
        JsonObject json = new JsonObject();
        for (String list : List.of("tagsAll", "tagsAny", "endpoints")) {
            String value = QueryParams.string(ctx, list);
            if (value != null) {
                json.put(list, new JsonArray(Arrays.stream(value.split(",", -1)).map(String::strip).toList()));
            }
        }
        for (String text : List.of("firmwareVersion", "endpointPrefix")) {
            String value = QueryParams.string(ctx, text);
            if (value != null) {
                json.put(text, value);
            }
        }
        Map<String, String> problems = new LinkedHashMap<>();
        DeviceFilter filter = DeviceFilterJson.parse(json, "", (field, problem) -> problems.putIfAbsent(
                field.replaceAll("\\[\\d+]$", ""), problem));
        if (!problems.isEmpty()) {
            List<String> details = new ArrayList<>();
            problems.forEach((parameter, problem) -> details.add("query parameter " + parameter + ": " + problem
                    + (parameter.equals("firmwareVersion") || parameter.equals("endpointPrefix") ? ""
                            : " (a comma-separated list)")));
            throw ApiProblem.badRequest(String.join("; ", details));
        }
        String group = QueryParams.name(ctx, "group", Names::isEndpoint, Names.ENDPOINT_RULE);
        return new DeviceListFilter(json.isEmpty() ? null : filter, group);
    }

    /** The filters to apply, the named group's read from the database (blocks); a group that does not exist is 400. */
    List<DeviceFilter> resolve(DeviceGroups groups) {
        List<DeviceFilter> filters = new ArrayList<>();
        if (filter != null) {
            filters.add(filter);
        }
        if (group != null) {
            filters.add(groups.find(group).orElseThrow(() -> ApiProblem.badRequest("query parameter group: no group"
                    + " named '" + group + "'; list groups with GET /api/v1/groups")).filter());
        }
        return filters;
    }
}
