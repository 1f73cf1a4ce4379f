package dev.ferry.cli.devices;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.cli.ExitCodes;
import dev.ferry.cli.api.ApiClient;
import dev.ferry.cli.api.ApiOptions;
import dev.ferry.cli.api.Fields;
import dev.ferry.cli.api.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Provisions one device, or many from a CSV file in one all-or-nothing request. */
@Command(name = "provision", mixinStandardHelpOptions = true,
        description = {"Provision a device (its credentials), or many at once with --bulk.",
                "A generated PSK key is shown in this answer only: store it on the device."},
        footer = {"", "Examples:", "  ferry devices provision sensor-1 --security psk --tag hall-3",
                "  ferry devices provision --bulk devices.csv", "",
                "The CSV's first line names its columns: endpoint and security (required), pskIdentity, pskKey"
                        + " (hex, empty or 'generate'), publicKey, model, tags (separated by ';'), claimCode"
                        + " ('generate'), metadata. Every row is checked first; if any is bad, nothing is"
                        + " provisioned and each bad row is listed."})
final class ProvisionCommand implements Callable<Integer> {
    @Mixin
    ApiOptions api;

    @Parameters(arity = "0..1", paramLabel = "ENDPOINT", description = "The device's LwM2M endpoint name.")
    String endpoint;

    @Option(names = "--bulk", paramLabel = "FILE.csv", description = "Provision every device of this CSV file.")
    Path bulk;

    @Option(names = "--security", defaultValue = "psk", paramLabel = "MODE", description = "none, psk or rpk"
            + " (default: ${DEFAULT-VALUE}).")
    String security;

    @Option(names = "--psk-identity", paramLabel = "IDENTITY", description = "PSK identity (default: the endpoint).")
    String pskIdentity;

    @Option(names = "--psk-key", paramLabel = "HEX", description = "PSK key, 8 to 64 bytes as hex (default: the"
            + " server generates one).")
    String pskKey;

    @Option(names = "--public-key", paramLabel = "FILE", description = "rpk: the device's EC public key, PEM.")
    Path publicKey;

    @Option(names = "--tag", paramLabel = "TAG", description = "A tag (repeatable).")
    List<String> tags = List.of();

    @Override
    public Integer call() throws Exception {
        if ((endpoint == null) == (bulk == null)) {
            throw new IllegalArgumentException("give either an ENDPOINT or --bulk FILE.csv");
        }
        return bulk != null ? provisionBulk() : provisionOne();
    }

    private int provisionOne() throws Exception {
        ObjectNode body = ApiClient.JSON.createObjectNode().put("endpoint", endpoint);
        ObjectNode mode = body.putObject("security").put("mode", security);
        if (pskIdentity != null) {
            mode.put("identity", pskIdentity);
        }
        if (pskKey != null) {
            mode.put("key", pskKey);
        }
        if (publicKey != null) {
            String pem = Files.readString(publicKey);
            mode.put("publicKey", pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        }
        if (!tags.isEmpty()) {
            tags.forEach(body.putArray("tags")::add);
        }
        ApiClient.Response answer = api.client().post("/api/v1/devices", body);
        api.print(answer, d -> {
            api.out().printf("provisioned %s (%s)%n", d.path("endpoint").asText(),
                    d.path("security").path("mode").asText());
            if (d.path("security").hasNonNull("key")) {
                api.out().printf("PSK identity %s, key %s%n(the key is shown only now: store it on the device)%n",
                        d.path("security").path("identity").asText(), d.path("security").get("key").asText());
            }
        });
        return ExitCodes.OK;
    }

    private int provisionBulk() throws Exception {
        byte[] csv = Files.readAllBytes(bulk);
        ApiClient.Response answer = api.client().send("POST", "/api/v1/devices:bulk", csv, "text/csv; charset=utf-8",
                "application/json");
        api.print(answer, json -> {
            Table table = new Table("row", "endpoint", "security", "identity", "generated key", "claim code", "tags");
            for (JsonNode d : json.path("devices")) {
                JsonNode s = d.path("security");
                table.row(Fields.text(d, "row"), Fields.text(d, "endpoint"), Fields.text(s, "mode"),
                        Fields.text(s, "identity"), Fields.text(s, "key"), Fields.text(d, "claimCode"),
                        Fields.list(d, "tags"));
            }
            table.print(api.out());
            api.out().printf("provisioned %d device(s) from %s; generated keys and claim codes are shown only now%n",
                    json.path("provisioned").asInt(), bulk);
        });
        return ExitCodes.OK;
    }
}
