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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The image signing keys the server trusts when it verifies uploads. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Trusted image signing keys (public keys).",
        subcommands = {KeysCommand.Trust.class, KeysCommand.ListKeys.class, KeysCommand.Remove.class})
public final class KeysCommand implements Runnable {
    @picocli.CommandLine.Spec
    private picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static void printKeys(ApiOptions api, Iterable<JsonNode> keys) {
        Table table = new Table("id", "name", "type", "created");
        for (JsonNode k : keys) {
            table.row(Fields.text(k, "id"), Fields.text(k, "name"), Fields.text(k, "type"), Fields.text(k, "createdAt"));
        }
        table.print(api.out());
    }

    @Command(name = "trust", mixinStandardHelpOptions = true, description = "Trust a public key for image"
            + " verification.", footer = {"", "Example:", "  ferry image getpub -k release.pem --encoding pem >"
            + " release.pub.pem", "  ferry keys trust --name release release.pub.pem"})
    static final class Trust implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "PUBLIC_KEY.pem", description = "The public key, PEM (as 'ferry image getpub"
                + " --encoding pem' prints it).")
        Path file;
        @Option(names = "--name", required = true, description = "A name for the key.")
        String name;

        @Override
        public Integer call() throws Exception {
            String pem = Files.readString(file);
            api.print(api.client().post("/api/v1/signing-keys", ApiClient.JSON.createObjectNode().put("name", name)
                    .put("publicKey", pem)), k -> api.out().printf("trusted key %s (%s, %s)%n", Fields.text(k, "id"),
                    Fields.text(k, "name"), Fields.text(k, "type")));
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The trusted keys.")
    static final class ListKeys implements Callable<Integer> {
        @Mixin
        ApiOptions api;

        @Override
        public Integer call() throws Exception {
            api.print(api.client().get("/api/v1/signing-keys"), json -> printKeys(api, Fields.items(json)));
            return ExitCodes.OK;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Stop trusting a key (refused while"
            + " firmware signed with it exists).")
    static final class Remove implements Callable<Integer> {
        @Mixin
        ApiOptions api;
        @Parameters(paramLabel = "ID", description = "The key's id (hex SHA-256 key hash).")
        String id;

        @Override
        public Integer call() throws Exception {
            api.client().delete("/api/v1/signing-keys/" + Query.segment(id));
            api.out().printf("removed key %s%n", id);
            return ExitCodes.OK;
        }
    }
}
