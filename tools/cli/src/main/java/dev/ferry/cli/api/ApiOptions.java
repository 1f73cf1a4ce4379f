package dev.ferry.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.ferry.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every command that talks to the server takes: where, with which token, how to print. */
public final class ApiOptions {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

    @Spec(Spec.Target.MIXEE)
    private CommandSpec mixee;

    @Option(names = "--server", paramLabel = "URL", description = "The Ferry server, e.g. http://127.0.0.1:8080"
            + " (default: FERRY_SERVER, else what 'ferry login' stored).")
    String server;

    @Option(names = "--token", paramLabel = "TOKEN", description = "The API token (default: FERRY_TOKEN, else what"
            + " 'ferry login' stored).")
    String token;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "30s", converter = Durations.class,
            description = "Whole-request timeout of each API call (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table (default), json (the API's JSON, unchanged) or yaml.")
    OutputFormat output;

    private ApiClient client;

    public ApiClient client() throws IOException, UserInputException {
        if (client == null) {
            ClientConfig config = ClientConfig.resolve(server, token, environment());
            client = new ApiClient(config.server(), config.token(), timeout);
        }
        return client;
    }

    public Environment environment() {
        Object root = mixee.root().userObject();
        return root instanceof EnvironmentHolder holder ? holder.environment() : Environment.system();
    }

    public OutputFormat format() {
        return output;
    }

    public Duration timeout() {
        return timeout;
    }

    public PrintWriter out() {
        return mixee.commandLine().getOut();
    }

    public PrintWriter err() {
        return mixee.commandLine().getErr();
    }

    /** Prints an answer as asked: the JSON as it came, as YAML, or as {@code human} prints it. */
    public void print(ApiClient.Response response, Consumer<JsonNode> human) throws IOException {
        PrintWriter out = out();
        switch (output) {
            case json -> out.println(response.text());
            case yaml -> out.print(YAML.writeValueAsString(response.json()));
            default -> human.accept(response.json());
        }
        out.flush();
    }

    /** What the root command offers its subcommands. */
    public interface EnvironmentHolder {
        Environment environment();
    }
}
