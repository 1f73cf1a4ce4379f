package dev.ferry.cli.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.UserInputException;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.Query;
import java.util.ArrayList;
import java.util.List;

/** A firmware image named on the command line by its id ({@code 12}) or its version ({@code 1.2.0}). */
public final class FirmwareRef {

    private FirmwareRef() {
    }

    /** The firmware id {@code ref} names; a version is looked up among the images of {@code model} (null: any). */
    public static long resolve(ApiClient client, String ref, String model) throws Exception {
        if (ref.matches("\\d+")) {
            return Long.parseLong(ref);
        }
        JsonNode page = client.get(Query.of().add("version", ref).add("model", model).add("limit", 500)
                .to("/api/v1/firmware")).json();
        List<JsonNode> found = new ArrayList<>();
        page.path("items").forEach(found::add);
        if (found.isEmpty()) {
            throw new UserInputException("no firmware of version " + ref + (model == null ? "" : " for model '" + model
                    + "'") + " on the server; see 'ferry firmware list'");
        }
        if (found.size() > 1) {
            List<String> which = found.stream().map(f -> f.path("id").asText() + " (" + f.path("model").asText() + ")")
                    .toList();
            throw new UserInputException("version " + ref + " names several images: " + String.join(", ", which)
                    + "; give the firmware id");
        }
        return found.get(0).path("id").asLong();
    }
}
