package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;

/** Turns an error answer (an RFC 9457 problem document, usually) into one message an operator can act on. */
final class Problems {

    private Problems() {
    }

    static ApiRefusedException refused(String method, String path, ApiClient.Response response) {
        JsonNode problem = null;
        if (response.contentType().contains("json")) {
            try {
                problem = response.json();
            } catch (IllegalStateException e) {
                problem = null;
            }
        }
        StringBuilder message = new StringBuilder("the server refused " + method + " " + path.replaceAll("\\?.*", "")
                + " (" + response.status());
        if (problem != null && problem.hasNonNull("title")) {
            message.append(' ').append(problem.get("title").asText());
        }
        if (problem != null && problem.hasNonNull("reason")) {
            message.append(", ").append(problem.get("reason").asText());
        }
        message.append(")");
        if (problem != null && problem.hasNonNull("detail")) {
            message.append(": ").append(problem.get("detail").asText());
        } else if (problem == null && response.body().length > 0 && response.body().length < 500) {
            message.append(": ").append(response.text().strip());
        }
        if (problem != null) {
            appendItems(message, problem.get("problems"), "field", "message");
            appendItems(message, problem.get("errors"), "field", "reason");
        }
        if (response.status() == 401) {
            message.append("\n  (the API token was not accepted: run 'ferry login' with a valid one, or pass --token)");
        }
        return new ApiRefusedException(response.status(), message.toString(), problem);
    }

    private static void appendItems(StringBuilder message, JsonNode items, String fieldName, String textName) {
        if (items == null || !items.isArray()) {
            return;
        }
        for (JsonNode item : items) {
            message.append("\n  - ");
            if (item.hasNonNull("row")) {
                message.append("row ").append(item.get("row").asInt()).append(' ');
            }
            if (item.hasNonNull(fieldName)) {
                message.append(item.get(fieldName).asText()).append(": ");
            }
            message.append(item.path(textName).asText(item.toString()));
        }
    }
}
