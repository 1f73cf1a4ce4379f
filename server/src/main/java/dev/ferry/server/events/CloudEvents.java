package dev.ferry.server.events;

import io.vertx.core.json.JsonObject;

/**
 * Device events as CloudEvents 1.0 in the structured JSON format ({@code application/cloudevents+json}). The id is
 * the device event log's id, the same across retries and for every webhook, so a receiver can drop duplicates.
 */
public final class CloudEvents {
    public static final String CONTENT_TYPE = "application/cloudevents+json";
    public static final String TYPE_PREFIX = "dev.ferry.device.";

    private CloudEvents() {
    }

    /** @param source this server's URI reference, e.g. "/ferry/api.example.com" */
    public static JsonObject of(StreamEvent event, String source) {
        JsonObject cloudEvent = new JsonObject().put("specversion", "1.0").put("id", Long.toString(event.id()))
                .put("source", source).put("type", TYPE_PREFIX + event.type()).put("time", event.at().toString())
                .put("datacontenttype", "application/json");
        if (event.endpoint() != null) {
            cloudEvent.put("subject", event.endpoint());
        }
        return cloudEvent.put("data", event.data());
    }
}
