package dev.ferry.cli.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Durations;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import dev.ferry.cli.firmware.FirmwareRef;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Updates one device to a published image (LwM2M object 5), and follows the update. */
@Command(name = "update", mixinStandardHelpOptions = true,
        description = {"Update one device to a published firmware image, optionally following it live (--watch).",
                "The device must come back running the new version for the update to succeed."},
        subcommands = {UpdateWatch.class, UpdateCommand.ListSessions.class},
        footer = {"", "Examples:", "  ferry update sensor-1 --firmware 1.1.0 --watch",
                "  ferry update sensor-1 --firmware 12 --delivery push", "  ferry update watch sensor-1", "",
                "With --watch it exits " + ExitCodes.OK + " when the update succeeded and " + ExitCodes.NOT_COMPLETED
                        + " when it failed or was cancelled."})
public final class UpdateCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;
    @Parameters(arity = "0..1", paramLabel = "ENDPOINT", description = "The device to update.")
    String endpoint;
    @Option(names = "--firmware", paramLabel = "ID|VERSION", description = "The image: its firmware id, or its"
            + " version (looked up among the images of the device's model).")
    String firmware;
    @Option(names = "--delivery", paramLabel = "MODE", description = "pull-coap, pull-coaps, pull-http or push"
            + " (default: pull-coaps for devices with DTLS credentials, pull-coap otherwise).")
    String delivery;
    @Option(names = "--deadline", paramLabel = "TIME", converter = Durations.class, description = "The whole update"
            + " must finish within this time.")
    Duration deadline;
    @Option(names = "--allow-downgrade", description = "Install an image older than the one the device runs.")
    boolean allowDowngrade;
    @Option(names = "--allow-model-mismatch", description = "Install although the model check fails.")
    boolean allowModelMismatch;
    @Option(names = "--watch", description = "Follow the update until it ends.")
    boolean watch;
    @Option(names = "--no-tty", description = "With --watch: one line per change, even on a terminal.")
    boolean noTty;

    @Override
    public Integer call() throws Exception {
        if (endpoint == null || firmware == null) {
            throw new IllegalArgumentException("give the device and --firmware ID|VERSION, e.g. 'ferry update"
                    + " sensor-1 --firmware 1.1.0'");
        }
        ApiClient client = api.client();
        String devicePath = "/api/v1/devices/" + Query.segment(endpoint);
        String model = firmware.matches("\\d+") ? null : client.get(devicePath).json().path("model").asText(null);
        ObjectNode body = ApiClient.JSON.createObjectNode().put("firmwareId", FirmwareRef.resolve(client, firmware,
                model));
        if (delivery != null) {
            body.put("delivery", delivery);
        }
        if (deadline != null) {
            body.put("deadlineSeconds", Math.max(1, deadline.toSeconds()));
        }
        if (allowDowngrade) {
            body.put("allowDowngrade", true);
        }
        if (allowModelMismatch) {
            body.put("allowModelMismatch", true);
        }
        ApiClient.Response created = client.post(devicePath + "/updates", body);
        JsonNode session = created.json();
        if (!watch) {
            api.print(created, s -> api.out().printf("update %s of %s to firmware %s started (%s): %s%n",
                    Fields.text(s, "id"), endpoint, Fields.text(s, "firmwareId"), Fields.text(s, "delivery"),
                    Fields.text(s, "state")));
            return ExitCodes.OK;
        }
        return new UpdateWatch.Follower(api, endpoint, session.path("id").asLong(), noTty).follow();
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "A device's update sessions, newest"
            + " first.")
    static final class ListSessions implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ENDPOINT", description = "The device.")
        String endpoint;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get("/api/v1/devices/" + Query.segment(endpoint) + "/updates"), json -> {
                Table table = new Table("id", "firmware", "delivery", "state", "failure", "previous", "created",
                        "finished");
                for (JsonNode s : Fields.items(json)) {
                    table.row(Fields.text(s, "id"), Fields.text(s, "firmwareId"), Fields.text(s, "delivery"),
                            Fields.text(s, "state"), Fields.text(s, "failureReason"), Fields.text(s, "previousVersion"),
                            Fields.text(s, "createdAt"), Fields.text(s, "finishedAt"));
                }
                table.print(api.out());
            });
            return ExitCodes.OK;
        }
    }
}
