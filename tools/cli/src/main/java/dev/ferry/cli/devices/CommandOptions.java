package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.api.ApiClient;
import java.io.IOException;
import java.util.Map;
import picocli.CommandLine.Option;

/** What a command carries besides its kind and path: a value, arguments, attributes, a deadline. */
final class CommandOptions {
    @Option(names = "--value", description = "write: the value (JSON: 600, true, \"text\"; anything else is sent as"
            + " text).")
    String value;
    @Option(names = "--arguments", description = "execute: arguments, e.g. 0='on',1.")
    String arguments;
    @Option(names = "--attribute", paramLabel = "NAME=VALUE", description = "write-attributes: pmin, pmax, gt, lt"
            + " or st (repeatable).")
    Map<String, Double> attributes = Map.of();
    @Option(names = "--deadline", paramLabel = "SECONDS", description = "How long it may wait to be sent.")
    Integer deadlineSeconds;

    /** The API's CommandRequest. */
    ObjectNode body(String kind, String path) {
        ObjectNode body = ApiClient.JSON.createObjectNode().put("kind", kind).put("path", path);
        if (value != null) {
            body.set("value", parseValue(value));
        }
        if (arguments != null) {
            body.put("arguments", arguments);
        }
        if (!attributes.isEmpty()) {
            ObjectNode a = body.putObject("attributes");
            attributes.forEach((k, v) -> {
                if (v == Math.rint(v) && (k.equals("pmin") || k.equals("pmax"))) {
                    a.put(k, v.longValue());
                } else {
                    a.put(k, v);
                }
            });
        }
        if (deadlineSeconds != null) {
            body.put("deadlineSeconds", deadlineSeconds);
        }
        return body;
    }

    private static JsonNode parseValue(String text) {
        try {
            return ApiClient.JSON.readTree(text);
        } catch (IOException e) {
            return ApiClient.JSON.getNodeFactory().textNode(text);
        }
    }
}
