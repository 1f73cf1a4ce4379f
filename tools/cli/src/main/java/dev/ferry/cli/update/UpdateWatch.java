package dev.ferry.cli.update;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.UserInputException;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.EventStream;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.LiveDisplay;
import dev.ferry.cli.api.Query;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Follows one update session live, from the device's update events, until it ends. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Follow a device's update session (by default its newest) until it ends.",
        footer = {"", "Exits " + ExitCodes.OK + " when the update succeeded, " + ExitCodes.NOT_COMPLETED + " when it"
                + " failed or was cancelled."})
final class UpdateWatch implements Callable<Integer> {
    @Mixin
    ApiOptions api;
    @Parameters(index = "0", paramLabel = "ENDPOINT", description = "The device.")
    String endpoint;
    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "The session id (default: the newest).")
    Long id;
    @Option(names = "--no-tty", description = "One line per change, even on a terminal.")
    boolean noTty;

    @Override
    public Integer call() throws Exception {
        long session = id != null ? id : newest();
        return new Follower(api, endpoint, session, noTty).follow();
    }

    private long newest() throws Exception {
        JsonNode items = api.client().get("/api/v1/devices/" + Query.segment(endpoint) + "/updates").json()
                .path("items");
        if (items.isEmpty()) {
            throw new UserInputException(endpoint + " has no update session; start one with 'ferry update "
                    + endpoint + " --firmware ID|VERSION'");
        }
        return items.get(0).path("id").asLong();
    }

    /** Re-reads the session on each of the device's update events (at most every 200 ms) and every 5 s. */
    static final class Follower {
        private static final List<String> STEPS = List.of("pending", "starting", "downloading", "downloaded",
                "updating", "succeeded");
        private static final Duration REFRESH = Duration.ofSeconds(5);
        /** A download's progress comes with no event: read it this often while the device pulls. */
        private static final Duration DOWNLOAD_REFRESH = Duration.ofSeconds(1);
        private static final Duration THROTTLE = Duration.ofMillis(200);
        private static final Duration POLL = Duration.ofSeconds(2);

        private final ApiOptions api;
        private final String endpoint;
        private final long id;
        private final boolean noTty;

        Follower(ApiOptions api, String endpoint, long id, boolean noTty) {
            this.api = api;
            this.endpoint = endpoint;
            this.id = id;
            this.noTty = noTty;
        }

        int follow() throws Exception {
            ApiClient client = api.client();
            String path = "/api/v1/devices/" + Query.segment(endpoint) + "/updates/" + id;
            LiveDisplay display = LiveDisplay.of(api, noTty);
            try (EventStream stream = openStream(client)) {
                while (true) {
                    JsonNode session = client.get(path).json();
                    String download = download(session);
                    display.show(download.isEmpty() ? List.of(line(session)) : List.of(line(session), download));
                    String state = session.path("state").asText();
                    if (state.equals("succeeded")) {
                        return ExitCodes.OK;
                    }
                    if (state.equals("failed") || state.equals("cancelled")) {
                        api.err().printf("update %d of %s %s%s%n", id, endpoint, state,
                                session.hasNonNull("failureReason") ? ": " + session.get("failureReason").asText()
                                        + (session.hasNonNull("failureDescription")
                                                ? " (" + session.get("failureDescription").asText() + ")" : "") : "");
                        return ExitCodes.NOT_COMPLETED;
                    }
                    if (stream == null) {
                        Thread.sleep(POLL.toMillis());
                    } else if (stream.next(download.isEmpty() ? REFRESH : DOWNLOAD_REFRESH) != null) {
                        Thread.sleep(THROTTLE.toMillis()); // a burst of events costs one read
                        while (stream.next(Duration.ofMillis(1)) != null) {
                            // drained: they are all answered by the read above
                        }
                    }
                }
            }
        }

        /** The device's update events; null for a token the stream is closed to (limited to a tag): then it polls. */
        private EventStream openStream(ApiClient client) throws Exception {
            try {
                return EventStream.open(client, Query.of().add("device", endpoint).add("type", "update").to(""), null,
                        Duration.ofSeconds(45));
            } catch (dev.ferry.cli.api.ApiRefusedException e) {
                if (e.status() != 403) {
                    throw e;
                }
                return null;
            }
        }

        private String line(JsonNode s) {
            String state = s.path("state").asText();
            int step = Math.max(0, STEPS.indexOf(state));
            int total = STEPS.size() - 1;
            boolean failed = state.equals("failed") || state.equals("cancelled");
            String bar = LiveDisplay.bar(20, total, failed ? 0 : step, failed ? total : 0, 0, 0);
            return String.format("%s update %d %s %-11s (%s, attempt %s) %s", endpoint, id, bar, state,
                    Fields.text(s, "delivery"), Fields.text(s, "attempts"), Fields.text(s, "detail"));
        }

        /** The server's count of the image served so far, while the device pulls it over CoAP. */
        static String download(JsonNode s) {
            JsonNode d = s.path("download");
            long total = d.path("totalBytes").asLong();
            if (!d.isObject() || total <= 0) {
                return "";
            }
            long served = Math.min(total, d.path("bytesServed").asLong());
            int percent = (int) (served * 100 / total);
            return String.format("  download %s %d%% (%d of %d bytes served)", LiveDisplay.bar(20, 100, percent, 0,
                    0, 0), percent, served, total);
        }
    }
}
