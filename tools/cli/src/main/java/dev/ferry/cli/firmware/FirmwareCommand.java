package dev.ferry.cli.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Query;
import dev.ferry.cli.api.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Signed firmware images on the server: upload (verified there), list, publish, delete. */
@Command(name = "firmware", mixinStandardHelpOptions = true, description = "Upload, list, publish and delete"
        + " signed firmware images.", subcommands = {FirmwareCommand.Upload.class, FirmwareCommand.ListFirmware.class,
        FirmwareCommand.Show.class, FirmwareCommand.Publish.class, FirmwareCommand.Delete.class})
public final class FirmwareCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printFirmware(ApiOptions api, Iterable<JsonNode> images) {
        Table table = new Table("id", "model", "version", "size", "published", "signing key", "created");
        for (JsonNode f : images) {
            table.row(Fields.text(f, "id"), Fields.text(f, "model"), Fields.text(f, "version"), Fields.text(f, "size"),
                    f.path("published").asBoolean() ? "yes" : "no", abbreviate(Fields.text(f, "signingKeyId")),
                    Fields.text(f, "createdAt"));
        }
        table.print(api.out());
    }

    private static String abbreviate(String hash) {
        return hash.length() > 16 ? hash.substring(0, 16) + "…" : hash;
    }

    @Command(name = "upload", mixinStandardHelpOptions = true, description = {"Upload a signed MCUboot image. The"
            + " server parses it and verifies its hash and signature against the trusted signing keys before it"
            + " stores anything; a refused image is reported with the server's reason."},
            footer = {"", "Example:", "  ferry firmware upload --model meter-4 --publish build/zephyr.signed.bin"})
    static final class Upload implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "FILE", description = "The signed image (e.g. zephyr.signed.bin).")
        Path file;
        @Option(names = "--model", required = true, description = "The device model the image is for (as devices"
                + " report it in 3/0/1).")
        String model;
        @Option(names = "--notes", description = "Release notes.")
        String notes;
        @Option(names = "--publish", description = "Publish it for distribution once stored.")
        boolean publish;

        @Override
        public Integer call() throws Exception {
            byte[] image = Files.readAllBytes(file);
            ApiClient.Response stored = api.client().send("POST", Query.of().add("model", model).add("notes", notes)
                    .to("/api/v1/firmware"), image, "application/octet-stream", "application/json");
            ApiClient.Response answer = stored;
            if (publish) {
                answer = api.client().action("/api/v1/firmware/" + stored.json().path("id").asLong() + "/publish");
            }
            api.print(answer, f -> api.out().printf("%s firmware %s: %s %s, %d bytes, signed with key %s%n",
                    publish ? "published" : "uploaded (not yet published)", Fields.text(f, "id"),
                    Fields.text(f, "model"), Fields.text(f, "version"), f.path("size").asLong(),
                    abbreviate(Fields.text(f, "signingKeyId"))));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List firmware images.")
    static final class ListFirmware implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Option(names = "--model", description = "Only images of this model.")
        String model;
        @Option(names = "--published", arity = "1", paramLabel = "true|false", description = "Only published (true)"
                + " or unpublished (false) images.")
        Boolean published;
        @Option(names = "--firmware-version", paramLabel = "VERSION", description = "Only this version:"
                + " major.minor.revision+build, later parts optional.")
        String version;
        @Option(names = "--offset", description = "Images to skip.")
        Integer offset;
        @Option(names = "--limit", description = "1 to 500 (API default 50).")
        Integer limit;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get(Query.of().add("model", model).add("published", published)
                    .add("version", version).add("offset", offset).add("limit", limit).to("/api/v1/firmware")), json -> {
                printFirmware(api, Fields.items(json));
                api.out().printf("%d of %d image(s)%n", json.path("items").size(), json.path("total").asInt());
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One firmware image.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The firmware id.")
        long id;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get("/api/v1/firmware/" + id), f -> {
                for (String field : List.of("id", "model", "version", "size", "sha256", "imageHash", "signingKeyId",
                        "securityCounter", "published", "publishedAt", "downloadPath", "createdAt", "notes")) {
                    api.out().printf("%-16s %s%n", field + ":", Fields.text(f, field));
                }
            });
            return ExitCodes.OK;
        }
    }

    @Command(name = "publish", mixinStandardHelpOptions = true, description = "Publish an image for distribution.")
    static final class Publish implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The firmware id.")
        long id;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().action("/api/v1/firmware/" + id + "/publish"),
                    f -> api.out().printf("published firmware %d (%s %s)%n", id, Fields.text(f, "model"),
                            Fields.text(f, "version")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an image (refused while an"
            + " update session refers to it).")
    static final class Delete implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The firmware id.")
        long id;

        @Override
        public Integer call() throws Exception {
            api.client().delete("/api/v1/firmware/" + id);
            api.out().printf("deleted firmware %d%n", id);
            return ExitCodes.OK;
        }
    }
}
