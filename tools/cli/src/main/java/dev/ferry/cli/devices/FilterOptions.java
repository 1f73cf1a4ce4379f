package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.api.ApiClient;
import java.util.List;
import picocli.CommandLine.Option;

/** A device filter (the API's DeviceFilter) from the command line: every condition given must hold. */
final class FilterOptions {
    @Option(names = "--tag-all", paramLabel = "TAG", description = "The device carries this tag (repeatable: all of"
            + " them).")
    List<String> tagsAll = List.of();
    @Option(names = "--tag-any", paramLabel = "TAG", description = "The device carries at least one of these"
            + " (repeatable).")
    List<String> tagsAny = List.of();
    @Option(names = "--model", description = "Devices of this model.")
    String model;
    @Option(names = "--firmware-version", paramLabel = "VERSION", description = "Exact version or range.")
    String firmwareVersion;
    @Option(names = "--online", arity = "1", paramLabel = "true|false", description = "Devices online (true) or"
            + " offline (false) when read.")
    Boolean online;
    @Option(names = "--endpoint-prefix", paramLabel = "PREFIX", description = "Endpoints starting with this.")
    String endpointPrefix;
    @Option(names = "--endpoint", paramLabel = "ENDPOINT", description = "Only these endpoints (repeatable).")
    List<String> endpoints = List.of();

    boolean given() {
        return !tagsAll.isEmpty() || !tagsAny.isEmpty() || !endpoints.isEmpty() || model != null
                || firmwareVersion != null || online != null || endpointPrefix != null;
    }

    ObjectNode filter() {
        ObjectNode filter = ApiClient.JSON.createObjectNode();
        if (!tagsAll.isEmpty()) {
            tagsAll.forEach(filter.putArray("tagsAll")::add);
        }
        if (!tagsAny.isEmpty()) {
            tagsAny.forEach(filter.putArray("tagsAny")::add);
        }
        if (!endpoints.isEmpty()) {
            endpoints.forEach(filter.putArray("endpoints")::add);
        }
        if (model != null) {
            filter.put("model", model);
        }
        if (firmwareVersion != null) {
            filter.put("firmwareVersion", firmwareVersion);
        }
        if (online != null) {
            filter.put("online", online);
        }
        if (endpointPrefix != null) {
            filter.put("endpointPrefix", endpointPrefix);
        }
        return filter;
    }
}
